import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { RESTORE_TEST_CHECK } from '../functions/snapshot-restore-test/fan-out';
import type { DrPlan } from '../lib/plan';
import { lambdaInvoke } from './lambda-task';

/**
 * Errors of a `.sync:2` child Task worth another attempt: Step Functions' own service faults and throttling. A
 * retry is safe: StartExecution with the same name and input returns the running child instead of starting
 * another, and a child already ended answers `ExecutionAlreadyExists`, which is not retried.
 */
const CHILD_TRANSIENT_ERRORS = [
  'StepFunctions.AWSStepFunctionsException',
  'StepFunctions.SdkClientException',
  'StepFunctions.ExecutionLimitExceededException',
];

/** Minutes a child Task may take beyond the child's own timeout (the child times out first; this bounds the Task). */
const CHILD_TASK_MARGIN_MINUTES = 10;

export interface SnapshotRestoreTestProps {
  readonly plan: DrPlan;
  /** The restore test's Lambda (functions/snapshot-restore-test): lists the children, reads a failed one. */
  readonly restoreTestFunction: lambda.Function;
  /** One database's restore test, started once per database. */
  readonly databaseWorkflow: sfn.IStateMachine;
}

/**
 * The monthly snapshot restore test of every database (or the one named): the input is checked before any AWS
 * call, then a Map starts one child execution per database (`states:startExecution.sync:2`),
 * `restoreTest.maxConcurrent` at a time, each named `executionName(parent, db)` and associated with this run. A
 * child's history is its own (25,000 events each), so the fleet's size does not meet the parent's limit. Per
 * database only a result stays in the state: its status, and where its evidence is.
 */
export function snapshotRestoreTestBody(scope: Construct, props: SnapshotRestoreTestProps): sfn.IChainable {
  const { plan } = props;
  const items = lambdaInvoke(
    scope,
    'Choose Databases',
    props.restoreTestFunction,
    {
      action: 'items',
      input: sfn.JsonPath.objectAt('$$.Execution.Input'),
      execution: { 'Name.$': '$$.Execution.Name' },
    },
    { resultSelector: { 'databases.$': '$.Payload.databases' }, resultPath: '$.plan' },
  );

  const startChild = new tasks.StepFunctionsStartExecution(scope, 'Test One Database', {
    stateMachine: props.databaseWorkflow,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    associateWithParent: true,
    name: sfn.JsonPath.stringAt('$.executionName'),
    input: sfn.TaskInput.fromObject({
      dbInstanceId: sfn.JsonPath.stringAt('$.dbInstanceId'),
      'snapshotId.$': '$.snapshotId',
    }),
    resultSelector: {
      'status.$': '$.Output.report.Payload.status',
      'evidenceKey.$': '$.Output.report.Payload.evidenceKey',
    },
    resultPath: '$.child',
    taskTimeout: sfn.Timeout.duration(
      Duration.minutes(plan.timeouts.workflowMinutes.snapshotRestoreTestDb + CHILD_TASK_MARGIN_MINUTES),
    ),
  });
  startChild.addRetry({
    errors: CHILD_TRANSIENT_ERRORS,
    interval: Duration.seconds(5),
    maxAttempts: 3,
    backoffRate: 2,
  });
  const passed = new sfn.Pass(scope, 'Database Tested', {
    parameters: {
      check: RESTORE_TEST_CHECK,
      'target.$': '$.dbInstanceId',
      'status.$': '$.child.status',
      'observed.$': '$.child.status',
      threshold: 'PASS',
      'detail.$': "States.Format('restored, validated and deleted: evidence {}', $.child.evidenceKey)",
    },
  });
  const readFailure = lambdaInvoke(
    scope,
    'Read Failed Child',
    props.restoreTestFunction,
    {
      action: 'childFailed',
      'target.$': '$.dbInstanceId',
      'executionName.$': '$.executionName',
      'error.$': '$.childFailure.Error',
      'cause.$': '$.childFailure.Cause',
    },
    { outputPath: '$.Payload' },
  );
  // Should even reading the failure fail, the database is still a FAIL, named with the Task's error.
  const unreadable = new sfn.Pass(scope, 'Child Failed Unread', {
    parameters: {
      check: RESTORE_TEST_CHECK,
      'target.$': '$.dbInstanceId',
      status: 'FAIL',
      'observed.$': '$.childFailure.Error',
      threshold: 'SUCCEEDED',
      'detail.$': "States.Format('the restore test run {} failed with {}', $.executionName, $.childFailure.Error)",
    },
  });
  readFailure.addCatch(unreadable, { errors: ['States.ALL'], resultPath: '$.readError' });
  startChild.addCatch(readFailure, { errors: ['States.ALL'], resultPath: '$.childFailure' });

  const each = new sfn.Map(scope, 'Test Each Database', {
    itemsPath: '$.plan.databases',
    maxConcurrency: plan.restoreTest.maxConcurrent,
    // The results replace the list of children: per database only its result stays in the state.
    resultPath: '$.plan',
  });
  each.itemProcessor(startChild.next(passed));
  const collect = new sfn.Pass(scope, 'Collect Results', { parameters: { 'results.$': '$.plan' } });
  // A bad input fails the first step (InvalidInputError), before any child starts; the report records it.
  return sfn.Chain.start(items).next(each).next(collect);
}
