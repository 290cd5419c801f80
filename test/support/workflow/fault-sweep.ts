/**
 * Runs a workflow once per Task state × fault kind, each run against a fresh model, so a test can assert
 * that every way a call can fail still ends with the account as the design says and one report sent.
 *
 * Error names are what Step Functions reports for each integration:
 * - AWS SDK integrations (`aws-sdk:SERVICE:action`): `Service.ErrorName`, Pascal case, always with the
 *   `Exception` suffix (Step Functions developer guide, "Learning to use AWS service SDK integrations").
 *   Service and exception names are the AWS SDK for Java 2.x's (`Rds`, `DynamoDb`, `DbInstanceNotFoundException`).
 *   An error the service model does not declare — RDS/S3 throttling (`Throttling`, `SlowDown`), an IAM
 *   `AccessDenied` — surfaces as the SDK's base exception, `Rds.RdsException`, `S3.S3Exception`, with the
 *   HTTP status and error code only in the Cause (LocalStack's AWS-parity implementation names unmodelled
 *   errors the same way).
 * - Optimised integrations: `Lambda.<code>` (`Lambda.TooManyRequestsException`; an IAM denial is the Java
 *   SDK v1 base exception `Lambda.AWSLambdaException`, which CDK's default LambdaInvoke retry lists),
 *   `SNS.<code>Exception` (`SNS.ThrottledException`, `SNS.AuthorizationErrorException`, `SNS.NotFoundException`),
 *   `DynamoDB.<code>` (`DynamoDB.ProvisionedThroughputExceededException`, `DynamoDB.AccessDeniedException`).
 * - A Lambda that crashes without a function error of its own (out of memory, runtime exit): `Lambda.Unknown`.
 * - A task timeout: `States.Timeout` (which `States.TaskFailed` does not match).
 */
import { collectStates } from './asl';
import { runWorkflow, type AwsModel, type LambdaHandler, type RunOptions, type RunResult } from './run';
import { FAKE_ACCOUNT_ID, validateAsl } from './template';

/** A Task state as the sweep sees it. */
export interface TaskStateInfo {
  readonly name: string;
  readonly resource: string;
  /** Names of the enclosing Map/Parallel states. */
  readonly parents: readonly string[];
}

/** One kind of fault: the error (and cause) it produces at a given Task. */
export interface FaultSpec {
  readonly kind: string;
  /** The error name for this task; `undefined` skips the task for this kind. */
  error(task: TaskStateInfo): string | undefined;
  /** The cause. @default - a message naming the kind and the state */
  cause?(task: TaskStateInfo): string;
  /** How many attempts fail. @default - every attempt */
  readonly times?: number;
}

/** What each run starts from: a fresh model, its Lambda handlers and the execution input. */
export interface SweepSetup {
  readonly model: AwsModel;
  readonly lambdas?: Record<string, LambdaHandler>;
  readonly input?: unknown;
}

/** runWorkflow's options, with the model, Lambdas and input made fresh for each run by `setup`. */
export type FaultSweepOptions = Omit<RunOptions, 'model' | 'lambdas' | 'input' | 'fault'> & {
  readonly setup: () => SweepSetup | Promise<SweepSetup>;
};

/** One run of the sweep. */
export interface FaultSweepRun {
  readonly state: string;
  /** The child state machine the state belongs to. @default - the run's own */
  readonly stateMachine?: string;
  readonly fault: string;
  readonly error: string;
  readonly result: RunResult;
  /** The model the run used, to assert the account's final state. */
  readonly model: AwsModel;
}

/** How a Task's Resource integrates: a Lambda, an AWS SDK call, or an optimised service integration. */
export function integrationOf(resource: string): {
  kind: 'lambda' | 'aws-sdk' | 'optimised';
  service: string;
  action: string;
} {
  if (/^arn:aws[a-z-]*:lambda:/.test(resource)) return { kind: 'lambda', service: 'lambda', action: 'invoke' };
  const m = /^arn:aws[a-z-]*:states:::(?:(aws-sdk):)?([a-z0-9-]+):([A-Za-z0-9]+)/.exec(resource);
  if (!m) return { kind: 'optimised', service: 'unknown', action: resource };
  if (m[1]) return { kind: 'aws-sdk', service: m[2], action: m[3] };
  if (m[2] === 'lambda') return { kind: 'lambda', service: 'lambda', action: m[3] };
  return { kind: 'optimised', service: m[2], action: m[3] };
}

