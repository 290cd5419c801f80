/**
 * The evidence record of a workflow run, and the decision whether to notify: the pure core of the report
 * fragment (every workflow's last step) and of the status-change reporter (runs that ended outside it).
 */
import type { DrPlan, Priority, Scenario } from '../../lib/plan';
import { worstStatus, type CheckResult, type CheckStatus } from '../shared/check-result';
import { ERROR_NAMES } from '../shared/errors';
import type { StoredResults } from './stored-results';
import {
  incidentId,
  MAX_DETAIL_CHARS,
  renderNotification,
  renderWithinBudget,
  severityFor,
  summarizeResults,
  type RenderedNotification,
} from '../shared/notification';
import type { Mark, MeasuredDuration, MeasurementSpec } from './measurements';
import { MINUTE_MS } from '../shared/time';

/** When a workflow notifies. */
export const NOTIFY_POLICIES = ['always', 'onFailure', 'onChange'] as const;
export type NotifyPolicy = (typeof NOTIFY_POLICIES)[number];

/** How a run ended, as its evidence records it. */
export type RunOutcome = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What the report step knows about the workflow it ends. */
export interface WorkflowDescriptor {
  /** Workflow id, e.g. `janitor`. */
  readonly workflow: string;
  /** Title for people, e.g. `Janitor`. */
  readonly title: string;
  /** The Recovery Targets scenario whose priority a FAIL takes and whose RTO a failure estimates. */
  readonly scenario?: Scenario;
  /** Priority of a FAIL when the workflow serves no scenario (e.g. the janitor).
   * @default - the scenario's priority, or Medium */
  readonly priority?: Priority;
  readonly policy: NotifyPolicy;
  /** Durations the report measures from the run's marks; one over its target is a FAIL. */
  readonly measurements?: readonly MeasurementSpec[];
  /** Whether the report writes a post-incident review draft beside the evidence (`<execution>.pir.md`) and links it.
   * @default false */
  readonly postIncidentReview?: boolean;
  /**
   * What a report with a FAIL (or a run that did not succeed) leads with, before the first failing check:
   * `NOT READY to fail over` gives `NOT READY to fail over: dns-control edr-primary-region-active`.
   * @default - the title and how the run ended */
  readonly failHeadline?: string;
}

/** The execution as the context object (`$$.Execution`) gives it. */
export interface ExecutionInfo {
  readonly Id: string;
  readonly Name: string;
  readonly StartTime: string;
  readonly Input?: unknown;
}

/** An error a Catch recorded (`ResultPath: $.failure`). */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}

/** One step of the run, from the execution history. */
export interface StepRecord {
  readonly name: string;
  readonly type: string;
  readonly enteredAt: string;
  readonly exitedAt?: string;
  readonly outcome: 'succeeded' | 'failed' | 'running';
  readonly error?: string;
}

/** A measured duration held against a plan target. */
export interface Measurement {
  readonly name: string;
  readonly seconds: number;
  readonly targetSeconds?: number;
  readonly met: boolean;
}

/** The JSON written to the evidence bucket for every run. */
export interface EvidenceRecord {
  readonly schema: 'entmoot-dr/evidence@1';
  readonly workflow: string;
  readonly title: string;
  readonly incidentId: string;
  readonly execution: {
    readonly id: string;
    readonly name: string;
    readonly startedAt: string;
    readonly endedAt: string;
  };
  readonly outcome: RunOutcome;
  readonly status: CheckStatus;
  readonly error?: { readonly name: string; readonly cause?: string };
  readonly input: unknown;
  readonly steps: StepRecord[];
  readonly results: CheckResult[];
  readonly measurements: Measurement[];
  readonly approvals: unknown[];
  /** Who wrote the record: the report fragment, or the status-change reporter for a run that ended outside it. */
  readonly reportedBy: 'workflow' | 'status-change-reporter';
  /**
   * Whether the workflow's policy required a notification for this run, decided before the record was written:
   * the status-change reporter sends one that is required and was never sent (no marker). Absent in records
   * written before this field existed: treated as required.
   */
  readonly notification?: 'required' | 'not-required';
  /**
   * Under the on-change policy: what changed since the last run (functions/report/last-status.ts), which the
   * notification lists first. Absent under the other policies.
   */
  readonly changes?: readonly StatusChange[];
}

