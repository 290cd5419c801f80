import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ERROR_NAMES } from '../functions/shared/errors';
import type { DrPlan } from '../lib/plan';
import { deleteRdsResource, RDS_THROTTLE_RETRY } from './delete-instance';
import { markTime } from './marks';
import { lambdaTask } from './lambda-task';
import { WaitUntil } from './wait-until';

/** Check name of the restore test's own results (the validator's results keep their names). */
export const SNAPSHOT_RESTORE_CHECK = 'snapshot-restore';
/** Check name of the cleanup's result. */
export const COPY_CLEANUP_CHECK = 'restore-copy-cleanup';

/** Statuses a restore ends in without ever becoming available: the test fails at once, naming it. */
export const RESTORE_FAILED_STATUSES = [
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'inaccessible-encryption-credentials',
  'storage-full',
] as const;

export interface SnapshotRestoreTestDbProps {
  readonly plan: DrPlan;
  /** The restore test's Lambda (functions/snapshot-restore-test): plans the restore, names the copy. */
  readonly restoreTestFunction: lambda.Function;
  /** The database validator (functions/validator). */
  readonly validatorFunction: lambda.Function;
  /** The isolated network's DB subnet group name. */
  readonly subnetGroupName: string;
  /** The copies' security group (admits the validator only). */
  readonly securityGroupId: string;
  /** IAM resources of the restore call (copy, snapshots, subnet and parameter groups). */
  readonly restoreResources: string[];
  /** ARN pattern of the copies (`db:<prefix>-restore-*`). */
  readonly copyArnPattern: string;
}

function restoreEvent(props: SnapshotRestoreTestDbProps, action: 'plan' | 'name'): Record<string, unknown> {
  return {
    action,
    input: sfn.JsonPath.objectAt('$$.Execution.Input'),
    execution: { 'Name.$': '$$.Execution.Name', 'StartTime.$': '$$.Execution.StartTime' },
    ownerStack: Stack.of(props.restoreTestFunction).stackName,
    subnetGroupName: props.subnetGroupName,
    securityGroupId: props.securityGroupId,
  };
}

/**
 * One database's snapshot restore test: plan (input checked, snapshot chosen, every setting explicit), restore
 * into the isolated network, wait — bounded by the RTO — until available, validate as `dr_validator`, and
 * leave marks for the report's measurements. A restore ending in a failed status is a FAIL naming it.
 */