/** AWS SDK for Java 2.x client names, as Step Functions prefixes SDK-integration errors with them. */
const JAVA_SERVICE: Record<string, string> = {
  rds: 'Rds',
  s3: 'S3',
  dynamodb: 'DynamoDb',
  sfn: 'Sfn',
  sns: 'Sns',
  sqs: 'Sqs',
  secretsmanager: 'SecretsManager',
  cloudwatch: 'CloudWatch',
  cloudwatchlogs: 'CloudWatchLogs',
  route53: 'Route53',
  route53recoverycluster: 'Route53RecoveryCluster',
  route53recoverycontrolconfig: 'Route53RecoveryControlConfig',
  lambda: 'Lambda',
  ec2: 'Ec2',
  kms: 'Kms',
  sts: 'Sts',
  ssm: 'Ssm',
  backup: 'Backup',
  eventbridge: 'EventBridge',
  iam: 'Iam',
  acm: 'Acm',
  ecs: 'Ecs',
  athena: 'Athena',
  ses: 'Ses',
  sesv2: 'SesV2',
};

/** The Step Functions error prefix of an AWS SDK integration's service. */
export function sdkServiceName(service: string): string {
  return JAVA_SERVICE[service] ?? service.charAt(0).toUpperCase() + service.slice(1);
}

/** Services whose model declares a throttling exception (the rest throttle with an unmodelled code). */
const MODELLED_THROTTLING: Record<string, string> = {
  route53recoverycluster: 'ThrottlingException',
  route53recoverycontrolconfig: 'ThrottlingException',
  lambda: 'TooManyRequestsException',
};

/** The not-found exception an SDK action raises, by service and the resource its name mentions. */
function sdkNotFound(service: string, action: string): string {
  if (service === 'rds') {
    for (const [noun, error] of [
      ['DBInstanceAutomatedBackup', 'DbInstanceAutomatedBackupNotFoundException'],
      ['DBClusterSnapshot', 'DbClusterSnapshotNotFoundException'],
      ['DBCluster', 'DbClusterNotFoundException'],
      ['DBSnapshot', 'DbSnapshotNotFoundException'],
      ['DBSubnetGroup', 'DbSubnetGroupNotFoundException'],
      ['DBParameterGroup', 'DbParameterGroupNotFoundException'],
      ['DBInstance', 'DbInstanceNotFoundException'],
    ] as const) {
      if (action.toLowerCase().includes(noun.toLowerCase())) return error;
    }
    return 'DbInstanceNotFoundException';
  }
  if (service === 's3')
    return /object/i.test(action) && !/^listobject/i.test(action) ? 'NoSuchKeyException' : 'NoSuchBucketException';
  if (service === 'sfn')
    return /execution/i.test(action) ? 'ExecutionDoesNotExistException' : 'StateMachineDoesNotExistException';
  if (service === 'route53')
    return /healthcheck/i.test(action) ? 'NoSuchHealthCheckException' : 'NoSuchHostedZoneException';
  return 'ResourceNotFoundException';
}

function cause(message: string, service: string, status: number, code: string): string {
  return `${message} (Service: ${service}, Status Code: ${status}, Error Code: ${code}, Request ID: 00000000-0000-0000-0000-000000000000)`;
}

/** The error name a fault kind produces at `resource`. */
export function faultErrorName(kind: 'throttling' | 'accessDenied' | 'notFound' | 'crash', resource: string): string {
  const { kind: integration, service, action } = integrationOf(resource);
  if (integration === 'lambda') {
    return {
      throttling: 'Lambda.TooManyRequestsException',
      accessDenied: 'Lambda.AWSLambdaException',
      notFound: 'Lambda.ResourceNotFoundException',
      crash: 'Lambda.Unknown',
    }[kind];
  }
  if (integration === 'aws-sdk') {
    const s = sdkServiceName(service);
    const base = `${s}.${s}Exception`;
    if (kind === 'throttling') return MODELLED_THROTTLING[service] ? `${s}.${MODELLED_THROTTLING[service]}` : base;
    if (kind === 'notFound') return `${s}.${sdkNotFound(service, action)}`;
    return base;
  }
  if (service === 'sns') {
    return {
      throttling: 'SNS.ThrottledException',
      accessDenied: 'SNS.AuthorizationErrorException',
      notFound: 'SNS.NotFoundException',
      crash: 'SNS.InternalErrorException',
    }[kind];
  }
  if (service === 'dynamodb') {
    return {
      throttling: 'DynamoDB.ProvisionedThroughputExceededException',
      accessDenied: 'DynamoDB.AccessDeniedException',
      notFound: 'DynamoDB.ResourceNotFoundException',
      crash: 'DynamoDB.InternalServerErrorException',
    }[kind];
  }
  const prefix = service.charAt(0).toUpperCase() + service.slice(1);
  return {
    throttling: `${prefix}.ThrottlingException`,
    accessDenied: `${prefix}.AccessDeniedException`,
    notFound: `${prefix}.ResourceNotFoundException`,
    crash: `${prefix}.InternalServerException`,
  }[kind];
}