/** One check on one target whose status changed since the last run (PASS stands for "not listed"). */
export interface StatusChange {
  readonly check: string;
  readonly target: string;
  readonly from: CheckStatus;
  readonly to: CheckStatus;
}

/** Lines for a notification, changes first: `NEW FAIL check target`, `RESOLVED check target (was FAIL)`. */
export function changeLines(changes: readonly StatusChange[]): string[] {
  return changes.map((c) => {
    if (c.from === 'PASS') return `NEW ${c.to} ${c.check} ${c.target}`;
    if (c.to === 'PASS') return `RESOLVED ${c.check} ${c.target} (was ${c.from})`;
    return `${c.from} -> ${c.to} ${c.check} ${c.target}`;
  });
}

/** What a workflow hands to the report step besides the execution. */
export interface RunState {
  /** Results of the run's checks; a fan-out (Map) may hand them over one array per target. */
  readonly results?: (CheckResult | CheckResult[])[];
  /** A fan-out's results kept in the evidence bucket: the report reads them into `results`. */
  readonly storedResults?: StoredResults;
  readonly failure?: CaughtError;
  /** Measured durations; a fan-out (Map) may hand them over one array per target. */
  readonly measurements?: (MeasuredDuration | MeasuredDuration[])[];
  readonly approvals?: unknown[];
  /** Times saved by the workflow's mark states (`$$.State.EnteredTime`), by mark name. */
  readonly marks?: Record<string, Mark>;
  /** What the cleanup hook reported (`DrWorkflowProps.cleanup`): its result, when it had one. */
  readonly cleanup?: { readonly outcome?: { readonly cleanupResult?: CheckResult } };
  /** What the run is about (e.g. the database), for results the report itself adds. */
  readonly target?: string;
}

/** Key of a run's evidence record: `runs/<workflow>/<yyyy>/<mm>/<dd>/<execution name>.json`. */
export function evidenceKey(workflow: string, startedAt: string, executionName: string): string {
  const [yyyy, mm, dd] = startedAt.slice(0, 10).split('-');
  return `runs/${workflow}/${yyyy}/${mm}/${dd}/${executionName}.json`;
}

/** Key of the record of a workflow's last status, for the on-change policy. */
export function lastStatusKey(workflow: string): string {
  return `state/${workflow}/last-status.json`;
}

