/**
 * The point-in-time recovery's last steps: the report's results for a recovered copy (validation, the data-loss
 * window, the settings a swap must carry over, the plan's manual swap steps, the emergency snapshot), and the
 * cleanup's decision for a run that failed: delete the copy only while it is this run's, `ephemeral` and a failed
 * restore (it never became available); leave one still creating or available-but-unvalidated to the janitor, saying
 * how to keep it. The emergency snapshot is never deleted by the run.
 */
import {
  type DBInstance,
  type DBSnapshot,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import type { DrPlan } from '../../lib/plan';
import type { CheckResult, CheckStatus } from '../shared/check-result';
import { awsErrorName, translateAwsError } from '../shared/errors';
import { tagKeys } from '../shared/naming';
import {
  emergencySnapshotId,
  type RecoveryDeps,
  type RecoveryEvent,
  type RecoveryPlan,
  recoveryRequest,
} from './plan-recovery';

/** Statuses a restore ends in without ever becoming available (the same as the snapshot restore test's). */
export const TERMINAL_RESTORE_STATUSES = [
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'inaccessible-encryption-credentials',
  'storage-full',
] as const;

/** Check names of the recovery's own results. */
export const PITR_CHECKS = {
  point: 'pitr-point',
  copy: 'pitr-copy',
  dataLoss: 'pitr-data-loss-window',
  afterSwap: 'pitr-after-swap',
  swapSteps: 'pitr-swap-steps',
  snapshot: 'pitr-emergency-snapshot',
  tags: 'pitr-tags',
  cleanup: 'pitr-copy-cleanup',
} as const;

/** What the summary step gets: the plan, the validator's results, the snapshot's outcome and the copy's endpoint. */
export interface SummarizeEvent extends RecoveryEvent {
  readonly plan: RecoveryPlan;
  readonly validation: { readonly results: CheckResult[] };
  /** The emergency snapshot branch: the status CreateDBSnapshot returned, or the error it failed with. */
  readonly snapshot: { readonly status?: string; readonly error?: string; readonly cause?: string };
  readonly endpoint: { readonly address: string; readonly port: number };
}

/** The plan's manual swap (Scenario 4, "Next: validate data integrity and swap if healthy"), for this copy. */
export function swapSteps(p: Pick<RecoveryPlan, 'source' | 'targetId' | 'restoreTime'>, stamp: string): string[] {
  return [
    `stop writes to ${p.source} (application read-only mode, or stop the affected jobs)`,
    `export what was written to ${p.source} after ${p.restoreTime} and is still wanted (the data-loss window)`,
    `rename ${p.source} to ${p.source}-corrupted-${stamp} (aws rds modify-db-instance --db-instance-identifier ${p.source} --new-db-instance-identifier ${p.source}-corrupted-${stamp} --apply-immediately)`,
    `rename ${p.targetId} to ${p.source} (aws rds modify-db-instance --db-instance-identifier ${p.targetId} --new-db-instance-identifier ${p.source} --apply-immediately), or point the application at the copy's endpoint`,
    'apply the settings listed under pitr-after-swap',
    `validate the swapped database (entmoot-dr validate) and reprocess: affected optimizations, failed jobs, user notice`,
  ];
}

/** What a swap must carry over by hand, with the source's values. */
export function afterSwapList(p: Pick<RecoveryPlan, 'source' | 'afterSwap'>): string[] {
  const a = p.afterSwap;
  return [
    `Performance Insights ${a.performanceInsightsEnabled ? 'on' : 'off'}`,
    `Enhanced Monitoring interval ${a.monitoringInterval} s`,
    `maintenance window ${a.preferredMaintenanceWindow ?? 'none'}`,
    `deletion protection ${a.deletionProtection ? 'on (the copy was restored with it off)' : 'off'}`,
    `RDS-managed master password ${a.rdsManagedMasterPassword ? 'on (a restore cannot carry it: turn it on again)' : 'off'}`,
    `read replicas ${a.readReplicas.length ? a.readReplicas.join(', ') : 'none'} (replicas follow the old instance: recreate them)`,
    `backup replication to the recovery region ${a.backupReplications.length ? a.backupReplications.join(', ') : 'none'}`,
    `alarms and dashboards that name ${p.source} by its old identity`,
  ];
}

const result = (
  check: string,
  target: string,
  status: CheckResult['status'],
  detail: string,
  observed: CheckResult['observed'] = null,
): CheckResult => ({
  check,
  target,
  status,
  observed,
  threshold: null,
  detail,
});

/** The recovered copy's results for the report (see the module comment). */
export function summarizeRecovery(event: SummarizeEvent): { results: CheckResult[] } {
  const p = event.plan;
  const validation = event.validation?.results ?? [];
  const corrupted = validation.some((r) => r.status === 'FAIL');
  const stamp = event.execution.StartTime.replace(/[-:T]/g, '').slice(0, 12);
  const results: CheckResult[] = [
    ...validation,
    corrupted
      ? result(
          PITR_CHECKS.point,
          p.targetId,
          'FAIL',
          `${p.targetId} restored to ${p.restoreTime} fails validation: this point is corrupted as well: choose an earlier time (the copy is kept, lifecycle retained, for inspection)`,
          p.restoreTime,
        )
      : result(
          PITR_CHECKS.point,
          p.targetId,
          'PASS',
          `${p.targetId} restored to ${p.restoreTime} passed validation`,
          p.restoreTime,
        ),
    result(
      PITR_CHECKS.copy,
      p.targetId,
      'PASS',
      `${p.targetId} is at ${event.endpoint.address}:${event.endpoint.port}, lifecycle retained (the janitor never removes it): delete it yourself once it is no longer needed`,
      `${event.endpoint.address}:${event.endpoint.port}`,
    ),
    result(
      PITR_CHECKS.dataLoss,
      p.source,
      'PASS',
      `writes to ${p.source} after ${p.restoreTime} are in ${p.source} only, not in ${p.targetId}: export what must be kept before a swap`,
      p.restoreTime,
    ),
    result(
      PITR_CHECKS.afterSwap,
      p.source,
      'PASS',
      `after a swap, apply as ${p.source} has them: ${afterSwapList(p).join('; ')}`,
    ),
    result(
      PITR_CHECKS.swapSteps,
      p.source,
      'PASS',
      `the swap stays manual: ${swapSteps(p, stamp)
        .map((s, i) => `${i + 1}. ${s}`)
        .join(' ')}`,
    ),
    event.snapshot?.status
      ? result(
          PITR_CHECKS.snapshot,
          p.snapshotId,
          'PASS',
          `emergency snapshot ${p.snapshotId} of ${p.source} was ${event.snapshot.status} when the restore started (lifecycle rotating: the janitor keeps the newest per database)`,
          event.snapshot.status,
        )
      : result(
          PITR_CHECKS.snapshot,
          p.snapshotId,
          'WARN',
          `emergency snapshot ${p.snapshotId} of ${p.source} could not be taken (${event.snapshot?.error ?? 'unknown error'}): the recovery went on; take one by hand before any swap`,
          'refused',
        ),
    ...(p.droppedTags.length
      ? [
          result(
            PITR_CHECKS.tags,
            p.targetId,
            'WARN',
            `${p.droppedTags.length} of ${p.source}'s tags were not copied (RDS holds 50; ours come first): ${p.droppedTags.join(', ')}`,
            p.droppedTags.length,
          ),
        ]
      : []),
  ];
  return { results };
}

async function findInstance(deps: RecoveryDeps, id: string): Promise<DBInstance | undefined> {
  try {
    return (await deps.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
  } catch (error) {
    if (awsErrorName(error) === 'DBInstanceNotFoundFault') return undefined;
    translateAwsError(error, 'rds:DescribeDBInstances', id);
  }
}

async function findSnapshot(deps: RecoveryDeps, id: string): Promise<DBSnapshot | undefined> {
  try {
    return (await deps.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }))).DBSnapshots?.[0];
  } catch (error) {
    if (awsErrorName(error) === 'DBSnapshotNotFoundFault') return undefined;
    translateAwsError(error, 'rds:DescribeDBSnapshots', id);
  }
}

