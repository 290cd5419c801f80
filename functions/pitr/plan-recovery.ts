/**
 * The point-in-time recovery's planning and restore steps. Planning checks the input (before any AWS call), then
 * the source and its restore window — `DescribeDBInstanceAutomatedBackups` `RestoreWindow`, since a DBInstance
 * has `LatestRestorableTime` but no earliest time — and that the copy's name is free; it reads every setting of
 * the source and builds the restore call with each one explicit: a point-in-time restore otherwise gets the
 * default security group, subnet group and parameter group, and becomes public in a VPC with an internet gateway.
 * `--latest` is resolved here to the window's `LatestTime`, passed as `RestoreTime`, so validation has an exact
 * reference. The restore step makes that call (JavaScript names: an SDK integration would need the Java SDK's,
 * such as `CaCertificateIdentifier`).
 */
import {
  type DBInstance,
  DescribeDBInstancesCommand,
  type RDSClient,
  RestoreDBInstanceToPointInTimeCommand,
  type RestoreDBInstanceToPointInTimeCommandInput,
  type Tag,
} from '@aws-sdk/client-rds';
import type { DrPlan } from '../../lib/plan';
import { listAutomatedBackups } from '../backup-verification/check-snapshot-age';
import {
  AccessDeniedError,
  awsErrorName,
  InvalidInputError,
  InvalidTargetTimeError,
  NotFoundError,
  NotOwnedError,
  translateAwsError,
} from '../shared/errors';
import { resourceName, tagKeys } from '../shared/naming';
import { checkPitrInput, type PitrRequest } from './pitr-input';
import { validatorIndex } from './networks';

/** Most tags an RDS resource holds. */
export const MAX_RDS_TAGS = 50;

/** What every step of the recovery's Lambda gets from the workflow. */
export interface RecoveryEvent {
  /** `$$.Execution.Input`. */
  readonly input: unknown;
  /** `$$.Execution.Name` and `StartTime`: the copy's default name, its execution tag and the input's "now". */
  readonly execution: { readonly Name: string; readonly StartTime: string };
  /** This stack: the owner tag. */
  readonly ownerStack: string;
}

/** The source's settings a swap must carry over by hand (a restore does not copy them), as the source has them. */
export interface AfterSwapSettings {
  readonly performanceInsightsEnabled: boolean;
  readonly monitoringInterval: number;
  readonly preferredMaintenanceWindow: string | null;
  readonly deletionProtection: boolean;
  readonly rdsManagedMasterPassword: boolean;
  readonly readReplicas: string[];
  readonly backupReplications: string[];
}

/** The planned recovery: the restore call, the emergency snapshot, and what validation and the report need. */
export interface RecoveryPlan {
  readonly source: string;
  readonly sourceArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  /** The instant restored to (ISO): the requested one, or the window's latest with `useLatest`. */
  readonly restoreTime: string;
  readonly useLatest: boolean;
  readonly reason: string;
  readonly trigger: PitrRequest['trigger'];
  readonly window: { readonly earliest: string; readonly latest: string };
  /** The restore call, JavaScript SDK names (RestoreTime as ISO text). */
  readonly restore: Omit<RestoreDBInstanceToPointInTimeCommandInput, 'RestoreTime'> & { RestoreTime: string };
  /** Source tags not copied because the 50-tag limit was reached (ours win). */
  readonly droppedTags: string[];
  readonly snapshotId: string;
  readonly snapshotTags: Tag[];
  readonly afterSwap: AfterSwapSettings;
  readonly databaseName: string;
  readonly user: string;
  readonly validatorIndex: number;
}

export interface RecoveryDeps {
  readonly rds: Pick<RDSClient, 'send'>;
  /** The region the function runs in (the primary), for messages. */
  readonly region: string;
}

/** The request, checked against the run's start (so every step of the run sees the same "now"). */
export function recoveryRequest(event: Pick<RecoveryEvent, 'input' | 'execution'>, plan: DrPlan): PitrRequest {
  return checkPitrInput(event.input, plan, new Date(event.execution.StartTime));
}