export function snapshotRestoreTestDbBody(scope: Construct, props: SnapshotRestoreTestDbProps): sfn.IChainable {
  const { plan } = props;
  const sdkTimeout = sfn.Timeout.duration(Duration.seconds(plan.timeouts.sdkTaskSeconds));
  const rtoSeconds = plan.recoveryTargets.restoreFromBackup.rtoMinutes * 60;

  const planRestore = lambdaTask(
    scope,
    'Plan the Restore',
    props.restoreTestFunction,
    restoreEvent(props, 'plan'),
    { 'plan.$': '$.Payload' },
    '$.restore',
  );

  const storage: Record<string, Record<string, unknown>> = {
    plain: {},
    iops: { 'Iops.$': '$.restore.plan.iops' },
    iopsAndThroughput: { 'Iops.$': '$.restore.plan.iops', 'StorageThroughput.$': '$.restore.plan.storageThroughput' },
  };
  const names: Record<string, string> = {
    plain: 'Restore Snapshot',
    iops: 'Restore Snapshot with Provisioned IOPS',
    iopsAndThroughput: 'Restore Snapshot with IOPS and Throughput',
  };
  const chooseStorage = new sfn.Choice(scope, 'Which Storage Settings?');
  const look = new tasks.CallAwsService(scope, 'Look at Copy', {
    service: 'rds',
    action: 'describeDBInstances',
    parameters: { 'DbInstanceIdentifier.$': '$.restore.plan.copyId' },
    iamResources: [props.copyArnPattern],
    resultSelector: { 'instance.$': '$.DbInstances[0]' },
    resultPath: '$.copy',
    taskTimeout: sdkTimeout,
  });
  look.addRetry(RDS_THROTTLE_RETRY);

  const restoreFailed = new sfn.Pass(scope, 'Restore Failed', {
    parameters: {
      check: SNAPSHOT_RESTORE_CHECK,
      'target.$': '$.restore.plan.target',
      status: 'FAIL',
      'observed.$': '$.copy.instance.DbInstanceStatus',
      threshold: 'available',
      'detail.$':
        "States.Format('the restore of {} from {} ended in status {}', $.restore.plan.copyId, $.restore.plan.snapshotId, $.copy.instance.DbInstanceStatus)",
    },
    resultPath: '$.restoreFailure',
  }).next(
    new sfn.Pass(scope, 'Collect the Failure', {
      parameters: {
        'results.$': 'States.Array($.restoreFailure)',
        'marks.$': '$.marks',
        'target.$': '$.restore.plan.target',
        'copyId.$': '$.restore.plan.copyId',
      },
    }),
  );
  const notInTime = new sfn.Fail(scope, 'Copy Not Available in Time', {
    error: ERROR_NAMES.timedOut,
    cause: `The restored copy was not available within the RTO of ${plan.recoveryTargets.restoreFromBackup.rtoMinutes} minutes`,
  });

  const validate = lambdaTask(
    scope,
    'Validate Copy',
    props.validatorFunction,
    {
      'target.$': '$.restore.plan.target',
      'host.$': '$.copy.instance.Endpoint.Address',
      'port.$': '$.copy.instance.Endpoint.Port',
      'database.$': '$.restore.plan.databaseName',
      'user.$': '$.restore.plan.user',
      'referenceTime.$': '$.restore.plan.snapshotCreateTime',
    },
    { 'results.$': '$.Payload.results' },
    '$.validation',
  );
  const available = markTime(scope, 'Mark Copy Available', 'available');
  available
    .next(validate)
    .next(markTime(scope, 'Mark Copy Validated', 'validated'))
    .next(
      new sfn.Pass(scope, 'Collect Results', {
        parameters: {
          'results.$': '$.validation.results',
          'marks.$': '$.marks',
          'target.$': '$.restore.plan.target',
          'copyId.$': '$.restore.plan.copyId',
        },
      }),
    );
  const outcome = new sfn.Choice(scope, 'Did the Restore Succeed?')
    .when(sfn.Condition.stringEquals('$.copy.instance.DbInstanceStatus', 'available'), available)
    .otherwise(restoreFailed);
  const waitAvailable = new WaitUntil(scope, 'Copy Available', {
    subject: 'Copy',
    check: look,
    done: sfn.Condition.or(
      ...['available', ...RESTORE_FAILED_STATUSES].map((s) =>
        sfn.Condition.stringEquals('$.copy.instance.DbInstanceStatus', s),
      ),
    ),
    interval: Duration.seconds(plan.polling.rdsPollSeconds),
    maxAttempts: Math.max(1, Math.ceil(rtoSeconds / plan.polling.rdsPollSeconds)),
    onDone: outcome,
    onTimeout: notInTime,
  });

  for (const kind of Object.keys(storage)) {
    const restore = new tasks.CallAwsService(scope, names[kind] as string, {
      service: 'rds',
      action: 'restoreDBInstanceFromDBSnapshot',
      parameters: {
        'DbInstanceIdentifier.$': '$.restore.plan.copyId',
        'DbSnapshotIdentifier.$': '$.restore.plan.snapshotId',
        'DbInstanceClass.$': '$.restore.plan.instanceClass',
        'DbSubnetGroupName.$': '$.restore.plan.subnetGroupName',
        'VpcSecurityGroupIds.$': 'States.Array($.restore.plan.securityGroupId)',
        PubliclyAccessible: false,
        MultiAZ: false,
        DeletionProtection: false,
        EnableIAMDatabaseAuthentication: true,
        BackupRetentionPeriod: 0,
        'StorageType.$': '$.restore.plan.storageType',
        ...storage[kind],
        'DbParameterGroupName.$': '$.restore.plan.parameterGroupName',
        'Port.$': '$.restore.plan.port',
        CopyTagsToSnapshot: false,
        AutoMinorVersionUpgrade: false,
        'Tags.$': '$.restore.plan.tags',
      },
      iamResources: props.restoreResources,
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sdkTimeout,
    });
    restore.addRetry(RDS_THROTTLE_RETRY);
    restore.next(waitAvailable);
    chooseStorage.when(sfn.Condition.stringEquals('$.restore.plan.storageKind', kind), restore);
  }
  chooseStorage.otherwise(new sfn.Fail(scope, 'Unknown Storage Settings', { error: ERROR_NAMES.invalidInput }));

  return planRestore.next(markTime(scope, 'Mark Restore Requested', 'restoreRequested')).next(chooseStorage);
}

