import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { TERMINAL_RESTORE_STATUSES } from '../functions/pitr/finish-recovery';
import { ERROR_NAMES } from '../functions/shared/errors';
import { tagKeys } from '../functions/shared/naming';
import type { DrPlan } from '../lib/plan';
import { deleteRdsResource, RDS_THROTTLE_RETRY } from './delete-instance';
import { GuardedCallAwsService } from './guarded-call';
import { lambdaTask } from './lambda-task';
import { markTime } from './marks';
import { WaitUntil } from './wait-until';

export interface PointInTimeRecoveryProps {
  readonly plan: DrPlan;
  /** The recovery's Lambda (functions/pitr): plan, restore, summarize, cleanup decision. */
  readonly recoveryFunction: lambda.Function;
  /** One validator per distinct primary network of the plan (functions/pitr/networks.ts), in that order. */
  readonly validatorFunctions: readonly lambda.Function[];
  /** ARNs (or name patterns) of the plan's instances: the sources. */
  readonly sourceArns: readonly string[];
  /** ARN pattern of the copies: `db:<prefix>-pitr-*`. */
  readonly copyArnPattern: string;
  /** ARN pattern of the emergency snapshots: `snapshot:<prefix>-emergency-*`. */
  readonly snapshotArnPattern: string;
}

function recoveryEvent(props: PointInTimeRecoveryProps, action: string, extra: Record<string, unknown> = {}) {
  return {
    action,
    input: sfn.JsonPath.objectAt('$$.Execution.Input'),
    execution: { 'Name.$': '$$.Execution.Name', 'StartTime.$': '$$.Execution.StartTime' },
    ownerStack: Stack.of(props.recoveryFunction).stackName,
    ...extra,
  };
}

/** State name of the validator task for network `index` (the first keeps the plain name). */
export function validateStateName(index: number): string {
  return index === 0 ? 'Validate Copy' : `Validate Copy in Network ${index + 1}`;
}

/**
 * Point-in-time recovery of one database: plan (input, source, window, every setting), then at once an emergency
 * snapshot of the source (a refusal is a WARN) and the restore; a bounded wait until the copy is available (a
 * terminal status is `RestoreFailedError`); validation as `dr_validator` against the target time; the copy
 * retagged `retained` (valid or not: a FAIL is a finding about the data); and the report's results.
 */