/** The emergency snapshot's name: `<prefix>-emergency-<source>-<yyyymmddhhmm>` of the run's start. */
export function emergencySnapshotId(plan: DrPlan, request: PitrRequest, startTime: string): string {
  return resourceName(plan.system.namePrefix, 'emergency', request.source, new Date(startTime));
}

async function describe(deps: RecoveryDeps, id: string): Promise<DBInstance | undefined> {
  try {
    const out = await deps.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    return out.DBInstances?.[0];
  } catch (error) {
    if (awsErrorName(error) === 'DBInstanceNotFoundFault') return undefined;
    translateAwsError(error, 'rds:DescribeDBInstances', id);
  }
}

/** The source's restore window in the function's region (its active automated backups). */
export async function restoreWindow(deps: RecoveryDeps, source: DBInstance): Promise<{ earliest: Date; latest: Date }> {
  const id = source.DBInstanceIdentifier as string;
  const listing = await listAutomatedBackups(deps.rds, source.DbiResourceId ?? '', deps.region);
  if ('denied' in listing)
    throw new AccessDeniedError(`${listing.denied} on ${id} was denied: the recovery's role needs it`);
  const items = 'items' in listing ? listing.items : [];
  const active = items.find(
    (b) => b.Status === 'active' && b.DBInstanceIdentifier === id && b.RestoreWindow?.EarliestTime,
  );
  const window = active?.RestoreWindow;
  if (!window?.EarliestTime || !window.LatestTime)
    throw new NotFoundError(
      `${id} has no active automated backups in ${deps.region}: point-in-time recovery needs a backup retention period above 0`,
    );
  return { earliest: new Date(window.EarliestTime), latest: new Date(window.LatestTime) };
}

function outsideWindow(source: string, at: string, window: { earliest: Date; latest: Date }): InvalidTargetTimeError {
  const w = `${window.earliest.toISOString()} – ${window.latest.toISOString()}`;
  return new InvalidTargetTimeError(
    new Date(at) < window.earliest
      ? `targetTime ${at} is before the earliest restorable time ${window.earliest.toISOString()} of ${source} (window ${w}): restore a snapshot instead`
      : `targetTime ${at} is after the latest restorable time ${window.latest.toISOString()} of ${source} (window ${w}; RDS uploads transaction logs every 5 minutes): wait or use the latest restorable time`,
  );
}

/** The source's tags a copy may carry (no `aws:`/`rds:` keys, none of ours), and ours; at most 50, ours first. */
function copyTags(source: DBInstance, ours: Tag[]): { tags: Tag[]; dropped: string[] } {
  const ourKeys = new Set(ours.map((t) => t.Key));
  const theirs = (source.TagList ?? []).filter(
    (t) => t.Key && !/^(aws|rds):/i.test(t.Key) && !ourKeys.has(t.Key),
  ) as Tag[];
  const room = MAX_RDS_TAGS - ours.length;
  return {
    tags: [...theirs.slice(0, room), ...ours],
    dropped: theirs.slice(room).map((t) => t.Key as string),
  };
}

/** Below this many GiB, RDS for PostgreSQL's gp3 storage has fixed baseline IOPS and throughput. */
export const GP3_BASELINE_BELOW_GIB = 400;

/**
 * The source's IOPS and throughput as the restore may pass them: provisioned IOPS for io1/io2; for gp3, IOPS and
 * throughput only from 400 GiB — below it DescribeDBInstances shows the baseline (3,000 and 125) but RDS refuses a
 * restore that names them ("You can't specify IOPS or storage throughput … less than 400"), and the copy gets that
 * same baseline from its size.
 */
function explicitStorage(s: DBInstance): { Iops?: number; StorageThroughput?: number } {
  const type = s.StorageType ?? '';
  const provisioned =
    ['io1', 'io2'].includes(type) || (type === 'gp3' && (s.AllocatedStorage ?? 0) >= GP3_BASELINE_BELOW_GIB);
  if (!provisioned) return {};
  return {
    ...(s.Iops === undefined ? {} : { Iops: s.Iops }),
    ...(type === 'gp3' && s.StorageThroughput !== undefined ? { StorageThroughput: s.StorageThroughput } : {}),
  };
}

