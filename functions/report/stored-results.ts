/**
 * Results a fan-out kept in the evidence bucket instead of the workflow state (DESIGN §9: the state carries keys
 * and counts): the report step reads them back and hands the full `CheckResult[]` to the evidence record and the
 * notification, as if the state had carried them.
 */
import type { CheckResult } from '../shared/check-result';
import { InvalidInputError } from '../shared/errors';

/**
 * An item whose checks could not run: the Map's Catch records the target (or a batch's targets) and the error's
 * name.
 */
export interface CrashedTarget {
  readonly target?: unknown;
  /** A batch's targets (statemachines/check-fleet.ts with batches): one FAIL each. */
  readonly targets?: readonly unknown[];
  readonly error: string;
}

/** One Map iteration as the state carries it: how many results it stored, or the crash its Catch recorded. */
export interface StoredIteration {
  readonly stored?: number;
  readonly crashed?: CrashedTarget;
}

/** What the state carries about results stored under a prefix of the evidence bucket. */
export interface StoredResults {
  /** `runs/<workflow>/<execution>/results/`: one JSON array of `CheckResult`s per target. */
  readonly prefix: string;
  /** The Map's iterations, one per target: counts and crash markers only. */
  readonly iterations: readonly StoredIteration[];
}

/** What reading them needs (the report's dependencies). */
export interface StoredResultsDeps {
  /** Keys under a prefix, every page. */
  readonly listKeys: (prefix: string) => Promise<string[]>;
  readonly getObject: (key: string) => Promise<string | undefined>;
  readonly bucket: string;
}

/** Objects read at once. */
const READ_CONCURRENCY = 16;

/** The kind of a target object (`{ kind: 'database', … }`), for the name of the crashed check. */
function kindOf(target: unknown): string {
  const kind = (target as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : 'target';
}

/**
 * Every result stored under the prefix, a FAIL for each crashed target (as `<kind>-checks`), and a FAIL naming
 * how many targets left nothing at all — so a lost result can never turn into a pass.
 */
export async function loadStoredResults(stored: StoredResults, deps: StoredResultsDeps): Promise<CheckResult[]> {
  if (typeof stored?.prefix !== 'string' || !/^runs\/.+\/results\/$/.test(stored.prefix)) {
    throw new InvalidInputError(
      `storedResults.prefix must be runs/<workflow>/<execution>/results/ (got ${JSON.stringify(stored?.prefix)}): the workflow builds it`,
    );
  }
  const keys = (await deps.listKeys(stored.prefix)).filter((k) => k.endsWith('.json')).sort();
  const lists: CheckResult[][] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      const key = keys[i] as string; // i < keys.length
      const text = await deps.getObject(key);
      lists[i] = text ? (JSON.parse(text) as CheckResult[]) : [];
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, keys.length) }, worker));

  const iterations = Array.isArray(stored.iterations) ? stored.iterations : [];
  const crashes = iterations.flatMap((i) => (i?.crashed ? [i.crashed] : []));
  const crashed = crashes.flatMap((c) =>
    (Array.isArray(c.targets) ? c.targets : [c.target]).map(
      (target: unknown): CheckResult => ({
        check: `${kindOf(target)}-checks`,
        target: JSON.stringify(target),
        status: 'FAIL',
        observed: null,
        threshold: null,
        detail: `the checks could not run: ${c.error}`,
      }),
    ),
  );
  const targets = iterations.length;
  const missing = targets - keys.length - crashes.length;
  const lost: CheckResult[] =
    missing > 0
      ? [
          {
            check: 'stored-results',
            target: `s3://${deps.bucket}/${stored.prefix}`,
            status: 'FAIL',
            observed: keys.length + crashes.length,
            threshold: targets,
            detail: `${missing} of ${targets} targets left no results under s3://${deps.bucket}/${stored.prefix}: see the run's execution history`,
          },
        ]
      : [];
  return [...crashed, ...lost, ...lists.flat()];
}
