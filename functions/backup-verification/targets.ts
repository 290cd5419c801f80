/**
 * The weekly verification's targets and the checks each kind of target runs. Side-effect-free (no SDK client is
 * loaded), so lib/ and statemachines/ import it at synth time.
 */
import type { DrPlan } from '../../lib/plan';

/** One target of the weekly verification. */
export type VerificationTarget =
  | { readonly kind: 'database'; readonly id: string }
  | { readonly kind: 'backups'; readonly bucket: string }
  | { readonly kind: 'dump'; readonly bucket: string; readonly key: string };

/** The checks each kind of target runs: a target whose checks crash counts as failed on each of them. */
export const CHECKS_BY_KIND = {
  database: ['snapshot-age', 'recovery-point-age', 'replicated-backup-lag'],
  backups: ['backup-age', 'backup-count', 'dump-size'],
  dump: ['dump-format', 'dump-tables', 'dump-completeness', 'dump-created'],
} as const satisfies Record<VerificationTarget['kind'], readonly string[]>;

/** Every check the weekly verification runs: one alarm each. */
export const BACKUP_CHECKS = [...CHECKS_BY_KIND.database, ...CHECKS_BY_KIND.backups, ...CHECKS_BY_KIND.dump] as const;

/** Every target the plan gives: each database, each backups bucket, and each database's latest dump. */
export function verificationTargets(plan: DrPlan): VerificationTarget[] {
  const targets: VerificationTarget[] = plan.databases.map((db) => ({ kind: 'database', id: db.id }));
  for (const bucket of plan.buckets.filter((b) => b.role === 'backups'))
    targets.push({ kind: 'backups', bucket: bucket.name });
  const { prefix, latestDumpKey } = plan.backups.keyLayout;
  const dumpBuckets = new Set(plan.databases.map((db) => db.backupBucket).filter((b): b is string => Boolean(b)));
  for (const bucket of dumpBuckets) targets.push({ kind: 'dump', bucket, key: `${prefix}${latestDumpKey}` });
  return targets;
}

/** Root of the weekly verification's per-run results in the evidence bucket (`<root><execution>/results/`). */
export const RESULTS_ROOT = 'runs/backup-verification/';
