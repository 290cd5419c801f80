/**
 * The weekly verification keeps its results out of the workflow state (a Step Functions payload holds at most
 * 256 KiB, and `States.DataLimitExceeded` escapes every Catch): each target's results are written to the
 * evidence bucket under the run's prefix, `runs/backup-verification/<execution>/results/<target>.json`, and the
 * Map carries only counts. The report step reads them back (functions/report/stored-results.ts).
 */
import type { DrPlan } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';
import { InvalidInputError } from '../shared/errors';
import { checkTarget, type CheckTargetDeps } from './check-target';
import { RESULTS_ROOT, type VerificationTarget } from './targets';

/** What the workflow's Map hands each iteration. */
export interface StoredCheckEvent {
  readonly target: VerificationTarget;
  /** `runs/backup-verification/<execution>/results/`, built by the workflow from its execution name. */
  readonly resultsPrefix: string;
}

/** What an iteration returns to the state: a count, never the results themselves. */
export interface StoredCheckOutput {
  readonly stored: number;
}

/** A file name for a target: its kind and name, the dump's key URI-encoded (no `/` in the name). */
export function targetFileName(target: VerificationTarget): string {
  switch (target.kind) {
    case 'database':
      return `database-${target.id}.json`;
    case 'backups':
      return `backups-${target.bucket}.json`;
    case 'dump':
      return `dump-${target.bucket}-${encodeURIComponent(target.key)}.json`;
  }
}

const PREFIX = /^runs\/backup-verification\/[A-Za-z0-9_-]{1,80}\/results\/$/;

/** Runs one target's checks, writes their results under the run's prefix, and returns how many there were. */
export async function verifyAndStore(
  event: StoredCheckEvent,
  plan: DrPlan,
  deps: CheckTargetDeps & { readonly putResults: (key: string, body: string) => Promise<void> },
  publish: (results: readonly CheckResult[]) => void = () => undefined,
): Promise<StoredCheckOutput> {
  if (typeof event?.resultsPrefix !== 'string' || !PREFIX.test(event.resultsPrefix)) {
    throw new InvalidInputError(
      `resultsPrefix must be ${RESULTS_ROOT}<execution name>/results/ (got ${JSON.stringify(event?.resultsPrefix)}): the workflow builds it`,
    );
  }
  const results = await checkTarget(event.target, plan, deps);
  publish(results);
  await deps.putResults(`${event.resultsPrefix}${targetFileName(event.target)}`, JSON.stringify(results));
  return { stored: results.length };
}