export function pointInTimeRecoveryBody(scope: Construct, props: PointInTimeRecoveryProps): sfn.IChainable {
  const { plan } = props;
  const keys = tagKeys(plan);
  const stackName = Stack.of(scope).stackName;
  const sdkTimeout = sfn.Timeout.duration(Duration.seconds(plan.timeouts.sdkTaskSeconds));
  const fn = props.recoveryFunction;

  const planTask = lambdaTask(
    scope,
    'Plan the Recovery',
    fn,
    recoveryEvent(props, 'plan'),
    { 'plan.$': '$.Payload' },
    '$.pitr',
  );

  const snapshot = new GuardedCallAwsService(scope, 'Take Emergency Snapshot', {
    service: 'rds',
    action: 'createDBSnapshot',
    parameters: {
      'DbSnapshotIdentifier.$': '$.pitr.plan.snapshotId',
      'DbInstanceIdentifier.$': '$.pitr.plan.source',
      'Tags.$': '$.pitr.plan.snapshotTags',
    },
    iamResources: [...props.sourceArns, props.snapshotArnPattern],
    conditions: { StringEquals: { [`aws:RequestTag/${keys.owner}`]: stackName } },
    resultSelector: { 'status.$': '$.DbSnapshot.Status' },
    taskTimeout: sdkTimeout,
  });
  snapshot.addRetry(RDS_THROTTLE_RETRY);
  snapshot.addCatch(
    new sfn.Pass(scope, 'Emergency Snapshot Refused', {
      parameters: { 'error.$': '$.snapshotError.Error', 'cause.$': '$.snapshotError.Cause' },
    }),
    { errors: ['States.ALL'], resultPath: '$.snapshotError' },
  );
  const restore = lambdaTask(
    scope,
    'Restore to Point in Time',
    fn,
    recoveryEvent(props, 'restore', { 'plan.$': '$.pitr.plan' }),
    { 'status.$': '$.Payload.status' },
    '$.restore',
  );
  const both = new sfn.Parallel(scope, 'Snapshot and Restore', {
    resultSelector: { 'snapshot.$': '$[0]' },
    resultPath: '$.started',
  });
  both.branch(snapshot);
  both.branch(restore);

  const look = new tasks.CallAwsService(scope, 'Look at Copy', {
    service: 'rds',
    action: 'describeDBInstances',
    parameters: { 'DbInstanceIdentifier.$': '$.pitr.plan.targetId' },
    iamResources: [props.copyArnPattern],
    resultSelector: { 'instance.$': '$.DbInstances[0]' },
    resultPath: '$.copy',
    taskTimeout: sdkTimeout,
  });
  look.addRetry(RDS_THROTTLE_RETRY);

  const retain = new GuardedCallAwsService(scope, 'Retain Copy', {
    service: 'rds',
    action: 'addTagsToResource',
    parameters: {
      'ResourceName.$': '$.pitr.plan.targetArn',
      Tags: [{ Key: keys.lifecycle, Value: 'retained' }],
    },
    iamResources: [props.copyArnPattern],
    conditions: { StringEquals: { [`rds:db-tag/${keys.owner}`]: stackName } },
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sdkTimeout,
  });
  retain.addRetry(RDS_THROTTLE_RETRY);
  const summarize = lambdaTask(
    scope,
    'Summarize the Recovery',
    fn,
    recoveryEvent(props, 'summarize', {
      'plan.$': '$.pitr.plan',
      'validation.$': '$.validation',
      'snapshot.$': '$.started.snapshot',
      endpoint: { 'address.$': '$.copy.instance.Endpoint.Address', 'port.$': '$.copy.instance.Endpoint.Port' },
    }),
    { 'results.$': '$.Payload.results' },
    '$.summary',
  );
  const validated = markTime(scope, 'Mark Copy Validated', 'validated');
  validated
    .next(retain)
    .next(summarize)
    .next(
      new sfn.Pass(scope, 'Collect Results', {
        parameters: { 'results.$': '$.summary.results', 'marks.$': '$.marks', 'target.$': '$.pitr.plan.source' },
      }),
    );
  const validators = props.validatorFunctions.map((v, i) => {
    const task = lambdaTask(
      scope,
      validateStateName(i),
      v,
      {
        'target.$': '$.pitr.plan.targetId',
        'host.$': '$.copy.instance.Endpoint.Address',
        'port.$': '$.copy.instance.Endpoint.Port',
        'database.$': '$.pitr.plan.databaseName',
        'user.$': '$.pitr.plan.user',
        'referenceTime.$': '$.pitr.plan.restoreTime',
      },
      { 'results.$': '$.Payload.results' },
      '$.validation',
    );
    // A copy just become available may not resolve or accept sessions at once: a few tries before giving up.
    task.addRetry({
      errors: [ERROR_NAMES.databaseUnreachable],
      interval: Duration.seconds(30),
      maxAttempts: 3,
      backoffRate: 2,
    });
    return task.next(validated);
  });
  if (validators.length === 0) throw new Error('pointInTimeRecoveryBody: needs at least one validator function');
  let validate: sfn.IChainable = validators[0] as sfn.IChainable;
  if (validators.length > 1) {
    const which = new sfn.Choice(scope, 'Which Validator?');
    validators.forEach((v, i) => {
      which.when(sfn.Condition.numberEquals('$.pitr.plan.validatorIndex', i), v);
    });
    validate = which.otherwise(new sfn.Fail(scope, 'No Validator', { error: ERROR_NAMES.configuration }));
  }
  const available = markTime(scope, 'Mark Copy Available', 'available');
  available.next(validate);
  const outcome = new sfn.Choice(scope, 'Did the Restore Succeed?')
    .when(sfn.Condition.stringEquals('$.copy.instance.DbInstanceStatus', 'available'), available)
    .otherwise(
      new sfn.Fail(scope, 'Restore Failed', {
        error: ERROR_NAMES.restoreFailed,
        cause:
          'The point-in-time restore ended in a terminal status instead of becoming available; the cleanup result names it',
      }),
    );
  const waitAvailable = new WaitUntil(scope, 'Copy Available', {
    subject: 'Copy',
    check: look,
    done: sfn.Condition.or(
      ...['available', ...TERMINAL_RESTORE_STATUSES].map((s) =>
        sfn.Condition.stringEquals('$.copy.instance.DbInstanceStatus', s),
      ),
    ),
    interval: Duration.seconds(plan.polling.rdsPollSeconds),
    maxAttempts: Math.max(1, Math.ceil((plan.polling.maxRestoreMinutes * 60) / plan.polling.rdsPollSeconds)),
    onDone: outcome,
    onTimeout: new sfn.Fail(scope, 'Copy Not Available in Time', {
      error: ERROR_NAMES.timedOut,
      cause: `The copy was not available within polling.maxRestoreMinutes (${plan.polling.maxRestoreMinutes}); it is left for the janitor unless retagged retained`,
    }),
  });

  return planTask
    .next(markTime(scope, 'Mark Restore Requested', 'restoreRequested'))
    .next(both)
    .next(waitAvailable);
}

