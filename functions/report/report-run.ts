/**
 * The report step of every workflow, and the status-change reporter for runs that ended without it: write
 * the run's evidence record, then publish at most one notification by the workflow's policy.
 */
import type { DrPlan } from '../../lib/plan';
import type { CheckStatus } from '../shared/check-result';
import { InvalidInputError, translateAwsError } from '../shared/errors';
import { isPreconditionFailed } from '../shared/s3-errors';
import {
  buildEvidence,
  evidenceKey,
  lastStatusKey,
  notificationFor,
  NOTIFY_POLICIES,
  shouldNotify,
  type EvidenceRecord,
  type ExecutionInfo,
  type RunOutcome,
  type RunState,
  type StepRecord,
  type WorkflowDescriptor,
} from './evidence';
import { loadStoredResults } from './stored-results';
import { type MeasuredDuration, withMeasurements } from './measurements';

/** The parts of a Step Functions history event the report reads (JavaScript SDK names). */
export interface HistoryEventLike {
  readonly type?: string;
  readonly timestamp?: Date;
  readonly stateEnteredEventDetails?: { readonly name?: string };
  readonly stateExitedEventDetails?: { readonly name?: string };
  readonly taskFailedEventDetails?: { readonly error?: string };
  readonly lambdaFunctionFailedEventDetails?: { readonly error?: string };
  readonly taskTimedOutEventDetails?: { readonly error?: string };
  readonly lambdaFunctionTimedOutEventDetails?: { readonly error?: string };
}

/** What the report needs from AWS; each a narrow function so tests pass fakes. */
export interface ReportDeps {
  /** The execution's history, oldest first. */
  readonly history: (executionArn: string) => Promise<HistoryEventLike[]>;
  /** Writes an object; with `ifNoneMatch` it must fail with `PreconditionFailed` when the key exists. */
  readonly putObject: (key: string, body: string, options?: { ifNoneMatch?: boolean }) => Promise<void>;
  /** Reads an object's text, or undefined when there is none. */
  readonly getObject: (key: string) => Promise<string | undefined>;
  /** Keys under a prefix, every page. */
  readonly listKeys: (prefix: string) => Promise<string[]>;
  readonly objectExists: (key: string) => Promise<boolean>;
  readonly deleteObject: (key: string) => Promise<void>;
  readonly publish: (message: { subject: string; message: string }) => Promise<void>;
  readonly now: () => Date;
  /** Evidence bucket name, for the `s3://` address in notifications. */
  readonly bucket: string;
  /** Publishes a run's measurements as metrics.
   * @default - not published */
  readonly publishMeasurements?: (workflow: string, measurements: readonly MeasuredDuration[]) => void;
}

/** The report step's input (built by the report fragment). */
export interface ReportEvent {
  readonly descriptor: WorkflowDescriptor;
  readonly execution: ExecutionInfo;
  readonly state: RunState;
}

/** What the report step returns to the workflow. */
export interface ReportResult {
  readonly outcome: RunOutcome;
  readonly status: CheckStatus;
  readonly evidenceKey: string;
  readonly notified: boolean;
  /** Set when the run failed: the workflow's final Fail state uses them. */
  readonly errorName?: string;
  readonly errorCause?: string;
}

/** Pairs state entries and exits of the history into steps; Map iterations give one step each. */
export function stepsFromHistory(events: readonly HistoryEventLike[]): StepRecord[] {
  const steps: StepRecord[] = [];
  const open = new Map<string, number[]>();
  let current: number | undefined;
  for (const event of events) {
    const at = (event.timestamp ?? new Date(0)).toISOString();
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails?.name;
    const failure =
      event.taskFailedEventDetails?.error ??
      event.lambdaFunctionFailedEventDetails?.error ??
      event.taskTimedOutEventDetails?.error ??
      event.lambdaFunctionTimedOutEventDetails?.error ??
      (event.type?.endsWith('TimedOut') ? 'States.Timeout' : undefined);
    if (entered !== undefined) {
      const type = (event.type ?? 'StateEntered').replace(/StateEntered$/, '');
      steps.push({ name: entered, type, enteredAt: at, outcome: 'running' });
      current = steps.length - 1;
      open.set(entered, [...(open.get(entered) ?? []), current]);
    } else if (exited !== undefined) {
      const stack = open.get(exited) ?? [];
      const index = stack.shift();
      if (index !== undefined) {
        const step = steps[index];
        if (step) steps[index] = { ...step, exitedAt: at, outcome: step.error ? 'failed' : 'succeeded' };
      }
    } else if (failure !== undefined && current !== undefined) {
      const step = steps[current];
      if (step) steps[current] = { ...step, outcome: 'failed', error: failure };
    }
  }
  return steps;
}

