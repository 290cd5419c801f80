/** Outcome of one check on one target, as every check returns it. */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

/** One check's verdict on one target (a database, a bucket, a dump). */
export interface CheckResult {
  /** The check, e.g. `snapshot-age`. */
  readonly check: string;
  /** What was checked, e.g. `entmoot-prod` or `s3://entmoot-prod-backups/latest.sql`. */
  readonly target: string;
  readonly status: CheckStatus;
  /** What was measured (number for metrics, string otherwise); null when nothing could be measured. */
  readonly observed: number | string | null;
  /** The plan's threshold the observation is held against; null when there is none. */
  readonly threshold: number | string | null;
  /** One sentence for a person: what was seen and, on WARN or FAIL, what to do. */
  readonly detail: string;
}

/** Each status's severity, worst highest: the order reports sort by and the value the status metric publishes. */
export const STATUS_RANK: Readonly<Record<CheckStatus, number>> = { PASS: 0, WARN: 1, FAIL: 2 };

/** The worst status among results (PASS for none). */
export function worstStatus(results: readonly Pick<CheckResult, 'status'>[]): CheckStatus {
  return results.reduce<CheckStatus>(
    (worst, r) => (STATUS_RANK[r.status] > STATUS_RANK[worst] ? r.status : worst),
    'PASS',
  );
}

/** Results ordered failures first, then warnings, then passes; stable within a status. */
export function failuresFirst<T extends Pick<CheckResult, 'status'>>(results: readonly T[]): T[] {
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => STATUS_RANK[b.r.status] - STATUS_RANK[a.r.status] || a.i - b.i)
    .map(({ r }) => r);
}

/**
 * PASS at or below `warnAt`, WARN up to `failAbove`, FAIL beyond: the shape of every "not older than" check.
 */
export function statusForUpperBound(observed: number, warnAt: number, failAbove: number): CheckStatus {
  if (observed > failAbove) return 'FAIL';
  if (observed > warnAt) return 'WARN';
  return 'PASS';
}
