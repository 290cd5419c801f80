/**
 * The dump restore test's per-database report reader: after the Fargate task ended (or failed), it reads the
 * runner's report (`restore-reports/<execution>/<db>.json`, functions/restore-runner/report.ts) from the evidence
 * bucket, turns it into results and measurements, and stores the results under the run's prefix — the Map
 * carries a count and four durations per database, never the results (DESIGN §9).
 *
 * Facts about `ecs:runTask.sync` it relies on: a task whose essential container exits non-zero, or that never
 * started (`StopCode: TaskFailedToStart`), fails the state `States.TaskFailed` with the stopped task, Pascal-cased,
 * as the JSON Cause; `RunTask` with non-empty `Failures` fails it `AmazonECS.Unknown`; an ECS API error is
 * `ECS.<exception>`. Exits 1 (bad backup) and 3 (the runner could not) both arrive as `States.TaskFailed`: only
 * the report tells them apart.
 */
import type { CheckResult } from '../shared/check-result';
import { InvalidInputError } from '../shared/errors';
import type { MeasuredDuration } from '../report/measurements';
import type { RestoreReport } from '../restore-runner/report';

/** Check name of the result this reader adds: the run's verdict on one database's dump. */
export const DUMP_RESTORE_CHECK = 'dump-restore';

/** How the task ended, as the workflow hands it over: the stopped task's summary, or the error a Catch recorded. */
export type TaskEnding =
  | { readonly StopCode?: string; readonly StoppedReason?: string; readonly ExitCode?: number | null }
  | { readonly Error: string; readonly Cause?: string };

/** What the workflow's Map hands each iteration's reader. */
export interface ReadReportEvent {
  readonly database: string;
  /** `s3://bucket/key` of the dump. */
  readonly source: string;
  /** `restore-reports/<execution>/<db>.json`, built by the workflow. */
  readonly reportKey: string;
  /** `runs/dump-restore-test/<execution>/results/`, built by the workflow. */
  readonly resultsPrefix: string;
  readonly task: TaskEnding;
}

/** What an iteration returns to the state: a count and the database's total duration. */
export interface ReadReportOutput {
  readonly stored: number;
  readonly measurements: MeasuredDuration[];
}

export interface ReadReportDeps {
  /** The object's text, or undefined when it does not exist. */
  readonly getReport: (key: string) => Promise<string | undefined>;
  readonly putResults: (key: string, body: string) => Promise<void>;
}

/** Key prefix of the results of one run. */
export const RESULTS_ROOT = 'runs/dump-restore-test/';
const PREFIX = /^runs\/dump-restore-test\/[A-Za-z0-9_-]{1,80}\/results\/$/;
const REPORT_KEY = /^restore-reports\/[A-Za-z0-9_-]{1,80}\/[A-Za-z0-9-]{1,63}\.json$/;

interface StoppedTask {
  readonly StopCode?: string;
  readonly StoppedReason?: string;
  readonly Containers?: readonly { readonly ExitCode?: number; readonly Reason?: string }[];
}

/** What is known of how the task ended: exit code, stop code, reason, and the error when the state failed. */
function ending(task: TaskEnding): { exitCode: number | null; stopCode: string; reason: string; error?: string } {
  if ('Error' in task) {
    let stopped: StoppedTask | undefined;
    try {
      stopped = JSON.parse(task.Cause ?? '') as StoppedTask;
    } catch {
      stopped = undefined;
    }
    if (stopped && typeof stopped === 'object' && ('StopCode' in stopped || 'Containers' in stopped)) {
      const container = stopped.Containers?.[0];
      return {
        exitCode: typeof container?.ExitCode === 'number' ? container.ExitCode : null,
        stopCode: stopped.StopCode ?? 'none',
        reason: [stopped.StoppedReason, container?.Reason].filter(Boolean).join('; ') || 'none',
        error: task.Error,
      };
    }
    return { exitCode: null, stopCode: 'none', reason: task.Cause ?? 'none', error: task.Error };
  }
  return {
    exitCode: typeof task.ExitCode === 'number' ? task.ExitCode : null,
    stopCode: task.StopCode ?? 'none',
    reason: task.StoppedReason ?? 'none',
  };
}

/** The report, when it is one this reader understands. */
function parseReport(text: string): RestoreReport | undefined {
  try {
    const report = JSON.parse(text) as RestoreReport;
    return report?.reportVersion === 1 && Array.isArray(report.results) ? report : undefined;
  } catch {
    return undefined;
  }
}

