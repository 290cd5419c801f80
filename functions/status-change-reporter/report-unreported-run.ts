/**
 * The status-change reporter: reports a run that ended FAILED, TIMED_OUT or ABORTED without its report step,
 * through the report step's evidence key and notification marker (functions/report/report-run.ts).
 */
import type { DrPlan } from '../../lib/plan';
import { InvalidInputError } from '../shared/errors';
import {
  buildEvidence,
  evidenceKey,
  startedByParent,
  type EvidenceRecord,
  type RunOutcome,
  type WorkflowDescriptor,
} from '../report/evidence';
import { outcomeOnly, swapLastStatus } from '../report/last-status';
import { pirKey, postIncidentReview } from '../report/post-incident-review';
import { markerKey, publishOnce, stepsFromHistory, type ReportDeps } from '../report/report-run';

/** The `detail` of an EventBridge "Step Functions Execution Status Change" event. */
export interface StatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: number;
  readonly stopDate?: number | null;
  readonly input?: string | null;
  readonly error?: string | null;
  readonly cause?: string | null;
}

/** The reporter's input: the workflow's descriptor (fixed by the rule) and the event's detail. */
export interface StatusChangeEvent {
  readonly descriptor: WorkflowDescriptor;
  readonly detail: StatusChangeDetail;
}

const ENDED_OUTSIDE: Record<string, Exclude<RunOutcome, 'SUCCEEDED'> | undefined> = {
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  ABORTED: 'ABORTED',
};

/** What the status-change reporter did for a run. */
export interface UnreportedRunResult {
  /**
   * `already-reported`: the run's notification was sent, or its policy required none; `notified`: its report step
   * wrote the evidence but its notification never went out, so it was sent now; `reported`: no evidence existed,
   * so it was written now, and the notification sent unless the on-change policy found nothing changed.
   */
  readonly action: 'already-reported' | 'notified' | 'reported';
  readonly evidenceKey: string;
  readonly notified: boolean;
}

/**
 * For a run that ended FAILED, TIMED_OUT or ABORTED. The report step writes evidence before it publishes, so
 * evidence alone does not prove the run was reported: the run counts as reported only when its notification
 * marker exists, or when its evidence records that the policy required no notification. Evidence without either
 * (a Publish that failed, a report step that timed out) is notified now from that evidence; no evidence at all is
 * written and notified now. At most one notification per run, shared with the report step through the marker.
 */
export async function reportUnreportedRun(
  event: StatusChangeEvent,
  plan: DrPlan,
  deps: ReportDeps,
): Promise<UnreportedRunResult> {
  const { descriptor, detail } = event;
  const outcome = detail ? ENDED_OUTSIDE[detail.status] : undefined;
  if (!detail || typeof detail.executionArn !== 'string' || !outcome) {
    throw new InvalidInputError(
      `detail.status must be FAILED, TIMED_OUT or ABORTED (got ${String(detail?.status)}): check the rule's event pattern`,
    );
  }
  const startedAt = new Date(detail.startDate).toISOString();
  const key = evidenceKey(descriptor.workflow, startedAt, detail.name);
  const existing = await deps.getObject(key);
  if (existing !== undefined) {
    const recorded = JSON.parse(existing) as EvidenceRecord;
    if (recorded.notification === 'not-required' || (await deps.objectExists(markerKey(key)))) {
      return { action: 'already-reported', evidenceKey: key, notified: false };
    }
    const notified = await publishOnce(recorded, descriptor, plan, deps, key);
    return { action: notified ? 'notified' : 'already-reported', evidenceKey: key, notified };
  }

  let input: unknown = detail.input ?? null;
  try {
    input = typeof detail.input === 'string' ? JSON.parse(detail.input) : input;
  } catch {
    // Input that is not JSON is recorded as the text it is.
  }
  const failure = detail.error ? { Error: detail.error, Cause: detail.cause ?? undefined } : undefined;
  const steps = stepsFromHistory(await deps.history(detail.executionArn));
  const record = buildEvidence({
    descriptor,
    execution: { Id: detail.executionArn, Name: detail.name, StartTime: startedAt, Input: input },
    state: { failure },
    steps,
    endedAt: detail.stopDate ? new Date(detail.stopDate) : deps.now(),
    reportedBy: 'status-change-reporter',
    ended: outcome,
  });
  // A child run started by another workflow: its parent's report (or the parent's own status change) notifies.
  const byParent = startedByParent(input) !== undefined;
  // Under the on-change policy the run's outcome is swapped into the last status, its findings kept (it checked
  // nothing reliably); it notifies when the outcome changed, or when its report step had swapped already and then
  // failed (what that step decided may never have gone out). The other policies always notify here.
  const swap =
    descriptor.policy === 'onChange'
      ? await swapLastStatus(
          descriptor.workflow,
          detail.name,
          (previous) => outcomeOnly(previous, outcome, record.error?.name, detail.name),
          deps,
        )
      : undefined;
  const required = !byParent && (swap === undefined || swap.notify || swap.repeated);
  await deps.putObject(
    key,
    JSON.stringify({ ...record, notification: required ? 'required' : 'not-required' }, null, 2),
  );
  // A recovery stopped or timed out is an incident too: its review draft, from what the history shows.
  if (descriptor.postIncidentReview)
    await deps.putObject(pirKey(key), postIncidentReview(record, {}), { contentType: 'text/markdown; charset=utf-8' });
  const notified = required ? await publishOnce(record, descriptor, plan, deps, key) : false;
  return { action: 'reported', evidenceKey: key, notified };
}
