import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { rdsArn } from '../lib/arns';
import type { DrPlan } from '../lib/plan';
import { tagKeys } from '../functions/shared/naming';
import { DELETE_THROTTLE_RETRY, JANITOR_CONCURRENCY } from '../functions/janitor/run-bound';
import { GuardedCallAwsService } from './guarded-call';
import { lambdaTaskTimeout } from './lambda-task';
import { LAMBDA_TRANSIENT_ERRORS, RDS_NOT_FOUND, RDS_THROTTLING_ERRORS } from './retry';
import { WaitUntil } from './wait-until';

/** Check name of each removal's result in the evidence. */
export const JANITOR_CHECK = 'janitor-removal';

export interface JanitorFunctions {
  /** Lists this stack's resources and decides what to remove (functions/janitor). */
  readonly planCleanup: lambda.Function;
}

const throttleRetry: sfn.RetryProps = {
  errors: RDS_THROTTLING_ERRORS,
  interval: Duration.seconds(DELETE_THROTTLE_RETRY.intervalSeconds),
  maxAttempts: DELETE_THROTTLE_RETRY.maxAttempts,
  backoffRate: DELETE_THROTTLE_RETRY.backoffRate,
  jitterStrategy: sfn.JitterType.FULL,
};

function outcome(
  scope: Construct,
  name: string,
  status: 'PASS' | 'FAIL',
  observed: string,
  detail: string,
  args: string[],
): sfn.Pass {
  return new sfn.Pass(scope, name, {
    parameters: {
      check: JANITOR_CHECK,
      'target.$': '$.id',
      status,
      observed,
      threshold: null,
      'detail.$': `States.Format('${detail}', ${args.join(', ')})`,
    },
  });
}

/**
 * The janitor: decide what of this stack's to remove (a Lambda: listing and the tag rules), then for each,
 * delete it and wait — bounded — until it is gone, recording one result per removal; a run starts no more removals
 * than end within its timeout (functions/janitor/run-bound.ts), and names the rest. Deletes are allowed by
 * IAM only on resources tagged with this stack as owner and an `ephemeral` or `rotating` lifecycle.
 */
export function janitorDefinition(scope: Construct, plan: DrPlan, fns: JanitorFunctions): sfn.IChainable {
  const stack = Stack.of(scope);
  const keys = tagKeys(plan);
  const sdkTimeout = sfn.Timeout.duration(Duration.seconds(plan.timeouts.sdkTaskSeconds));
  const maxAttempts = Math.max(1, Math.ceil((plan.polling.maxDeleteWaitMinutes * 60) / plan.polling.deletePollSeconds));
  const interval = Duration.seconds(plan.polling.deletePollSeconds);
  const owned = (tagType: 'db-tag' | 'snapshot-tag') => ({
    StringEquals: {
      [`rds:${tagType}/${keys.owner}`]: stack.stackName,
      [`rds:${tagType}/${keys.lifecycle}`]: ['ephemeral', 'rotating'],
    },
  });

  const planCleanup = new tasks.LambdaInvoke(scope, 'Find Leftovers', {
    lambdaFunction: fns.planCleanup,
    payload: sfn.TaskInput.fromObject({ ownerStack: stack.stackName }),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultSelector: { 'remove.$': '$.Payload.remove', 'kept.$': '$.Payload.kept', 'deferred.$': '$.Payload.deferred' },
    resultPath: '$.cleanup',
    taskTimeout: lambdaTaskTimeout(fns.planCleanup),
  });
  planCleanup.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(5),
    maxAttempts: 3,
    backoffRate: 2,
  });

  const removal = (kind: 'Instance' | 'Snapshot') => {
    const isInstance = kind === 'Instance';
    const removed = outcome(scope, `${kind} Removed`, 'PASS', 'deleted', `removed ${kind.toLowerCase()} {} ({})`, [
      '$.id',
      '$.reason',
    ]);
    const failed = outcome(
      scope,
      `${kind} Removal Failed`,
      'FAIL',
      'error',
      `could not remove ${kind.toLowerCase()} {}: {}`,
      ['$.id', '$.error.Error'],
    );
    const timedOut = outcome(
      scope,
      `${kind} Removal Timed Out`,
      'FAIL',
      'still present',
      `${kind.toLowerCase()} {} was still not gone after ${plan.polling.maxDeleteWaitMinutes} minutes`,
      ['$.id'],
    );
    const del = new GuardedCallAwsService(scope, `Delete ${kind}`, {
      service: 'rds',
      action: isInstance ? 'deleteDBInstance' : 'deleteDBSnapshot',
      parameters: isInstance
        ? { 'DbInstanceIdentifier.$': '$.id', SkipFinalSnapshot: true, DeleteAutomatedBackups: true }
        : { 'DbSnapshotIdentifier.$': '$.id' },
      iamResources: [rdsArn(scope, isInstance ? 'db' : 'snapshot', '*')],
      conditions: owned(isInstance ? 'db-tag' : 'snapshot-tag'),
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sdkTimeout,
    });
    del.addRetry(throttleRetry);
    del.addCatch(removed, {
      errors: [isInstance ? RDS_NOT_FOUND.instance : RDS_NOT_FOUND.snapshot],
      resultPath: sfn.JsonPath.DISCARD,
    });
    del.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });

    const describe = new tasks.CallAwsService(scope, `Look for ${kind}`, {
      service: 'rds',
      action: isInstance ? 'describeDBInstances' : 'describeDBSnapshots',
      parameters: isInstance ? { 'DbInstanceIdentifier.$': '$.id' } : { 'DbSnapshotIdentifier.$': '$.id' },
      iamResources: [rdsArn(scope, isInstance ? 'db' : 'snapshot', '*')],
      resultSelector: isInstance
        ? { 'status.$': '$.DbInstances[0].DbInstanceStatus' }
        : { 'status.$': '$.DbSnapshots[0].Status' },
      resultPath: '$.check',
      taskTimeout: sdkTimeout,
    });
    describe.addRetry(throttleRetry);
    const waitGone = new WaitUntil(scope, `${kind} Gone`, {
      subject: `${kind} Deletion`,
      check: describe,
      doneErrors: [isInstance ? RDS_NOT_FOUND.instance : RDS_NOT_FOUND.snapshot],
      interval,
      maxAttempts,
      onDone: removed,
      onTimeout: timedOut,
    });
    describe.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
    return del.next(waitGone);
  };

  const perItem = new sfn.Choice(scope, 'Instance or Snapshot?')
    .when(sfn.Condition.stringEquals('$.kind', 'instance'), removal('Instance'))
    .otherwise(removal('Snapshot'));

  const removeEach = new sfn.Map(scope, 'Remove Each Leftover', {
    itemsPath: '$.cleanup.remove',
    maxConcurrency: JANITOR_CONCURRENCY,
    resultPath: '$.results',
  }).itemProcessor(perItem);

  // Find Leftovers starts at most removalsPerRun(plan) removals, so the run ends inside its timeout; what waits
  // for the next run is one WARN result beside the removals'.
  const nameWhatWaits = new sfn.Pass(scope, 'Name What Waits', {
    parameters: { 'results.$': 'States.Array($.results, $.cleanup.deferred)', 'cleanup.$': '$.cleanup' },
  });

  return planCleanup.next(removeEach).next(nameWhatWaits);
}