/** The verdict as one result: a bad backup and a failed test read differently, and say what to do. */
function verdictResult(event: ReadReportEvent, report: RestoreReport): CheckResult {
  const base = { check: DUMP_RESTORE_CHECK, target: event.database, observed: report.exitCode, threshold: 0 };
  if (report.exitCode === 0)
    return {
      ...base,
      status: 'PASS',
      detail: `${event.source} restored and validated (${phases(report)}): ${report.summary}`,
    };
  if (report.verdict === 'bad-backup')
    return {
      ...base,
      status: 'FAIL',
      detail: `the backup is bad (exit ${report.exitCode}): ${report.summary}; take a new dump and check the backup job`,
    };
  if (report.verdict === 'restored')
    return {
      ...base,
      status: 'FAIL',
      detail: `restored, but the test failed (exit ${report.exitCode}): ${report.summary}`,
    };
  return {
    ...base,
    status: 'FAIL',
    detail: `the restore test could not run (exit ${report.exitCode}), nothing is known about the backup: ${report.summary}`,
  };
}

/** The phases' seconds, as the verdict's detail gives them. */
function phases(report: RestoreReport): string {
  const t = report.timings;
  const parts: [string, number | null][] = [
    ['download', t.downloadSeconds],
    ['restore', t.restoreSeconds],
    ['validation', t.validationSeconds],
    ['total', t.totalSeconds],
  ];
  return parts.flatMap(([name, s]) => (s === null ? [] : [`${name} ${Math.round(s)} s`])).join(', ');
}

/**
 * The run's measurement of one database: its total, held against the restore RTO, named `<db> total`. Only the
 * total: the Map carries one per database (a fleet's four would pass the state's 256 KiB); the phases are in the
 * verdict's detail and the report itself.
 */
function measurementOf(database: string, report: RestoreReport, rtoSeconds: number): MeasuredDuration {
  return { name: `${database} total`, seconds: report.timings.totalSeconds, targetSeconds: rtoSeconds };
}

/**
 * Reads one database's report into results (the runner's own, then the verdict) and measurements, and stores the
 * results under the run's prefix. No report — the task never started, was stopped, or died before writing it — is
 * a FAIL naming the exit code, `StopCode` and `StoppedReason`, so a missing report can never read as a pass.
 */
export async function readRestoreReport(
  event: ReadReportEvent,
  rtoSeconds: number,
  deps: ReadReportDeps,
): Promise<ReadReportOutput> {
  if (typeof event?.resultsPrefix !== 'string' || !PREFIX.test(event.resultsPrefix))
    throw new InvalidInputError(
      `resultsPrefix must be ${RESULTS_ROOT}<execution name>/results/ (got ${JSON.stringify(event?.resultsPrefix)}): the workflow builds it`,
    );
  if (typeof event.reportKey !== 'string' || !REPORT_KEY.test(event.reportKey))
    throw new InvalidInputError(
      `reportKey must be restore-reports/<execution name>/<database id>.json (got ${JSON.stringify(event.reportKey)}): the workflow builds it`,
    );
  if (!event.task || typeof event.task !== 'object')
    throw new InvalidInputError('task must be the stopped task or the error the workflow caught');
  const text = await deps.getReport(event.reportKey);
  const report = text === undefined ? undefined : parseReport(text);
  let results: CheckResult[];
  let measurements: MeasuredDuration[] = [];
  if (report) {
    results = [...report.results, verdictResult(event, report)];
    measurements = [measurementOf(event.database, report, rtoSeconds)];
  } else {
    const end = ending(event.task);
    const what = text === undefined ? 'left no report' : 'left a report this reader cannot read';
    results = [
      {
        check: DUMP_RESTORE_CHECK,
        target: event.database,
        status: 'FAIL',
        observed: end.exitCode === null ? 'no report' : end.exitCode,
        threshold: 0,
        detail: `the restore task ${what} at ${event.reportKey}${end.error ? ` (${end.error})` : ''}: exit code ${end.exitCode ?? 'none'}, StopCode ${end.stopCode}, StoppedReason ${end.reason}; nothing is known about the backup — see the task's log`,
      },
    ];
  }
  await deps.putResults(`${event.resultsPrefix}${event.database}.json`, JSON.stringify(results));
  return { stored: results.length, measurements };
}