function faultCause(kind: 'throttling' | 'accessDenied' | 'notFound' | 'crash', task: TaskStateInfo): string {
  const { kind: integration, service, action } = integrationOf(task.resource);
  if (integration === 'lambda' && kind === 'crash') {
    return JSON.stringify({
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: 00000000 Error: Runtime exited with error: signal: killed',
    });
  }
  const svc = integration === 'aws-sdk' ? sdkServiceName(service) : service;
  switch (kind) {
    case 'throttling':
      return cause('Rate exceeded', svc, 400, 'Throttling');
    case 'accessDenied':
      return cause(
        `User: arn:aws:sts::${FAKE_ACCOUNT_ID}:assumed-role/StateMachineRole/session is not authorized to perform: ${service}:${action.charAt(0).toUpperCase()}${action.slice(1)}`,
        svc,
        403,
        'AccessDenied',
      );
    case 'notFound':
      return cause(`The resource ${task.name} asked for does not exist`, svc, 404, 'NotFound');
    default:
      return cause('Internal failure', svc, 500, 'InternalFailure');
  }
}

const kind = (k: 'throttling' | 'accessDenied' | 'notFound' | 'crash'): FaultSpec => ({
  kind: k,
  error: (task) => faultErrorName(k, task.resource),
  cause: (task) => faultCause(k, task),
});

/** The default sweep: throttling, access denied, not found, a crash (Lambda.Unknown / a service 500) and a task timeout. */
export const DEFAULT_FAULTS: readonly FaultSpec[] = [
  kind('throttling'),
  kind('accessDenied'),
  kind('notFound'),
  kind('crash'),
  { kind: 'timeout', error: () => 'States.Timeout', cause: (task) => `Task "${task.name}" timed out` },
];

/** Every Task state of a definition, nested ones included, in definition order. */
export function taskStates(definition: object): TaskStateInfo[] {
  validateAsl(definition);
  return [...collectStates(definition).values()]
    .filter((s) => s.state.Type === 'Task')
    .map((s) => ({ name: s.name, resource: String(s.state.Resource), parents: s.parents }));
}

/**
 * Runs the workflow once per Task state × fault (every attempt at that state fails, unless the fault sets
 * `times`), each with a fresh model from `setup`. A Task the workflow never reaches still gets its runs:
 * their results show the fault was not hit (`taskCalls` has no call to it).
 */
export async function faultSweep(
  options: FaultSweepOptions,
  faults: readonly FaultSpec[] = DEFAULT_FAULTS,
): Promise<FaultSweepRun[]> {
  const { setup, ...runOptions } = options;
  const runs: FaultSweepRun[] = [];
  // The run's own Task states, then each child state machine's (a fault there is named by the child's name).
  const machines: Array<{ stateMachine?: string; definition: object }> = [
    { definition: options.definition },
    ...(options.childMachines ?? []).map((c) => ({
      stateMachine: c.stateMachineArn.slice(c.stateMachineArn.lastIndexOf(':') + 1),
      definition: c.definition,
    })),
  ];
  for (const { stateMachine, definition } of machines) {
    for (const task of taskStates(definition)) {
      for (const fault of faults) {
        const error = fault.error(task);
        if (error === undefined) continue;
        const { model, lambdas, input } = await setup();
        let result: RunResult;
        const where = stateMachine ? `"${task.name}" of ${stateMachine}` : `"${task.name}"`;
        try {
          result = await runWorkflow({
            ...runOptions,
            model,
            lambdas,
            input,
            fault: {
              state: task.name,
              error,
              cause: fault.cause?.(task) ?? `${fault.kind} injected at ${where}`,
              times: fault.times,
              stateMachine,
            },
          });
        } catch (err) {
          throw new Error(`Fault sweep, ${fault.kind} (${error}) at ${where}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        runs.push({ state: task.name, stateMachine, fault: fault.kind, error, result, model });
      }
    }
  }
  return runs;
}
