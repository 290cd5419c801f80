/**
 * The two casings a workflow can call AWS with, and the rules that map one to the other.
 *
 * Step Functions' AWS SDK integrations (`arn:aws:states:::aws-sdk:SERVICE:action`) take and return the
 * members of the AWS SDK for Java 2.x, whose names the SDK's code generator derives from the service
 * model; the JavaScript SDK v3 keeps the service model's names. The rules below are the Java 2.x code
 * generator's, read from its source:
 *
 * - Member names: `Utils.unCapitalize` lower-cases only the *leading* run of capitals (the last capital
 *   stays when a lower-case letter follows), and the bean getter capitalises the first letter again:
 *   `DBInstanceIdentifier` → `DbInstanceIdentifier`, `KMSKeyId` → `KmsKeyId`, `DBSnapshots` → `DbSnapshots`,
 *   but `SourceDBInstanceIdentifier`, `ReadReplicaSourceDBInstanceIdentifier` and `MultiAZ` keep their
 *   capitals. aws/aws-sdk-java-v2 `codegen/src/main/java/software/amazon/awssdk/codegen/internal/Utils.java`
 *   (`unCapitalize`, `capitalize`) and `codegen/.../naming/DefaultNamingStrategy.java` (`getVariableName`,
 *   `getBeanStyleGetterMethodName`). Public state machines confirm it: they pass `SourceDBInstanceIdentifier`,
 *   `TargetDBInstanceIdentifier`, `MultiAZ`, `DbSubnetGroupName` to `aws-sdk:rds:restoreDBInstanceToPointInTime`
 *   and read `DbInstanceStatus`.
 * - Exception names: `DefaultNamingStrategy.getExceptionName` drops a `Fault` suffix, splits the rest into
 *   words (`CodegenNamingUtils.splitOnWordBoundaries`: acronyms become words) and Pascal-cases each word,
 *   then appends `Exception`: `DBInstanceNotFoundFault` → `DbInstanceNotFoundException`,
 *   `InvalidDBInstanceStateFault` → `InvalidDbInstanceStateException`, S3 `NoSuchKey` → `NoSuchKeyException`.
 *   aws/aws-sdk-java-v2 `utils/src/main/java/software/amazon/awssdk/utils/internal/CodegenNamingUtils.java`.
 * - Step Functions names an SDK integration's error `ServiceName.ErrorName`, both Pascal case, and always
 *   with the `Exception` suffix (the docs' example: S3's `BucketAlreadyExists` is caught as
 *   `S3.BucketAlreadyExistsException`). "Learning to use AWS service SDK integrations in Step Functions",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * - Parameters "are expressed in PascalCase, even if the native service API is in camelCase" (same page):
 *   SFN's `stateMachineArn` is `StateMachineArn` there.
 */

/** AWS SDK for Java 2.x `Utils.unCapitalize`. */
export function unCapitalize(name: string): string {
  if (!name) throw new Error('Name cannot be null or empty');
  const isUpper = (c: string | undefined): boolean => c !== undefined && c >= 'A' && c <= 'Z';
  const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
  let out = '';
  let i = 0;
  do {
    out += name.charAt(i++).toLowerCase();
  } while (i < name.length && isUpper(name[i]) && !(i < name.length - 1 && isLower(name[i + 1])));
  return out + name.substring(i);
}

export function capitalize(name: string): string {
  return name.length === 0 ? name : name[0].toUpperCase() + name.substring(1);
}

export function lcFirst(name: string): string {
  return name.length === 0 ? name : name[0].toLowerCase() + name.substring(1);
}

/** The member name a Step Functions SDK integration uses for a service-model (JavaScript SDK) member. */
export function javaMemberName(jsName: string): string {
  return capitalize(unCapitalize(jsName));
}

