/**
 * The hourly replication check's targets and the checks each kind of target runs. Side-effect-free (no SDK
 * client is loaded), so lib/ and statemachines/ import it at synth time.
 */
import type { DrPlan } from '../../lib/plan';

/** One target of the replication check: a replicated bucket, or a database with a replica. */
export type ReplicationTarget = { kind: 'bucket'; bucket: string } | { kind: 'database'; id: string };

/**
 * The checks each kind of target runs: a target whose batch crashes counts as failed on each of them.
 * - `s3-replication-rule`: an enabled rule to the DR bucket covers the bucket (or `replicationPrefix`), with
 *   Replication Time Control (15 minutes) and replication metrics on.
 * - `s3-replication-versioning`: source and DR bucket are versioned (replication needs both).
 * - `s3-replication-latency`, `s3-replication-pending`, `s3-replication-failed`: the rule's RTC metrics, last hour.
 * - `s3-replication-sample`: each of `sampleKeys` is replicated, with equal size and checksum.
 * - `rds-replica-status`: `replica` and `drReplica` exist, are available and replicate from the source.
 * - `rds-replica-lag`: their `ReplicaLag` against the RPO of the failure they stand in for.
 */
export const REPLICATION_CHECKS_BY_KIND = {
  bucket: [
    's3-replication-rule',
    's3-replication-versioning',
    's3-replication-latency',
    's3-replication-pending',
    's3-replication-failed',
    's3-replication-sample',
  ],
  database: ['rds-replica-status', 'rds-replica-lag'],
} as const satisfies Record<ReplicationTarget['kind'], readonly string[]>;

/** Every check the replication check runs: one alarm each. */
export const REPLICATION_CHECKS = [
  ...REPLICATION_CHECKS_BY_KIND.bucket,
  ...REPLICATION_CHECKS_BY_KIND.database,
] as const;

/** Every target the plan gives: each bucket with a `drBucket`, each database with a `replica` or `drReplica`. */
export function replicationTargets(plan: DrPlan): ReplicationTarget[] {
  const targets: ReplicationTarget[] = plan.buckets
    .filter((b) => b.drBucket)
    .map((b) => ({ kind: 'bucket', bucket: b.name }));
  for (const db of plan.databases) if (db.replica || db.drReplica) targets.push({ kind: 'database', id: db.id });
  return targets;
}
