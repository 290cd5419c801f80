/**
 * The daily posture check's targets and the checks each kind of target runs. Side-effect-free (no SDK client
 * is loaded), so lib/ and statemachines/ import it at synth time.
 */
import type { DrPlan } from '../../lib/plan';

/**
 * One target of the posture check: a database (with its in-region replica), a bucket, or the application's
 * compute and cache (one target: the plan names at most one ASG or ECS service).
 */
export type PostureTarget =
  | { kind: 'database'; id: string }
  | { kind: 'bucket'; bucket: string }
  | { kind: 'application' };

/**
 * The checks each kind of target runs: a target whose batch crashes counts as failed on each of them.
 * - database: backup retention, Multi-AZ, deletion protection, encryption (with the plan's key), IAM database
 *   authentication (source and in-region replica), automated backups replicated to the recovery region, and the
 *   age of the latest restorable time.
 * - bucket: versioning, lifecycle (by role), default encryption, public-access blocks.
 * - application: healthy capacity across zones (ASG or ECS service) and each cache group's failover settings.
 */
export const POSTURE_CHECKS_BY_KIND = {
  database: [
    'db-backup-retention',
    'db-multi-az',
    'db-deletion-protection',
    'db-encryption',
    'db-iam-auth',
    'db-backup-replication',
    'db-latest-restorable',
  ],
  bucket: ['bucket-versioning', 'bucket-lifecycle', 'bucket-encryption', 'bucket-public-access'],
  application: ['compute-capacity', 'cache-failover'],
} as const satisfies Record<PostureTarget['kind'], readonly string[]>;

/** Every check the posture check runs: one alarm each. */
export const POSTURE_CHECKS = [
  ...POSTURE_CHECKS_BY_KIND.database,
  ...POSTURE_CHECKS_BY_KIND.bucket,
  ...POSTURE_CHECKS_BY_KIND.application,
] as const;

/** Whether the plan names compute (an ASG or an ECS service) or cache replication groups. */
function namesApplication(plan: DrPlan): boolean {
  const app = plan.application;
  return Boolean(app.autoScalingGroupName || app.ecsService || app.cacheReplicationGroupIds.length);
}

/** Every target the plan gives: each database, each bucket, and the application when the plan names any of it. */
export function postureTargets(plan: DrPlan): PostureTarget[] {
  const targets: PostureTarget[] = plan.databases.map((db) => ({ kind: 'database', id: db.id }));
  for (const b of plan.buckets) targets.push({ kind: 'bucket', bucket: b.name });
  if (namesApplication(plan)) targets.push({ kind: 'application' });
  return targets;
}