/**
 * The cleanup of one database's restore test: unless the input was refused (nothing was created), name the copy
 * again (the run may have failed before saving its plan) and delete it — `deleting` suffices; an instance still
 * creating is waited for and deleted again; one never deletable is left to the janitor, a FAIL saying when.
 */
export function snapshotRestoreTestDbCleanup(scope: Construct, props: SnapshotRestoreTestDbProps): sfn.IChainable {
  const { plan } = props;
  const result = (name: string, status: 'PASS' | 'FAIL', observed: string, detail: string) =>
    new sfn.Pass(scope, name, {
      parameters: {
        cleanupResult: {
          check: COPY_CLEANUP_CHECK,
          'target.$': '$.cleanupTarget.copyId',
          status,
          observed,
          threshold: null,
          'detail.$': `States.Format('${detail}', $.cleanupTarget.copyId)`,
        },
      },
    });
  const nothing = new sfn.Pass(scope, 'Nothing to Clean Up', { result: sfn.Result.fromObject({}) });
  const left = result(
    'Copy Left',
    'FAIL',
    'present',
    `left {}: the janitor removes it after ${plan.janitor.minAgeHours} h, on its run at ${plan.schedules.janitor}`,
  );
  const nameCopy = lambdaTask(
    scope,
    'Name the Copy',
    props.restoreTestFunction,
    restoreEvent(props, 'name'),
    { 'copyId.$': '$.Payload.copyId' },
    '$.cleanupTarget',
  );
  // A body that ended gives the copy's name; after a failure the state is the run's input, so the Lambda names it.
  const named = new sfn.Pass(scope, 'Copy Named by the Run', {
    parameters: { 'copyId.$': '$.copyId' },
    resultPath: '$.cleanupTarget',
  });
  const deleteCopy = deleteRdsResource(scope, {
    plan,
    kind: 'Instance',
    deleteName: 'Delete Copy',
    idPath: '$.cleanupTarget.copyId',
    lifecycles: ['ephemeral'],
    mode: 'untilDeleting',
    onDone: result('Copy Deleted', 'PASS', 'deleting', 'deleting {}'),
    onNotFound: new sfn.Pass(scope, 'No Copy to Delete', { result: sfn.Result.fromObject({}) }),
    onFailed: left,
    onTimedOut: left,
  });
  nameCopy.next(deleteCopy);
  named.next(deleteCopy);
  return new sfn.Choice(scope, 'Did the Run Fail?')
    .when(
      sfn.Condition.isPresent('$.failure.Error'),
      new sfn.Choice(scope, 'Was the Input Refused?')
        .when(sfn.Condition.stringEquals('$.failure.Error', ERROR_NAMES.invalidInput), nothing)
        .otherwise(nameCopy),
    )
    .otherwise(named);
}