function checkEvent(event: ReportEvent): void {
  const d = event?.descriptor;
  if (!d || typeof d.workflow !== 'string' || !NOTIFY_POLICIES.includes(d.policy)) {
    throw new InvalidInputError(
      `descriptor must name the workflow and a policy of ${NOTIFY_POLICIES.join(', ')}: the report fragment builds it`,
    );
  }
  if (!event.execution || typeof event.execution.Id !== 'string' || typeof event.execution.Name !== 'string') {
    throw new InvalidInputError(
      'execution must be the context object $$.Execution (Id, Name, StartTime): the report fragment passes it',
    );
  }
}

/**
 * Publishes once per run: the marker object is created only if absent (S3 conditional write), so a retried
 * report or the status-change reporter never notifies twice; a failed publish removes the marker so a retry can.
 */
async function publishOnce(
  record: EvidenceRecord,
  descriptor: WorkflowDescriptor,
  plan: DrPlan,
  deps: ReportDeps,
  key: string,
): Promise<boolean> {
  const marker = markerKey(key);
  try {
    await deps.putObject(marker, deps.now().toISOString(), { ifNoneMatch: true });
  } catch (error) {
    if (isPreconditionFailed(error)) return false;
    translateAwsError(error, 's3:PutObject', `s3://${deps.bucket}/${marker}`);
  }
  const rendered = notificationFor(record, descriptor, plan, `s3://${deps.bucket}/${key}`);
  try {
    await deps.publish({ subject: rendered.subject, message: rendered.snsMessage });
  } catch (error) {
    await deps.deleteObject(marker);
    translateAwsError(error, 'sns:Publish', 'the notification topic');
  }
  return true;
}

/** The report fragment's step: evidence always, a notification by policy. */
export async function reportRun(event: ReportEvent, plan: DrPlan, deps: ReportDeps): Promise<ReportResult> {
  checkEvent(event);
  const { descriptor, execution } = event;
  const given = event.state ?? {};
  // Results a fan-out stored in the evidence bucket join the state's own, so the record and notification see all.
  const loaded = given.storedResults
    ? { ...given, results: [...(given.results ?? []), ...(await loadStoredResults(given.storedResults, deps))] }
    : given;
  const state = withMeasurements(loaded, descriptor, plan);
  if (state.measurements?.length) deps.publishMeasurements?.(descriptor.workflow, state.measurements);
  const steps = stepsFromHistory(await deps.history(execution.Id));
  const built = buildEvidence({ descriptor, execution, state, steps, endedAt: deps.now(), reportedBy: 'workflow' });
  const previousText = await deps.getObject(lastStatusKey(descriptor.workflow));
  const previousStatus = previousText ? (JSON.parse(previousText) as { status?: CheckStatus }).status : undefined;
  // The policy's decision is part of the evidence, written before anything is published: if this step fails
  // after writing it, the status-change reporter knows whether a notification is still owed.
  const required = shouldNotify(descriptor.policy, built, previousStatus);
  const record: EvidenceRecord = { ...built, notification: required ? 'required' : 'not-required' };
  const key = evidenceKey(descriptor.workflow, execution.StartTime, execution.Name);
  await deps.putObject(key, JSON.stringify(record, null, 2));
  await deps.putObject(
    lastStatusKey(descriptor.workflow),
    JSON.stringify({ status: record.status, execution: execution.Name }),
  );

  const notified = required ? await publishOnce(record, descriptor, plan, deps, key) : false;
  return {
    outcome: record.outcome,
    status: record.status,
    evidenceKey: key,
    notified,
    ...(record.error
      ? {
          errorName: record.error.name,
          errorCause: boundedCause(record.error.cause ?? record.error.name, deps.bucket, key),
        }
      : {}),
  };
}

/** Characters of a run's error cause carried back into the workflow (its Fail state's Cause, and the state payload). */
export const MAX_CAUSE_CHARS = 2_000;

/**
 * The cause as the workflow carries it: whole when short; otherwise cut, pointing at the evidence record that
 * holds it all — a fleet's failures joined would pass the 256 KiB state payload (and a Fail state's Cause).
 */
export function boundedCause(cause: string, bucket: string, key: string): string {
  if (cause.length <= MAX_CAUSE_CHARS) return cause;
  const tail = ` … (${cause.length} characters in all: see s3://${bucket}/${key})`;
  return `${cause.slice(0, MAX_CAUSE_CHARS - tail.length)}${tail}`;
}

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
   * so both were written and sent now.
   */
  readonly action: 'already-reported' | 'notified' | 'reported';
  readonly evidenceKey: string;
  readonly notified: boolean;
}

/** The notification marker of an evidence record (an S3 conditional write: created only once per run). */
export function markerKey(evidence: string): string {
  return evidence.replace(/\.json$/, '.notified');
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
  await deps.putObject(key, JSON.stringify({ ...record, notification: 'required' }, null, 2));
  await deps.putObject(lastStatusKey(descriptor.workflow), JSON.stringify({ status: 'FAIL', execution: detail.name }));
  const notified = await publishOnce(record, descriptor, plan, deps, key);
  return { action: 'reported', evidenceKey: key, notified };
}