/** The cause of a caught error, without anything that is not the error (Lambda wraps it as JSON). */
function errorOf(failure: CaughtError | undefined): { name: string; cause?: string } | undefined {
  if (!failure) return undefined;
  let cause = failure.Cause;
  try {
    const parsed = JSON.parse(failure.Cause ?? '') as { errorMessage?: string };
    if (parsed && typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // A cause that is not Lambda's JSON is kept as it is.
  }
  return { name: failure.Error, cause };
}

/** The run's results as one list. */
export function flatResults(state: RunState): CheckResult[] {
  return [
    ...(state.results ?? []).flat(),
    ...(state.cleanup?.outcome?.cleanupResult ? [state.cleanup.outcome.cleanupResult] : []),
  ];
}

/** The error a run that ended outside its report records when the event names none. */
const ENDED_ERROR: Record<Exclude<RunOutcome, 'SUCCEEDED'>, string> = {
  FAILED: 'States.Failed',
  TIMED_OUT: 'States.Timeout',
  ABORTED: 'States.Aborted',
};

/**
 * Outcome and status of a run: a caught error fails it with that error's name; otherwise a FAIL among the
 * results fails it with `CheckFailedError`; otherwise it succeeded, with the worst result as its status.
 * `ended` is set for a run that ended outside its report step (the status-change reporter): it always
 * fails, with the event's error or the status's own.
 */
export function judgeRun(
  state: RunState,
  ended?: Exclude<RunOutcome, 'SUCCEEDED'>,
): {
  outcome: RunOutcome;
  status: CheckStatus;
  error?: { name: string; cause?: string };
} {
  const results = flatResults(state);
  if (ended) return { outcome: ended, status: 'FAIL', error: errorOf(state.failure) ?? { name: ENDED_ERROR[ended] } };
  const error = errorOf(state.failure);
  if (error) return { outcome: 'FAILED', status: 'FAIL', error };
  const status = worstStatus(results);
  if (status === 'FAIL') {
    const failed = results.filter((r) => r.status === 'FAIL');
    return {
      outcome: 'FAILED',
      status,
      error: {
        name: ERROR_NAMES.checkFailed,
        cause: failed.map((r) => `${r.check} ${r.target}: ${r.detail}`).join('; '),
      },
    };
  }
  return { outcome: 'SUCCEEDED', status };
}

/** Builds the evidence record of a run. */
export function buildEvidence(args: {
  readonly descriptor: WorkflowDescriptor;
  readonly execution: ExecutionInfo;
  readonly state: RunState;
  readonly steps: StepRecord[];
  readonly endedAt: Date;
  readonly reportedBy: EvidenceRecord['reportedBy'];
  readonly ended?: Exclude<RunOutcome, 'SUCCEEDED'>;
}): EvidenceRecord {
  const { descriptor, execution, state } = args;
  const verdict = judgeRun(state, args.ended);
  return {
    schema: 'entmoot-dr/evidence@1',
    workflow: descriptor.workflow,
    title: descriptor.title,
    incidentId: incidentId(new Date(execution.StartTime), execution.Name),
    execution: {
      id: execution.Id,
      name: execution.Name,
      startedAt: execution.StartTime,
      endedAt: args.endedAt.toISOString(),
    },
    outcome: verdict.outcome,
    status: verdict.status,
    ...(verdict.error ? { error: verdict.error } : {}),
    input: execution.Input ?? null,
    steps: args.steps,
    results: flatResults(state),
    measurements: (state.measurements ?? []).flat().map((m) => ({
      ...m,
      met: m.targetSeconds === undefined || m.seconds <= m.targetSeconds,
    })),
    approvals: state.approvals ?? [],
    reportedBy: args.reportedBy,
  };
}

/**
 * The execution that started this run, when another workflow did (`states:startExecution.sync:2` with
 * `associateWithParent` puts `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID` in the child's input). Such a run writes
 * its evidence but never notifies: the parent's report covers it, once for all its children.
 */
export function startedByParent(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const id = (input as Record<string, unknown>).AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** Whether a run notifies under its workflow's policy (on-change compares with the previous run's status). */
export function shouldNotify(
  policy: NotifyPolicy,
  record: Pick<EvidenceRecord, 'status' | 'outcome'>,
  previousStatus?: CheckStatus,
): boolean {
  const bad = record.outcome !== 'SUCCEEDED' || record.status !== 'PASS';
  switch (policy) {
    case 'always':
      return true;
    case 'onFailure':
      return bad;
    case 'onChange':
      return previousStatus === undefined ? bad : previousStatus !== record.status;
  }
}

/**
 * `<failHeadline>: <first failing check> <its target>` when the descriptor has one and the report is a failure
 * (the first FAIL in the checks' order; a run that did not succeed without one names how it ended).
 */
function failHeadline(record: EvidenceRecord, descriptor: WorkflowDescriptor): string | undefined {
  if (!descriptor.failHeadline) return undefined;
  const failed = record.results.find((r) => r.status === 'FAIL');
  if (failed) return `${descriptor.failHeadline}: ${failed.check} ${failed.target}`;
  if (record.outcome !== 'SUCCEEDED')
    return `${descriptor.failHeadline}: ${record.title} ${record.outcome.toLowerCase().replace('_', ' ')}`;
  return undefined;
}

/** The notification for a run's evidence record. */
export function notificationFor(
  record: EvidenceRecord,
  descriptor: WorkflowDescriptor,
  plan: DrPlan,
  evidenceUri: string,
): RenderedNotification {
  const target = descriptor.scenario ? plan.recoveryTargets[descriptor.scenario] : undefined;
  const priority = descriptor.priority ?? target?.priority ?? 'Medium';
  const severity = severityFor(record.outcome === 'SUCCEEDED' ? record.status : 'FAIL', priority);
  const failedSteps = record.steps
    .filter((s) => s.outcome === 'failed')
    .slice(0, 20)
    .map((s) => `step "${s.name}" failed${s.error ? ` (${s.error})` : ''}`);
  // CheckFailedError's cause names every failed check: bounded here, every one is in the evidence.
  const cause = record.error?.cause ? `: ${record.error.cause}` : '';
  const errorLine = record.error
    ? `${record.title} ended ${record.outcome} with ${record.error.name}${cause.length > MAX_DETAIL_CHARS ? `${cause.slice(0, MAX_DETAIL_CHARS - 1)}…` : cause}`
    : undefined;
  const bad = record.outcome !== 'SUCCEEDED' || record.status !== 'PASS';
  const changes = changeLines(record.changes ?? []);
  return renderWithinBudget((maxListed) => {
    const summary = summarizeResults(record.results, { evidence: evidenceUri, maxListed });
    const counts = record.results.length > 0 ? `: ${summary.description.split('\n')[0]}` : '';
    const changed = changes.length > 0 ? `, ${changes.length} changed` : '';
    const headline =
      failHeadline(record, descriptor) ??
      `${record.title} ${record.outcome === 'SUCCEEDED' ? (record.status === 'PASS' ? 'passed' : 'passed with warnings') : record.outcome.toLowerCase().replace('_', ' ')}${changed}${counts.replace(/\.$/, '')}`;
    // Under the on-change policy the changes lead: they are why this message was sent (bounded like the results).
    const listedChanges =
      changes.length > maxListed
        ? [...changes.slice(0, maxListed), `… and ${changes.length - maxListed} more changes: ${evidenceUri}`]
        : changes;
    const changeBlock = changes.length > 0 ? `Changes since the last run:\n${listedChanges.join('\n')}` : undefined;
    // Written beside the record by whichever wrote the record (the report step or the status-change reporter).
    const review = descriptor.postIncidentReview
      ? `Post-incident review draft: ${evidenceUri.replace(/\.json$/, '.pir.md')}`
      : undefined;
    const description =
      [changeBlock, errorLine, record.results.length > 0 ? summary.description : undefined, review]
        .filter(Boolean)
        .join('\n') || `${record.title} completed.`;
    return renderNotification({
      incidentId: record.incidentId,
      severity,
      headline,
      affectedService: plan.system.serviceName,
      startTime: new Date(record.execution.startedAt),
      estimatedDuration: bad && target ? `${target.rtoMinutes} minutes (RTO of ${target.title})` : 'n/a',
      description,
      impacts: [...listedChanges, ...(errorLine ? [errorLine] : []), ...failedSteps, ...summary.impacts],
      status: bad
        ? { investigation: 'IN_PROGRESS', mitigation: 'PENDING', resolution: 'PENDING' }
        : { investigation: 'COMPLETE', mitigation: 'COMPLETE', resolution: 'COMPLETE' },
      nextUpdate: bad
        ? new Date(new Date(record.execution.endedAt).getTime() + plan.notifications.nextUpdateMinutes * MINUTE_MS)
        : undefined,
      contact: plan.notifications.contact,
      evidence: evidenceUri,
    });
  });
}
