import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { DrPlan } from '../lib/plan';
import { deleteRdsResource } from './delete-instance';
import { LAMBDA_TRANSIENT_ERRORS } from './retry';
import { JANITOR_CONCURRENCY } from '../functions/janitor/run-bound';
import { lambdaTaskTimeout } from './lambda-task';

/** Check name of each removal's result in the evidence. */
export const JANITOR_CHECK = 'janitor-removal';

export interface JanitorFunctions {
  /** Lists this stack's resources and decides what to remove (functions/janitor). */
  readonly findLeftovers: lambda.Function;
}

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

  const findLeftovers = new tasks.LambdaInvoke(scope, 'Find Leftovers', {
    lambdaFunction: fns.findLeftovers,
    payload: sfn.TaskInput.fromObject({ ownerStack: stack.stackName }),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultSelector: { 'remove.$': '$.Payload.remove', 'kept.$': '$.Payload.kept', 'deferred.$': '$.Payload.deferred' },
    resultPath: '$.cleanup',
    taskTimeout: lambdaTaskTimeout(fns.findLeftovers),
  });
  findLeftovers.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(5),
    maxAttempts: 3,
    backoffRate: 2,
  });

  const removal = (kind: 'Instance' | 'Snapshot') => {
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
    return deleteRdsResource(scope, {
      plan,
      kind,
      deleteName: `Delete ${kind}`,
      idPath: '$.id',
      lifecycles: ['ephemeral', 'rotating'],
      mode: 'untilGone',
      onDone: removed,
      onFailed: failed,
      onTimedOut: timedOut,
    });
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

  return findLeftovers.next(removeEach).next(nameWhatWaits);
}