/** AWS SDK for Java 2.x `CodegenNamingUtils.splitOnWordBoundaries`. */
export function splitOnWordBoundaries(toSplit: string): string[] {
  let result = toSplit.replace(/[^A-Za-z0-9]+/g, ' ');
  result = result.replace(/([^a-z]{2,})v([0-9]+)/g, '$1 v$2 ').replace(/([^A-Z]{2,})V([0-9]+)/g, '$1 V$2 ');
  result = result.split(/(?<=[a-z])(?=[A-Z](?:[a-zA-Z]|[0-9]))/).join(' ');
  result = result.replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  result = result.replace(/([0-9])([a-zA-Z])/g, '$1 $2');
  result = result.replace(/ +/g, ' ').trim();
  return result.split(' ');
}

export function pascalCase(word: string): string {
  return splitOnWordBoundaries(word)
    .map((w) => capitalize(w.toLowerCase()))
    .join('');
}

/** AWS SDK for Java 2.x `DefaultNamingStrategy.getExceptionName`. */
export function javaExceptionName(errorShapeName: string): string {
  if (errorShapeName.endsWith('Fault')) return `${pascalCase(errorShapeName.slice(0, -'Fault'.length))}Exception`;
  if (errorShapeName.endsWith('Exception')) return pascalCase(errorShapeName);
  return `${pascalCase(errorShapeName)}Exception`;
}

/** Error-name prefixes of the AWS SDK integrations (the Java 2.x service names; measured ones listed). */
export const SDK_ERROR_PREFIX: Record<string, string> = {
  rds: 'Rds',
  s3: 'S3',
  s3control: 'S3Control',
  sns: 'Sns',
  sfn: 'Sfn',
  dynamodb: 'DynamoDb',
  cloudwatch: 'CloudWatch',
  ecs: 'Ecs',
  secretsmanager: 'SecretsManager',
  route53recoverycluster: 'Route53RecoveryCluster',
};

/**
 * The Step Functions error name of a service error raised through an AWS SDK integration. An error the
 * service model does not declare (throttling, `InvalidParameterValue`, S3's `PermanentRedirect`) reaches
 * the Java SDK as the service's base exception: `Rds.RdsException`, `S3.S3Exception`.
 */
export function sfnSdkErrorName(service: string, jsErrorName: string, modeled: boolean): string {
  const prefix = SDK_ERROR_PREFIX[service] ?? capitalize(service);
  if (!modeled) return `${prefix}.${prefix}Exception`;
  return `${prefix}.${javaExceptionName(jsErrorName)}`;
}

/**
 * Error names of the optimized integrations, which use the AWS SDK for Java 1.x classes: `DynamoDB.ConditionalCheckFailedException`,
 * `StepFunctions.ExecutionAlreadyExistsException`, `SNS.NotFoundException`; an undeclared error is the v1
 * base class (`DynamoDB.AmazonDynamoDBException`).
 */
export const OPTIMIZED_ERROR_PREFIX: Record<string, { prefix: string; base: string }> = {
  sns: { prefix: 'SNS', base: 'AmazonSNSException' },
  dynamodb: { prefix: 'DynamoDB', base: 'AmazonDynamoDBException' },
  sfn: { prefix: 'StepFunctions', base: 'AWSStepFunctionsException' },
  // `ecs:runTask(.sync)`: ECS API errors are `ECS.<exception>`, undeclared ones (capacity, throttling) the base class.
  ecs: { prefix: 'ECS', base: 'AmazonECSException' },
};

export function sfnOptimizedErrorName(service: string, jsErrorName: string, modeled: boolean): string {
  const p = OPTIMIZED_ERROR_PREFIX[service];
  if (!p) return sfnSdkErrorName(service, jsErrorName, modeled);
  if (!modeled) return `${p.prefix}.${p.base}`;
  const base = jsErrorName.endsWith('Fault') ? jsErrorName.slice(0, -5) : jsErrorName;
  return `${p.prefix}.${base.endsWith('Exception') ? base : `${base}Exception`}`;
}
