/**
 * The daily reconciliation of ended runs (run by the freshness monitor). EventBridge delivers Step Functions'
 * "Execution Status Change" events on a best-effort basis, so the status-change reporter may never hear of a run
 * that failed, timed out or was aborted. Once a day, each registered workflow's executions that ended FAILED,
 * TIMED_OUT or ABORTED in the look-back window are listed (`ListExecutions` with `statusFilter`, newest first) and
 * each is handed to the same `reportUnreportedRun` the status-change reporter runs, with the detail
 * `DescribeExecution` gives: the same evidence key and notification marker, so whichever comes first reports and
 * the other does nothing.
 */
import type { DrPlan } from '../../lib/plan';
import { InvalidInputError } from '../shared/errors';
import { NOTIFY_POLICIES, type WorkflowDescriptor } from '../report/evidence';
import type { ReportDeps } from '../report/report-run';
import { reportUnreportedRun, type StatusChangeDetail, type UnreportedRunResult } from './report-unreported-run';
import { HOUR_MS } from '../shared/time';

/** The statuses of runs that can end without their report step. */
export const ENDED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** How far back the reconciliation looks: two days, so a daily run that is late or failed once misses nothing. */
export const RECONCILE_LOOKBACK_HOURS = 48;

/** A workflow registered with the status-change reporter (lib/reporting.ts). */
export interface ReportedWorkflow {
  readonly stateMachineArn: string;
  readonly descriptor: WorkflowDescriptor;
}

/** One execution as `ListExecutions` lists it (JavaScript SDK names). */
export interface ListedExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
}

/** What the reconciliation needs besides the report's own dependencies. */
export interface ReconcileDeps extends ReportDeps {
  /** Executions of a state machine with a status that started or stopped at or after `since`, newest first. */
  readonly listEnded: (stateMachineArn: string, status: string, since: Date) => Promise<ListedExecution[]>;
  /** Input, error and cause of an execution. */
  readonly describe: (
    executionArn: string,
  ) => Promise<{ input?: string | null; error?: string | null; cause?: string | null }>;
}

/** What one reconciliation did. */
export interface ReconcileResult {
  /** Ended executions looked at. */
  readonly checked: number;
  /** Executions this run reported or notified (the status-change reporter had not). */
  readonly reported: string[];
  /** Executions that could not be reconciled, with the error's name. */
  readonly failed: { readonly execution: string; readonly error: string }[];
}

/** Throws `InvalidInputError` naming the first bad entry, e.g. `workflows[0].descriptor.policy`. */
export function validateWorkflows(workflows: unknown): asserts workflows is ReportedWorkflow[] {
  if (!Array.isArray(workflows))
    throw new InvalidInputError('workflows must be an array of { stateMachineArn, descriptor }');
  workflows.forEach((w: Partial<ReportedWorkflow> | null, i) => {
    if (typeof w?.stateMachineArn !== 'string' || !w.stateMachineArn.includes(':stateMachine:')) {
      throw new InvalidInputError(`workflows[${i}].stateMachineArn must be a state machine ARN`);
    }
    if (typeof w.descriptor?.workflow !== 'string' || !NOTIFY_POLICIES.includes(w.descriptor.policy)) {
      throw new InvalidInputError(
        `workflows[${i}].descriptor must name the workflow and a policy of ${NOTIFY_POLICIES.join(', ')}`,
      );
    }
  });
}

/**
 * Reports every run of the registered workflows that ended FAILED, TIMED_OUT or ABORTED in the last
 * `RECONCILE_LOOKBACK_HOURS` and was not reported. One run's failure does not stop the others: it is returned in
 * `failed` for the caller to surface.
 */
export async function reconcileEndedRuns(
  workflows: readonly ReportedWorkflow[],
  plan: DrPlan,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  validateWorkflows(workflows);
  const since = new Date(deps.now().getTime() - RECONCILE_LOOKBACK_HOURS * HOUR_MS);
  const reported: string[] = [];
  const failed: { execution: string; error: string }[] = [];
  let checked = 0;
  for (const { stateMachineArn, descriptor } of workflows) {
    for (const status of ENDED_STATUSES) {
      const ended = (await deps.listEnded(stateMachineArn, status, since)).filter(
        (e) => (e.stopDate ?? e.startDate).getTime() >= since.getTime(),
      );
      for (const execution of ended) {
        checked += 1;
        try {
          const described = await deps.describe(execution.executionArn);
          const detail: StatusChangeDetail = {
            executionArn: execution.executionArn,
            stateMachineArn,
            name: execution.name,
            status,
            startDate: execution.startDate.getTime(),
            stopDate: execution.stopDate?.getTime() ?? null,
            input: described.input ?? null,
            error: described.error ?? null,
            cause: described.cause ?? null,
          };
          const out: UnreportedRunResult = await reportUnreportedRun({ descriptor, detail }, plan, deps);
          if (out.action !== 'already-reported') reported.push(execution.executionArn);
        } catch (error) {
          failed.push({ execution: execution.executionArn, error: (error as Error)?.name ?? 'Error' });
        }
      }
    }
  }
  return { checked, reported, failed };
}