/**
 * The recovery's cleanup: nothing after a success (the copy is `retained`) or a refused input (nothing was created,
 * and a target that already existed is not ours). Otherwise the Lambda decides, checking the copy's tags in code:
 * a failed restore of this run, still `ephemeral`, is deleted (IAM: our owner and `ephemeral` only); anything else
 * stays, with a result saying why and how to keep it. The emergency snapshot is never deleted here.
 */
export function pointInTimeRecoveryCleanup(scope: Construct, props: PointInTimeRecoveryProps): sfn.IChainable {
  const { plan } = props;
  const nothing = new sfn.Pass(scope, 'Nothing to Clean Up', { result: sfn.Result.fromObject({}) });
  const reportDecision = (name: string) =>
    new sfn.Pass(scope, name, { parameters: { 'cleanupResult.$': '$.cleanupTarget.decision.cleanupResult' } });
  const left = new sfn.Pass(scope, 'Failed Copy Left', {
    parameters: {
      cleanupResult: {
        check: 'pitr-copy-cleanup',
        'target.$': '$.cleanupTarget.decision.targetId',
        status: 'FAIL',
        observed: 'present',
        threshold: null,
        'detail.$': `States.Format('could not delete the failed restore {}: the janitor removes it after ${plan.janitor.minAgeHours} h, on its run at ${plan.schedules.janitor}', $.cleanupTarget.decision.targetId)`,
      },
    },
  });
  const decide = lambdaTask(
    scope,
    'Decide the Cleanup',
    props.recoveryFunction,
    recoveryEvent(props, 'cleanup'),
    { 'decision.$': '$.Payload' },
    '$.cleanupTarget',
  );
  decide.next(
    new sfn.Choice(scope, 'Delete the Copy?')
      .when(
        sfn.Condition.stringEquals('$.cleanupTarget.decision.action', 'delete'),
        deleteRdsResource(scope, {
          plan,
          kind: 'Instance',
          deleteName: 'Delete Failed Copy',
          idPath: '$.cleanupTarget.decision.targetId',
          lifecycles: ['ephemeral'],
          mode: 'untilDeleting',
          onDone: reportDecision('Failed Copy Deleted'),
          onNotFound: new sfn.Pass(scope, 'No Copy to Delete', { result: sfn.Result.fromObject({}) }),
          onFailed: left,
          onTimedOut: left,
        }),
      )
      .otherwise(reportDecision('Report the Copy')),
  );
  return new sfn.Choice(scope, 'Did the Run Fail?')
    .when(
      sfn.Condition.isPresent('$.failure.Error'),
      new sfn.Choice(scope, 'Was the Input Refused?')
        .when(sfn.Condition.stringEquals('$.failure.Error', ERROR_NAMES.invalidInput), nothing)
        .otherwise(decide),
    )
    .otherwise(nothing);
}