/** Plans the recovery (see the module comment). */
export async function planRecovery(event: RecoveryEvent, plan: DrPlan, deps: RecoveryDeps): Promise<RecoveryPlan> {
  const request = recoveryRequest(event, plan);
  const db = plan.databases.find((d) => d.id === request.source) as DrPlan['databases'][number];
  const source = await describe(deps, request.source);
  if (!source)
    throw new NotFoundError(`${request.source} does not exist in ${deps.region}: check databases[].id in the plan`);
  const window = await restoreWindow(deps, source);
  const restoreTime = request.useLatest ? window.latest.toISOString() : (request.targetTime as string);
  if (!request.useLatest) {
    const at = new Date(restoreTime);
    if (at < window.earliest || at > window.latest) throw outsideWindow(request.source, restoreTime, window);
  }
  if (await describe(deps, request.targetId))
    throw new InvalidInputError(
      `the target ${request.targetId} already exists: give another targetDbInstanceId (under ${plan.system.namePrefix}-pitr-)`,
    );

  const keys = tagKeys(plan);
  const ours = (lifecycle: 'ephemeral' | 'rotating'): Tag[] => [
    { Key: keys.owner, Value: event.ownerStack },
    { Key: keys.execution, Value: event.execution.Name },
    { Key: keys.lifecycle, Value: lifecycle },
  ];
  const { tags, dropped } = copyTags(source, ours('ephemeral'));
  const s = source;
  const storage = explicitStorage(s);
  const restore: RecoveryPlan['restore'] = {
    SourceDBInstanceIdentifier: request.source,
    TargetDBInstanceIdentifier: request.targetId,
    RestoreTime: restoreTime,
    DBInstanceClass: s.DBInstanceClass,
    StorageType: s.StorageType,
    AllocatedStorage: s.AllocatedStorage,
    ...storage,
    ...(s.MaxAllocatedStorage === undefined ? {} : { MaxAllocatedStorage: s.MaxAllocatedStorage }),
    Port: s.Endpoint?.Port ?? db.port,
    DBSubnetGroupName: s.DBSubnetGroup?.DBSubnetGroupName,
    VpcSecurityGroupIds: (s.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId as string),
    DBParameterGroupName: s.DBParameterGroups?.[0]?.DBParameterGroupName,
    OptionGroupName: s.OptionGroupMemberships?.[0]?.OptionGroupName,
    MultiAZ: s.MultiAZ ?? false,
    PubliclyAccessible: s.PubliclyAccessible ?? false,
    EnableIAMDatabaseAuthentication: s.IAMDatabaseAuthenticationEnabled ?? false,
    CACertificateIdentifier: s.CACertificateIdentifier,
    EnableCloudwatchLogsExports: [...(s.EnabledCloudwatchLogsExports ?? [])],
    CopyTagsToSnapshot: s.CopyTagsToSnapshot ?? false,
    AutoMinorVersionUpgrade: s.AutoMinorVersionUpgrade ?? false,
    NetworkType: s.NetworkType,
    BackupRetentionPeriod: s.BackupRetentionPeriod,
    PreferredBackupWindow: s.PreferredBackupWindow,
    DeletionProtection: false,
    Tags: tags,
  };
  // An omitted setting would be RDS's default, never the source's: refuse rather than restore a copy unlike it.
  const missing = Object.entries(restore)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length > 0)
    throw new NotFoundError(
      `${request.source} reports no ${missing.join(', ')}: cannot restore it with every setting explicit`,
    );
  if (!s.DBInstanceArn) throw new NotFoundError(`${request.source} reports no DBInstanceArn`);
  return {
    source: request.source,
    sourceArn: s.DBInstanceArn,
    targetId: request.targetId,
    // The copy's ARN: the source's, with the copy's name (same partition, region and account).
    targetArn: s.DBInstanceArn.replace(/:db:[^:]+$/, `:db:${request.targetId}`),
    restoreTime,
    useLatest: request.useLatest,
    reason: request.reason,
    trigger: request.trigger,
    window: { earliest: window.earliest.toISOString(), latest: window.latest.toISOString() },
    restore,
    droppedTags: dropped,
    snapshotId: emergencySnapshotId(plan, request, event.execution.StartTime),
    snapshotTags: ours('rotating'),
    afterSwap: {
      performanceInsightsEnabled: s.PerformanceInsightsEnabled ?? false,
      monitoringInterval: s.MonitoringInterval ?? 0,
      preferredMaintenanceWindow: s.PreferredMaintenanceWindow ?? null,
      deletionProtection: s.DeletionProtection ?? false,
      rdsManagedMasterPassword: s.MasterUserSecret !== undefined,
      readReplicas: [...(s.ReadReplicaDBInstanceIdentifiers ?? [])],
      backupReplications: (s.DBInstanceAutomatedBackupsReplications ?? []).map(
        (r) => r.DBInstanceAutomatedBackupsArn as string,
      ),
    },
    databaseName: db.databaseName,
    user: db.validatorUser,
    validatorIndex: validatorIndex(plan.databases, db.id),
  };
}

