import { Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { RESULTS_ROOT } from '../functions/dump-restore-test/read-report';
import { tagKeys } from '../functions/shared/naming';
import type { DrPlan } from '../lib/plan';
import { DUMP_RESTORE_TASK_MARGIN_MINUTES } from '../lib/plan-rules';
import { GuardedCallAwsService } from './guarded-call';
import { lambdaTaskTimeout } from './lambda-task';
import { LAMBDA_TRANSIENT_ERRORS } from './retry';

/**
 * How `ecs:runTask.sync` reports a task ECS did not start: `RunTask` answered with `Failures` (capacity, a bad
 * network configuration) as `AmazonECS.Unknown`, and an undeclared ECS error (throttling, capacity) as the
 * service's base exception.
 */
export const ECS_NOT_PLACED_ERRORS = ['AmazonECS.Unknown', 'ECS.AmazonECSException'] as const;

/** Check name of the cleanup's result. */
export const TASK_CLEANUP_CHECK = 'restore-task-cleanup';

/** One dump the test restores: the plan's database and its latest dump. */
export interface DumpRestoreItem {
  readonly database: string;
  /** `s3://<backupBucket>/<prefix><latestDumpKey>`. */
  readonly source: string;
}

/** The plan's databases that have a backup bucket, each with its latest dump. */
export function dumpRestoreItems(plan: DrPlan): DumpRestoreItem[] {
  const { prefix, latestDumpKey } = plan.backups.keyLayout;
  return plan.databases.flatMap((db) =>
    db.backupBucket ? [{ database: db.id, source: `s3://${db.backupBucket}/${prefix}${latestDumpKey}` }] : [],
  );
}

export interface DumpRestoreTestProps {
  readonly plan: DrPlan;
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The runner's container in the task definition. */
  readonly container: ecs.ContainerDefinition;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly subnets: ec2.SubnetSelection;
  /** Reads a task's report into results (functions/dump-restore-test). */
  readonly readReportFunction: lambda.Function;
}

/** The task's group, `<prefix>:<execution>`: how the cleanup finds this run's tasks. */
function groupOf(plan: DrPlan): string {
  return `States.Format('${plan.system.namePrefix}:{}', $$.Execution.Name)`;
}

/**
 * `ecs:runTask.sync` with what CDK's EcsRunTask does not render: the task's `Group` (the cleanup finds this run's
 * tasks by it) and its tags (owner, execution, lifecycle: the task is ephemeral).
 */
class RunRestoreTask extends tasks.EcsRunTask {
  constructor(
    scope: Construct,
    id: string,
    props: tasks.EcsRunTaskProps,
    private readonly extra: Record<string, unknown>,
  ) {
    super(scope, id, props);
    // CDK grants ecs:StopTask and ecs:DescribeTasks on * (what `.sync` needs to stop the task of an aborted
    // execution): limited here to this cluster.
    for (const statement of this.taskPolicies ?? []) {
      if (statement.actions.includes('ecs:StopTask'))
        statement.addCondition('ArnEquals', { 'ecs:cluster': props.cluster.clusterArn });
    }
  }

  protected override _renderTask(topLevelQueryLanguage?: sfn.QueryLanguage): Record<string, unknown> {
    const rendered = super._renderTask(topLevelQueryLanguage) as Record<string, unknown>;
    const parameters = rendered.Parameters as { NetworkConfiguration: { AwsvpcConfiguration: object } };
    // EcsRunTask renders `assignPublicIp: false` as nothing; the task must say DISABLED (no public address).
    const network = {
      AwsvpcConfiguration: { ...parameters.NetworkConfiguration.AwsvpcConfiguration, AssignPublicIp: 'DISABLED' },
    };
    return { ...rendered, Parameters: { ...parameters, NetworkConfiguration: network, ...this.extra } };
  }
}

/**
 * The monthly dump restore test: for each database with a backup bucket (Map, `workload.dumpRestore.maxConcurrent`
 * at once), a Fargate task runs the restore runner on the latest dump (`ecs:runTask.sync`; source, report key and
 * deadline as the container's environment), bounded by the runner's deadline plus a margin; then — after a failed
 * task too — a Lambda reads the runner's report into results (stored under the run's prefix) and measurements.
 */
export function dumpRestoreTestBody(scope: Construct, props: DumpRestoreTestProps): sfn.IChainable {
  const { plan } = props;
  const keys = tagKeys(plan);
  const deadlineSeconds = plan.workload.dumpRestore.deadlineMinutes * 60;
  const name = new sfn.Pass(scope, 'Name Results Prefix', {
    parameters: { 'prefix.$': `States.Format('${RESULTS_ROOT}{}/results/', $$.Execution.Name)` },
    resultPath: '$.run',
  });
  const list = new sfn.Pass(scope, 'List Dumps', {
    result: sfn.Result.fromArray(dumpRestoreItems(plan)),
    resultPath: '$.dumps',
  });

  const env = (key: string, value: string) => ({ name: key, value });
  const runTask = new RunRestoreTask(
    scope,
    'Run the Restore Task',
    {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster: props.cluster,
      taskDefinition: props.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      assignPublicIp: false,
      subnets: props.subnets,
      securityGroups: [props.securityGroup],
      containerOverrides: [
        {
          containerDefinition: props.container,
          environment: [
            env('EDR_SOURCE', sfn.JsonPath.stringAt('$.source')),
            env('EDR_DATABASE', sfn.JsonPath.stringAt('$.database')),
            env('EDR_EXECUTION', sfn.JsonPath.stringAt('$$.Execution.Name')),
            env('EDR_REPORT_KEY', sfn.JsonPath.stringAt('$.reportKey')),
            env('EDR_DEADLINE_SECONDS', String(deadlineSeconds)),
          ],
        },
      ],
      // The runner ends itself at its deadline; the margin covers provisioning, the image pull and the stop timeout.
      taskTimeout: sfn.Timeout.duration(
        Duration.seconds(deadlineSeconds).plus(Duration.minutes(DUMP_RESTORE_TASK_MARGIN_MINUTES)),
      ),
      resultSelector: {
        'StopCode.$': '$.StopCode',
        'StoppedReason.$': '$.StoppedReason',
        'ExitCode.$': '$.Containers[0].ExitCode',
      },
      resultPath: '$.task',
    },
    {
      'Group.$': groupOf(plan),
      Tags: [
        { Key: keys.owner, Value: Stack.of(scope).stackName },
        { Key: keys.execution, 'Value.$': '$$.Execution.Name' },
        { Key: keys.lifecycle, Value: 'ephemeral' },
      ],
    },
  );
  const read = new tasks.LambdaInvoke(scope, 'Read the Report', {
    lambdaFunction: props.readReportFunction,
    payload: sfn.TaskInput.fromObject({
      'database.$': '$.database',
      'source.$': '$.source',
      'reportKey.$': '$.reportKey',
      'resultsPrefix.$': '$.resultsPrefix',
      'task.$': '$.task',
    }),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultSelector: { 'stored.$': '$.Payload.stored', 'measurements.$': '$.Payload.measurements' },
    taskTimeout: lambdaTaskTimeout(props.readReportFunction),
  });
  read.addRetry({ errors: LAMBDA_TRANSIENT_ERRORS, interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
  const crashed = new sfn.Pass(scope, 'Record Read Error', {
    parameters: {
      crashed: { target: { kind: 'database', 'id.$': '$.database' }, 'error.$': '$.readError.Error' },
      measurements: [],
    },
  });
  read.addCatch(crashed, { errors: ['States.ALL'], resultPath: '$.readError' });
  // Refused before it started (no capacity: RunTask's Failures; ECS throttling): nothing ran, so try again.
  runTask.addRetry({
    errors: [...ECS_NOT_PLACED_ERRORS],
    interval: Duration.seconds(60),
    maxAttempts: 2,
    backoffRate: 2,
  });
  // A failed task (exit 1 or 3, never started, an ECS error, a timeout) still has its report read: only the
  // report tells a bad backup from a failed test.
  runTask.addCatch(read, { errors: ['States.ALL'], resultPath: '$.task' });

  const each = new sfn.Map(scope, 'Restore Each Dump', {
    itemsPath: '$.dumps',
    itemSelector: {
      'database.$': '$$.Map.Item.Value.database',
      'source.$': '$$.Map.Item.Value.source',
      'reportKey.$': "States.Format('restore-reports/{}/{}.json', $$.Execution.Name, $$.Map.Item.Value.database)",
      'resultsPrefix.$': '$.run.prefix',
    },
    maxConcurrency: plan.workload.dumpRestore.maxConcurrent,
    resultPath: '$.restores',
  }).itemProcessor(runTask.next(read));

  const collect = new sfn.Pass(scope, 'Collect Results', {
    parameters: {
      storedResults: {
        'prefix.$': '$.run.prefix',
        'iterations.$': '$.restores',
      },
      // One array per database (a database without a report has none): the report flattens them.
      'measurements.$': '$.restores[*].measurements',
    },
  });
  return name.next(list).next(each).next(collect);
}

/**
 * The cleanup: Step Functions stops a `.sync` task when the execution is stopped, but not when the Task state
 * times out — so this run's tasks still running (found by their `Group` among the cluster's running tasks of the
 * family) are stopped here. None running: nothing to report.
 */
export function dumpRestoreTestCleanup(scope: Construct, props: DumpRestoreTestProps): sfn.IChainable {
  const { plan } = props;
  const keys = tagKeys(plan);
  const stack = Stack.of(scope);
  const sdkTimeout = sfn.Timeout.duration(Duration.seconds(plan.timeouts.sdkTaskSeconds));
  const inCluster = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
  const tasksOfCluster = stack.formatArn({
    service: 'ecs',
    resource: 'task',
    resourceName: `${props.cluster.clusterName}/*`,
  });
  const list = new GuardedCallAwsService(scope, 'Find Running Restore Tasks', {
    service: 'ecs',
    action: 'listTasks',
    parameters: {
      Cluster: props.cluster.clusterArn,
      Family: props.taskDefinition.family,
      DesiredStatus: 'RUNNING',
      MaxResults: 100,
    },
    iamResources: ['*'],
    iamAction: 'ecs:ListTasks',
    conditions: inCluster,
    resultSelector: { 'arns.$': '$.TaskArns' },
    resultPath: '$.running',
    taskTimeout: sdkTimeout,
  });
  const describe = new GuardedCallAwsService(scope, 'Describe Running Restore Tasks', {
    service: 'ecs',
    action: 'describeTasks',
    parameters: { Cluster: props.cluster.clusterArn, 'Tasks.$': '$.running.arns' },
    iamResources: [tasksOfCluster],
    iamAction: 'ecs:DescribeTasks',
    conditions: inCluster,
    resultSelector: { 'tasks.$': '$.Tasks' },
    resultPath: '$.running',
    taskTimeout: sdkTimeout,
  });
  const stop = new GuardedCallAwsService(scope, 'Stop the Restore Task', {
    service: 'ecs',
    action: 'stopTask',
    parameters: {
      Cluster: props.cluster.clusterArn,
      'Task.$': '$.task.TaskArn',
      'Reason.$':
        "States.Format('Entmoot DR: run {} ended while its restore task was still running', $$.Execution.Name)",
    },
    iamResources: [tasksOfCluster],
    iamAction: 'ecs:StopTask',
    conditions: {
      ...inCluster,
      StringEquals: {
        [`aws:ResourceTag/${keys.owner}`]: stack.stackName,
        [`aws:ResourceTag/${keys.lifecycle}`]: 'ephemeral',
      },
    },
    resultSelector: { ours: true },
    taskTimeout: sdkTimeout,
  });
  // Every iteration says whether it was this run's (a path that matches nothing would fail the state).
  const notOurs = new sfn.Pass(scope, 'Another Run’s Task', { result: sfn.Result.fromObject({ ours: false }) });
  const each = new sfn.Map(scope, 'Stop This Run’s Tasks', {
    itemsPath: '$.running.tasks',
    itemSelector: { 'task.$': '$$.Map.Item.Value', 'group.$': groupOf(plan) },
    resultPath: '$.stops',
  }).itemProcessor(
    new sfn.Choice(scope, 'Is It This Run’s Task?')
      .when(sfn.Condition.stringEqualsJsonPath('$.task.Group', '$.group'), stop)
      .otherwise(notOurs),
  );
  const nothing = new sfn.Pass(scope, 'No Task Running', { result: sfn.Result.fromObject({}) });
  const stoppedSome = new sfn.Pass(scope, 'Restore Tasks Stopped', {
    parameters: {
      cleanupResult: {
        check: TASK_CLEANUP_CHECK,
        'target.$': '$$.Execution.Name',
        status: 'PASS',
        observed: 'stopped',
        threshold: null,
        'detail.$':
          "States.Format('stopped this run’s restore task(s) still running when {} ended', $$.Execution.Name)",
      },
    },
  });
  const collect = new sfn.Pass(scope, 'Collect Stopped Tasks', {
    parameters: { 'any.$': 'States.ArrayContains($.stops[*].ours, true)' },
  });
  collect.next(
    new sfn.Choice(scope, 'Were Any Stopped?')
      .when(sfn.Condition.booleanEquals('$.any', true), stoppedSome)
      .otherwise(nothing),
  );
  return list.next(
    new sfn.Choice(scope, 'Any Restore Task Running?')
      .when(sfn.Condition.isPresent('$.running.arns[0]'), describe.next(each).next(collect))
      .otherwise(nothing),
  );
}
