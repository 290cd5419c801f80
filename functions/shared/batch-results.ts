/**
 * One Lambda call of a batched fleet check (statemachines/check-fleet.ts): checks a batch of targets, writes the
 * results to the evidence bucket under the run's prefix (`runs/<workflow>/<execution>/results/batch-<n>.json`) and
 * returns the key and counts — never the results, which for a fleet would pass the 256 KiB state payload cap. The
 * report step reads them back (functions/report/stored-results.ts). Imports no SDK client.
 */
import type { CheckResult } from './check-result';
import { InvalidInputError } from './errors';

/** The workflows that check a fleet in batches, by id: their results live under `runs/<id>/`. */
export const BATCHED_CHECKS = {
  replication: 'replication-check',
  posture: 'posture-check',
  readiness: 'failover-readiness',
} as const;

/** Root of a batched check's per-run results in the evidence bucket (`<root><execution>/results/`). */
export function resultsRoot(workflow: string): string {
  return `runs/${workflow}/`;
}

/** What the fleet fragment's Map hands each iteration. */
export interface BatchCheckEvent<T> {
  /** Targets of one kind, listed at synth. */
  readonly batch: { readonly kind: string; readonly targets: readonly T[] };
  /** `runs/<workflow>/<execution>/results/`, built by the workflow from its execution name. */
  readonly resultsPrefix: string;
  /** The batch's index in the run (`$$.Map.Item.Index`): its file name. */
  readonly index: number;
}

/** What an iteration returns to the state: where the results are, and how many of each status. */
export interface BatchCheckOutput {
  readonly key: string;
  readonly stored: number;
  readonly failed: number;
  readonly warned: number;
}

/** What storing a batch needs. */
export interface BatchStoreDeps<T> {
  /** The workflow id (`BATCHED_CHECKS`): the prefix must be under its root. */
  readonly workflow: string;
  readonly check: (targets: readonly T[]) => Promise<CheckResult[]>;
  readonly putResults: (key: string, body: string) => Promise<void>;
  /** Publishes the batch's metrics (the handler's Powertools instance). */
  readonly publish?: (results: readonly CheckResult[]) => void;
}

/** Checks one batch, writes its results under the run's prefix, and returns the key and counts. */
export async function checkAndStoreBatch<T>(
  event: BatchCheckEvent<T>,
  deps: BatchStoreDeps<T>,
): Promise<BatchCheckOutput> {
  const root = resultsRoot(deps.workflow);
  const pattern = new RegExp(`^${root.replace(/[-/]/g, '\\$&')}[A-Za-z0-9_-]{1,80}/results/$`);
  if (typeof event?.resultsPrefix !== 'string' || !pattern.test(event.resultsPrefix)) {
    throw new InvalidInputError(
      `resultsPrefix must be ${root}<execution name>/results/ (got ${JSON.stringify(event?.resultsPrefix)}): the workflow builds it`,
    );
  }
  if (!Number.isInteger(event.index) || event.index < 0) {
    throw new InvalidInputError(`index must be the batch's Map index, 0 or more (got ${JSON.stringify(event.index)})`);
  }
  if (!Array.isArray(event.batch?.targets)) {
    throw new InvalidInputError('batch must be { kind, targets: [...] }: the workflow lists the batches at synth');
  }
  const results = await deps.check(event.batch.targets);
  deps.publish?.(results);
  const key = `${event.resultsPrefix}batch-${String(event.index).padStart(4, '0')}.json`;
  await deps.putResults(key, JSON.stringify(results));
  return {
    key,
    stored: results.length,
    failed: results.filter((r) => r.status === 'FAIL').length,
    warned: results.filter((r) => r.status === 'WARN').length,
  };
}
