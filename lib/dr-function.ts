import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { copyPlanCommand, DR_BUNDLING, PROJECT_ROOT, SOURCE_MAPS_NODE_OPTIONS, writePlanFile } from './bundling';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';

/** The newest Node.js runtime aws-cdk-lib offers (cdk-nag's AwsSolutions-L1 asks for it). */
export const DR_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** How long function logs are kept. */
export const FUNCTION_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

export interface DrFunctionProps {
  /** The validated DR plan; shipped beside the bundle as `plan.json` (see functions/shared/plan.ts). */
  readonly plan: DrPlan;
  /** Entry file relative to the repository root, e.g. `functions/janitor/handler.ts`. */
  readonly entry: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** Powertools service name.
   * @default - the construct id */
  readonly serviceName?: string;
  /** Extra environment variables (never secrets).
   * @default - none */
  readonly environment?: Record<string, string>;
  /** Function timeout.
   * @default - the plan's Lambda task timeout */
  readonly timeout?: Duration;
  /** Memory.
   * @default 256 */
  readonly memorySize?: number;
  /** Whether stack traces go through the source map (`--enable-source-maps`), at a cold-start cost.
   * @default false */
  readonly enableSourceMaps?: boolean;
  /** Whether the function connects to RDS over TLS (adds the RDS CA bundle path for Node's TLS).
   * @default false */
  readonly connectsToDatabase?: boolean;
  /** VPC the function runs in (to reach a database); the role gets the ENI permissions Lambda needs.
   * @default - no VPC */
  readonly vpc?: ec2.IVpc;
  /** Subnets of `vpc` for the function's network interfaces.
   * @default - the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Security groups of the function's network interfaces.
   * @default - one new group allowing all outbound traffic */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * The EC2 actions of AWS's `AWSLambdaVPCAccessExecutionRole` managed policy: what Lambda needs to create and
 * remove a VPC function's network interfaces. None supports resource-level permissions beyond `*`.
 */
export const VPC_ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

/**
 * NodejsFunction with the house defaults: newest Node.js runtime, arm64, minified bundle (names kept) with its
 * source map, built by the local esbuild (no Docker), explicit log group with retention, active tracing, Powertools
 * environment, and the DR plan shipped beside the bundle (`plan.json`, never in environment variables).
 */
export class DrFunction extends nodejs.NodejsFunction {
  /** The function's log group. */
  public readonly functionLogGroup: logs.LogGroup;
  /** The policy with the VPC network-interface permissions, when the function runs in a VPC. */
  public readonly networkInterfacePolicy?: iam.Policy;
  /** The function's own execution role: always created here, so never undefined (unlike `Function.role`). */
  declare public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: DrFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: FUNCTION_LOG_RETENTION });
    // Own role instead of AWSLambdaBasicExecutionRole (logs:* on *): writing to its own log group only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    if (!props.vpc && (props.vpcSubnets || props.securityGroups))
      throw new Error(`DrFunction ${id}: vpcSubnets and securityGroups need vpc: set vpc or remove them`);
    const planFile = writePlanFile(props.plan);
    super(scope, id, {
      role,
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: DR_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(props.plan.timeouts.lambdaTaskSeconds),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? id,
        POWERTOOLS_METRICS_NAMESPACE: 'EntmootDR',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...(props.enableSourceMaps ? { NODE_OPTIONS: SOURCE_MAPS_NODE_OPTIONS } : {}),
        ...(props.connectsToDatabase ? { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } : {}),
        ...props.environment,
      },
      bundling: {
        ...DR_BUNDLING,
        externalModules: [...DR_BUNDLING.externalModules],
        mainFields: [...DR_BUNDLING.mainFields],
        forceDockerBundling: false,
        // The asset hash is taken from the output folder, so a changed plan is a new asset.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [copyPlanCommand(planFile, outputDir)],
        },
      },
    });
    this.functionLogGroup = logGroup;
    acknowledgeWildcards(
      role,
      { resources: ['*'] },
      'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions.',
    );
    if (props.vpc) {
      // With its own role passed in, CDK attaches no AWSLambdaVPCAccessExecutionRole: grant its EC2 actions, and
      // make the function wait for them, or CloudFormation may create it first and Lambda refuses it
      // ("no permission to call CreateNetworkInterface").
      this.networkInterfacePolicy = new iam.Policy(scope, `${id}NetworkInterfaces`, {
        roles: [role],
        statements: [new iam.PolicyStatement({ actions: [...VPC_ENI_ACTIONS], resources: ['*'] })],
      });
      this.node.addDependency(this.networkInterfacePolicy);
      acknowledgeWildcards(
        this.networkInterfacePolicy,
        { resources: ['*'] },
        'The EC2 network-interface actions Lambda needs to place a function in a VPC (those of AWSLambdaVPCAccessExecutionRole) support no resource-level permissions.',
      );
    }
  }

  /** Grants an IAM statement to the function's role. */
  public allow(statement: iam.PolicyStatementProps): void {
    this.addToRolePolicy(new iam.PolicyStatement(statement));
  }
}