/**
 * Makes the planned restore call, after checking again in code what IAM also enforces: the copy is named under
 * `<prefix>-pitr-`, the source is the plan's, and the copy is tagged as ours. A restore RDS refuses for its time
 * (the window's start moves) is an `InvalidTargetTimeError` naming the window as it is now; a copy that already
 * exists with this run's execution tag is this step's own earlier attempt.
 */
export async function restoreCopy(
  event: RecoveryEvent & { plan: RecoveryPlan },
  plan: DrPlan,
  deps: RecoveryDeps,
): Promise<{ targetId: string; status: string }> {
  const request = recoveryRequest(event, plan);
  const r = event.plan?.restore;
  const keys = tagKeys(plan);
  const tag = (key: string) => r?.Tags?.find((t) => t.Key === key)?.Value;
  if (
    !r ||
    r.TargetDBInstanceIdentifier !== request.targetId ||
    r.SourceDBInstanceIdentifier !== request.source ||
    tag(keys.owner) !== event.ownerStack ||
    tag(keys.execution) !== event.execution.Name ||
    tag(keys.lifecycle) !== 'ephemeral'
  )
    throw new NotOwnedError(
      `the restore call does not match this run's input and tags (target ${request.targetId}, owner ${event.ownerStack}, lifecycle ephemeral): refusing it`,
    );
  try {
    const out = await deps.rds.send(
      new RestoreDBInstanceToPointInTimeCommand({ ...r, RestoreTime: new Date(r.RestoreTime) }),
    );
    return { targetId: request.targetId, status: out.DBInstance?.DBInstanceStatus ?? 'creating' };
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'InvalidRestoreFault') {
      const source = await describe(deps, request.source);
      if (!source) throw new NotFoundError(`${request.source} no longer exists in ${deps.region}`, { cause: error });
      const window = await restoreWindow(deps, source);
      const e = outsideWindow(request.source, r.RestoreTime, window);
      throw new InvalidTargetTimeError(`RDS refused the restore time: ${e.message}`, { cause: error });
    }
    if (name === 'DBInstanceAlreadyExistsFault') {
      const existing = await describe(deps, request.targetId);
      const mine = existing?.TagList?.some((t) => t.Key === keys.execution && t.Value === event.execution.Name);
      if (existing && mine) return { targetId: request.targetId, status: existing.DBInstanceStatus ?? 'creating' };
      throw new InvalidInputError(
        `the target ${request.targetId} already exists and is not this run's: give another targetDbInstanceId`,
        { cause: error },
      );
    }
    translateAwsError(error, 'rds:RestoreDBInstanceToPointInTime', request.targetId);
  }
}
