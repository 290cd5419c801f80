/**
 * The report step of every workflow: write the run's evidence record, then publish at most one notification by
 * the workflow's policy. `publishOnce` and `markerKey` are shared with the status-change reporter
 * (functions/status-change-reporter/), which reports the runs that ended without this step.
 */
import type { DrPlan } from '../../lib/plan';
import type { CheckStatus } from '../shared/check-result';
import { InvalidInputError, translateAwsError } from '../shared/errors';
import { isPreconditionFailed } from '../shared/s3-errors';
import {
  buildEvidence,
  evidenceKey,
  notificationFor,
  NOTIFY_POLICIES,
  shouldNotify,
  startedByParent,
  type EvidenceRecord,
  type ExecutionInfo,
  type RunOutcome,
  type RunState,
  type StepRecord,
  type WorkflowDescriptor,
} from './evidence';
import { nextStatus, swapLastStatus, type VersionedText } from './last-status';
import { loadStoredResults } from './stored-results';
import { pirKey, postIncidentReview } from './post-incident-review';
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
  /**
   * Writes an object (JSON unless `contentType` says otherwise); with `ifNoneMatch` it must fail with
   * `PreconditionFailed` when the key exists, with `ifMatch` when the object's ETag is no longer that one (S3
   * conditional writes).
   */
  readonly putObject: (
    key: string,
    body: string,
    options?: { ifNoneMatch?: boolean; ifMatch?: string; contentType?: string },
  ) => Promise<void>;
  /** Reads an object's text, or undefined when there is none. */
  readonly getObject: (key: string) => Promise<string | undefined>;
  /** Reads an object's text with its ETag (for a compare-and-swap), or undefined when there is none. */
  readonly getObjectVersion: (key: string) => Promise<VersionedText | undefined>;
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
export async function publishOnce(
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
  const measured = (state.measurements ?? []).flat();
  if (measured.length) deps.publishMeasurements?.(descriptor.workflow, measured);
  const steps = stepsFromHistory(await deps.history(execution.Id));
  const built = buildEvidence({ descriptor, execution, state, steps, endedAt: deps.now(), reportedBy: 'workflow' });
  // Under the on-change policy the last status is swapped first (compare-and-swap), so of two overlapping runs
  // only the one whose swap made a change announces it; the other policies keep no state.
  const swap =
    descriptor.policy === 'onChange'
      ? await swapLastStatus(
          descriptor.workflow,
          execution.Name,
          (previous) => nextStatus(previous, built, execution.Name),
          deps,
        )
      : undefined;
  // The policy's decision is part of the evidence, written before anything is published: if this step fails
  // after writing it, the status-change reporter knows whether a notification is still owed.
  // A run another workflow started never notifies: its parent reports it.
  const required = !startedByParent(execution.Input) && (swap ? swap.notify : shouldNotify(descriptor.policy, built));
  const record: EvidenceRecord = {
    ...built,
    notification: required ? 'required' : 'not-required',
    ...(swap ? { changes: swap.changes } : {}),
  };
  const key = evidenceKey(descriptor.workflow, execution.StartTime, execution.Name);
  await deps.putObject(key, JSON.stringify(record, null, 2));
  if (descriptor.postIncidentReview)
    await deps.putObject(pirKey(key), postIncidentReview(record, state), {
      contentType: 'text/markdown; charset=utf-8',
    });

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

/** The notification marker of an evidence record (an S3 conditional write: created only once per run). */
export function markerKey(evidence: string): string {
  return evidence.replace(/\.json$/, '.notified');
}
