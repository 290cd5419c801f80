import { Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { DELETE_THROTTLE_RETRY } from '../functions/janitor/run-bound';
import { tagKeys, type Lifecycle } from '../functions/shared/naming';
import { rdsArn } from '../lib/arns';
import type { DrPlan } from '../lib/plan';
import { GuardedCallAwsService } from './guarded-call';
import { RDS_NOT_FOUND, RDS_THROTTLING_ERRORS } from './retry';
import { WaitUntil } from './wait-until';

/** RDS's answer to deleting an instance that is not in a deletable state (e.g. still `creating`). */
export const RDS_INVALID_INSTANCE_STATE = 'Rds.InvalidDbInstanceStateException';

/** Retry of RDS throttling on every delete and describe call. */
export const RDS_THROTTLE_RETRY: sfn.RetryProps = {
  errors: RDS_THROTTLING_ERRORS,
  // The janitor's per-run bound counts on these numbers (functions/janitor/run-bound.ts).
  interval: Duration.seconds(DELETE_THROTTLE_RETRY.intervalSeconds),
  maxAttempts: DELETE_THROTTLE_RETRY.maxAttempts,
  backoffRate: DELETE_THROTTLE_RETRY.backoffRate,
  jitterStrategy: sfn.JitterType.FULL,
};

export interface DeleteRdsResourceProps {
  readonly plan: DrPlan;
  /** `Instance` or `Snapshot`: which API is called and what the IAM tag condition reads. */
  readonly kind: 'Instance' | 'Snapshot';
  /** Name of the delete task (the janitor: `Delete Instance`). */
  readonly deleteName: string;
  /** JSONPath of the identifier to delete. */
  readonly idPath: string;
  /** Lifecycle tag values the IAM condition allows deleting. */
  readonly lifecycles: readonly Lifecycle[];
  /**
   * `untilGone`: after the delete, wait (bounded by `polling.maxDeleteWaitMinutes`) until the describe call
   * reports it not found. `untilDeleting`: a delete RDS accepted is enough (the instance is `deleting`); an
   * instance not yet deletable (`Rds.InvalidDbInstanceStateException`, e.g. still `creating`) is waited for,
   * with the same bound, and deleted again.
   */
  readonly mode: 'untilGone' | 'untilDeleting';
  /** Where a deletion that finished (or found nothing to delete) goes. */
  readonly onDone: sfn.IChainable;
  /** Where not found goes (nothing was there to delete).
   * @default - onDone */
  readonly onNotFound?: sfn.IChainable;
  /** Where any other error goes, with it at `$.error`. */
  readonly onFailed: sfn.IChainable;
  /** Where the bound of the wait leads. */
  readonly onTimedOut: sfn.IChainable;
}

/**
 * Delete an RDS instance or snapshot of ours and wait, bounded, for what the caller needs: gone (the janitor) or
 * deletion started (a run's cleanup). IAM allows the delete only where the resource's tags show this stack as
 * owner and one of `lifecycles`; not found counts as done; throttling is retried.
 */
export function deleteRdsResource(scope: Construct, props: DeleteRdsResourceProps): sfn.IChainable {
  const { plan, kind } = props;
  const isInstance = kind === 'Instance';
  const keys = tagKeys(plan);
  const tagType = isInstance ? 'db-tag' : 'snapshot-tag';
  const sdkTimeout = sfn.Timeout.duration(Duration.seconds(plan.timeouts.sdkTaskSeconds));
  const maxAttempts = Math.max(1, Math.ceil((plan.polling.maxDeleteWaitMinutes * 60) / plan.polling.deletePollSeconds));
  const interval = Duration.seconds(plan.polling.deletePollSeconds);
  const resources = [rdsArn(scope, isInstance ? 'db' : 'snapshot', '*')];
  const notFound = isInstance ? RDS_NOT_FOUND.instance : RDS_NOT_FOUND.snapshot;
  const idParameter = isInstance ? 'DbInstanceIdentifier.$' : 'DbSnapshotIdentifier.$';
  const conditions = {
    StringEquals: {
      [`rds:${tagType}/${keys.owner}`]: Stack.of(scope).stackName,
      [`rds:${tagType}/${keys.lifecycle}`]: props.lifecycles.length === 1 ? props.lifecycles[0] : [...props.lifecycles],
    },
  };
  const deleteTask = (name: string, resultPath: string) => {
    const task = new GuardedCallAwsService(scope, name, {
      service: 'rds',
      action: isInstance ? 'deleteDBInstance' : 'deleteDBSnapshot',
      parameters: isInstance
        ? { [idParameter]: props.idPath, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }
        : { [idParameter]: props.idPath },
      iamResources: resources,
      conditions,
      resultSelector: isInstance ? { 'status.$': '$.DbInstance.DbInstanceStatus' } : undefined,
      resultPath,
      taskTimeout: sdkTimeout,
    });
    task.addRetry(RDS_THROTTLE_RETRY);
    task.addCatch(props.onNotFound ?? props.onDone, { errors: [notFound], resultPath: sfn.JsonPath.DISCARD });
    return task;
  };

  if (props.mode === 'untilGone') {
    const del = deleteTask(props.deleteName, sfn.JsonPath.DISCARD);
    del.addCatch(props.onFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    const describe = new tasks.CallAwsService(scope, `Look for ${kind}`, {
      service: 'rds',
      action: isInstance ? 'describeDBInstances' : 'describeDBSnapshots',
      parameters: { [idParameter]: props.idPath },
      iamResources: resources,
      resultSelector: isInstance
        ? { 'status.$': '$.DbInstances[0].DbInstanceStatus' }
        : { 'status.$': '$.DbSnapshots[0].Status' },
      resultPath: '$.check',
      taskTimeout: sdkTimeout,
    });
    describe.addRetry(RDS_THROTTLE_RETRY);
    const waitGone = new WaitUntil(scope, `${kind} Gone`, {
      subject: `${kind} Deletion`,
      check: describe,
      doneErrors: [notFound],
      interval,
      maxAttempts,
      onDone: props.onDone,
      onTimeout: props.onTimedOut,
    });
    describe.addCatch(props.onFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    return del.next(waitGone);
  }

  if (!isInstance) throw new Error('deleteRdsResource: mode untilDeleting is for instances');
  const first = deleteTask(props.deleteName, '$.deletion');
  const again = deleteTask(`${props.deleteName} Again`, '$.deletion');
  const waitDeletable = new WaitUntil(scope, `${props.deleteName} Deletable`, {
    subject: 'Deletable Instance',
    check: again,
    done: sfn.Condition.isPresent('$.deletion.status'),
    notYetErrors: [RDS_INVALID_INSTANCE_STATE],
    interval,
    maxAttempts,
    onDone: props.onDone,
    onTimeout: props.onTimedOut,
  });
  again.addCatch(props.onFailed, { errors: ['States.ALL'], resultPath: '$.error' });
  // Still creating: wait (bounded) and delete again.
  first.addCatch(waitDeletable, { errors: [RDS_INVALID_INSTANCE_STATE], resultPath: sfn.JsonPath.DISCARD });
  first.addCatch(props.onFailed, { errors: ['States.ALL'], resultPath: '$.error' });
  first.next(props.onDone);
  return first;
}
