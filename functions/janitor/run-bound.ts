/**
 * How many removals one janitor run may start so that it always ends inside its own timeout, in its own report.
 * A removal's worst case is its delete call with every throttling retry, then the wait loop's every look; removals
 * run `JANITOR_CONCURRENCY` at a time, so a run holds `waves × JANITOR_CONCURRENCY` removals, where `waves` is what
 * fits the workflow's timeout once finding the leftovers and reporting are set aside. What is left waits for the
 * next run and is named in this run's report. Imports no CDK: the workflow, the Lambda and the plan check share it.
 */

/** Removals at once (the janitor's Map). */
export const JANITOR_CONCURRENCY = 5;

/** The delete call's throttling retries (statemachines/janitor.ts): attempts and back-off intervals. */
export const DELETE_THROTTLE_RETRY = { intervalSeconds: 5, maxAttempts: 4, backoffRate: 2 } as const;

/**
 * Seconds allowed per look of the wait loop besides its interval: an RDS Describe answers in well under a second;
 * a slower answer is still held by the workflow's timeout, and such a run is reported by the status-change reporter.
 */
const LOOK_SECONDS = 1;

/** The report step's task timeout and retries (statemachines/report.ts and lib/dr-workflow.ts). */
const REPORT_SECONDS = 3 * 90 + 2 + 4;

/** The plan fields the bound depends on. */
export interface JanitorBoundPlan {
  readonly polling: { readonly deletePollSeconds: number; readonly maxDeleteWaitMinutes: number };
  readonly timeouts: {
    readonly lambdaTaskSeconds: number;
    readonly sdkTaskSeconds: number;
    readonly workflowMinutes: { readonly janitor: number };
  };
}

/** Worst-case seconds of one removal: the delete with all its retries, then every look of the wait loop. */
export function removalWorstSeconds(plan: JanitorBoundPlan): number {
  const { intervalSeconds, maxAttempts, backoffRate } = DELETE_THROTTLE_RETRY;
  const backoff = Array.from({ length: maxAttempts }, (_, n) => intervalSeconds * backoffRate ** n).reduce(
    (a, b) => a + b,
    0,
  );
  const deleteSeconds = (maxAttempts + 1) * plan.timeouts.sdkTaskSeconds + backoff;
  const looks = Math.max(1, Math.ceil((plan.polling.maxDeleteWaitMinutes * 60) / plan.polling.deletePollSeconds));
  return deleteSeconds + looks * (plan.polling.deletePollSeconds + LOOK_SECONDS);
}

/** Seconds of a run that are not removals: finding the leftovers (with its retries) and the report. */
export function janitorOverheadSeconds(plan: JanitorBoundPlan): number {
  return 3 * (plan.timeouts.lambdaTaskSeconds + 30) + 5 + 10 + REPORT_SECONDS;
}

/** Most removals one run starts (0 when the timeout leaves room for none: the plan refuses that). */
export function removalsPerRun(plan: JanitorBoundPlan): number {
  const budget = plan.timeouts.workflowMinutes.janitor * 60 - janitorOverheadSeconds(plan);
  return Math.max(0, Math.floor(budget / removalWorstSeconds(plan))) * JANITOR_CONCURRENCY;
}

/** Minutes of janitor timeout that leave room for one wave of removals. */
export function minimumJanitorMinutes(plan: JanitorBoundPlan): number {
  return Math.ceil((janitorOverheadSeconds(plan) + removalWorstSeconds(plan)) / 60);
}