/** The cleanup's decision: `delete` the copy (the workflow deletes it, IAM-conditioned), or nothing, with a result. */
export interface CleanupDecision {
  readonly action: 'delete' | 'none';
  readonly targetId: string;
  readonly status?: string;
  /** The result the cleanup reports when it deletes nothing, or after the delete (`deletedResult`). */
  readonly cleanupResult: CheckResult;
}

/** Decides what the cleanup of a failed run does with its copy (see the module comment). */
export async function decideCleanup(event: RecoveryEvent, plan: DrPlan, deps: RecoveryDeps): Promise<CleanupDecision> {
  const request = recoveryRequest(event, plan);
  const id = request.targetId;
  const snapshotId = emergencySnapshotId(plan, request, event.execution.StartTime);
  const snapshot = await findSnapshot(deps, snapshotId);
  const snap = snapshot
    ? `emergency snapshot ${snapshotId} is ${snapshot.Status} (kept, lifecycle rotating)`
    : `no emergency snapshot ${snapshotId} was taken`;
  const inst = await findInstance(deps, id);
  const decision = (
    action: CleanupDecision['action'],
    status: string | undefined,
    verdict: CheckStatus,
    detail: string,
    observed: string,
  ): CleanupDecision => ({
    action,
    targetId: id,
    ...(status === undefined ? {} : { status }),
    cleanupResult: result(PITR_CHECKS.cleanup, id, verdict, `${detail}; ${snap}`, observed),
  });
  if (!inst) return decision('none', undefined, 'PASS', `no copy ${id} was created`, 'absent');
  const keys = tagKeys(plan);
  const tag = (k: string) => inst.TagList?.find((t) => t.Key === k)?.Value;
  const status = inst.DBInstanceStatus ?? 'unknown';
  if (tag(keys.owner) !== event.ownerStack || tag(keys.execution) !== event.execution.Name)
    return decision('none', status, 'WARN', `${id} exists but is not this run's copy: left untouched`, status);
  const lifecycle = tag(keys.lifecycle);
  if (lifecycle !== 'ephemeral')
    return decision('none', status, 'PASS', `${id} is kept (lifecycle ${lifecycle})`, status);
  if ((TERMINAL_RESTORE_STATUSES as readonly string[]).includes(status))
    return decision('delete', status, 'PASS', `deleting ${id}, a failed restore (${status})`, 'deleting');
  const arn = inst.DBInstanceArn ?? id;
  return decision(
    'none',
    status,
    'WARN',
    `left ${id} (${status}, lifecycle ephemeral): the janitor removes it after ${plan.janitor.minAgeHours} h, on its run at ${plan.schedules.janitor}, unless it is retagged retained: aws rds add-tags-to-resource --resource-name ${arn} --tags Key=${keys.lifecycle},Value=retained`,
    status,
  );
}
