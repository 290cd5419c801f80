import {
  DUMP_RESTORE_CHECK,
  readRestoreReport,
  type ReadReportEvent,
  type ReadReportDeps,
} from '../../../functions/dump-restore-test/read-report';
import type { CheckResult } from '../../../functions/shared/check-result';
import type { RestoreReport } from '../../../functions/restore-runner/report';

const KEY = 'restore-reports/dump-restore-test-1/entmoot-prod.json';
const PREFIX = 'runs/dump-restore-test/dump-restore-test-1/results/';
const RTO = 3600;

function event(task: ReadReportEvent['task'], overrides: Partial<ReadReportEvent> = {}): ReadReportEvent {
  return {
    database: 'entmoot-prod',
    source: 's3://entmoot-prod-backups/latest.sql',
    reportKey: KEY,
    resultsPrefix: PREFIX,
    task,
    ...overrides,
  };
}

function report(
  exitCode: 0 | 1 | 2 | 3,
  verdict: RestoreReport['verdict'],
  results: CheckResult[] = [],
): RestoreReport {
  return {
    reportVersion: 1,
    execution: 'dump-restore-test-1',
    database: 'entmoot-prod',
    source: {
      location: 's3://entmoot-prod-backups/latest.sql',
      kind: 's3',
      sizeBytes: 1,
      lastModified: null,
      etag: null,
    },
    dump: null,
    versions: { pgRestore: null, server: null, postgis: null, node: 'v22.11.0' },
    restoredInto: null,
    referenceTime: null,
    sweptDatabases: [],
    startedAt: '2026-12-01T08:00:00.000Z',
    finishedAt: '2026-12-01T08:30:00.000Z',
    timings: { downloadSeconds: 100.4, restoreSeconds: null, validationSeconds: null, totalSeconds: 3700 },
    restore: { exitCode: null, jobs: 2, errors: [], warnings: [], errorCount: 0 },
    results,
    verdict,
    exitCode,
    summary: 'the summary',
  };
}

/** Fake bucket: `reports` by key; what was put is kept. */
function deps(reports: Record<string, string> = {}): ReadReportDeps & { put: Record<string, CheckResult[]> } {
  const put: Record<string, CheckResult[]> = {};
  return {
    put,
    getReport: async (key) => reports[key],
    putResults: async (key, body) => {
      put[key] = JSON.parse(body) as CheckResult[];
    },
  };
}

const STOPPED_OK = {
  StopCode: 'EssentialContainerExited',
  StoppedReason: 'Essential container in task exited',
  ExitCode: 0,
};
const failedTask = (exitCode: number | undefined, stopCode: string, reason: string) => ({
  Error: 'States.TaskFailed',
  Cause: JSON.stringify({ StopCode: stopCode, StoppedReason: reason, Containers: [{ ExitCode: exitCode }] }),
});

describe('reading a restore report', () => {
  it('keeps the runner’s results, adds a PASS verdict with the phases, and measures the total against the RTO', async () => {
    const d = deps({
      [KEY]: JSON.stringify(
        report(0, 'restored', [
          { check: 'required-tables', target: 'entmoot-prod', status: 'PASS', observed: 3, threshold: 3, detail: 'ok' },
        ]),
      ),
    });

    const out = await readRestoreReport(event(STOPPED_OK), RTO, d);

    expect(out).toEqual({
      stored: 2,
      measurements: [{ name: 'entmoot-prod total', seconds: 3700, targetSeconds: RTO }],
    });
    expect(d.put[`${PREFIX}entmoot-prod.json`]!.map((r) => [r.check, r.status])).toEqual([
      ['required-tables', 'PASS'],
      [DUMP_RESTORE_CHECK, 'PASS'],
    ]);
    expect(d.put[`${PREFIX}entmoot-prod.json`]![1]!.detail).toBe(
      's3://entmoot-prod-backups/latest.sql restored and validated (download 100 s, total 3700 s): the summary',
    );
  });

  it.each<[0 | 1 | 2 | 3, RestoreReport['verdict'], RegExp]>([
    [1, 'bad-backup', /^the backup is bad \(exit 1\): the summary; take a new dump/],
    [1, 'restored', /^restored, but the test failed \(exit 1\)/],
    [2, 'runner-failed', /^the restore test could not run \(exit 2\), nothing is known about the backup/],
    [3, 'runner-failed', /^the restore test could not run \(exit 3\), nothing is known about the backup/],
  ])('reads exit %i with verdict %s as a FAIL that says so', async (exitCode, verdict, detail) => {
    const d = deps({ [KEY]: JSON.stringify(report(exitCode, verdict)) });

    await readRestoreReport(event(failedTask(exitCode, 'EssentialContainerExited', 'exited')), RTO, d);

    const [result] = d.put[`${PREFIX}entmoot-prod.json`]!;
    expect(result).toMatchObject({ check: DUMP_RESTORE_CHECK, status: 'FAIL', observed: exitCode, threshold: 0 });
    expect(result!.detail).toMatch(detail);
  });

  it('fails naming exit code, StopCode and StoppedReason from the failed task when there is no report', async () => {
    const d = deps();

    const out = await readRestoreReport(
      event(failedTask(137, 'EssentialContainerExited', 'OutOfMemoryError: Container killed due to memory usage')),
      RTO,
      d,
    );

    expect(out).toEqual({ stored: 1, measurements: [] });
    expect(d.put[`${PREFIX}entmoot-prod.json`]).toEqual([
      {
        check: DUMP_RESTORE_CHECK,
        target: 'entmoot-prod',
        status: 'FAIL',
        observed: 137,
        threshold: 0,
        detail: `the restore task left no report at ${KEY} (States.TaskFailed): exit code 137, StopCode EssentialContainerExited, StoppedReason OutOfMemoryError: Container killed due to memory usage; nothing is known about the backup — see the task's log`,
      },
    ]);
  });

  it('fails naming the ECS error when the task never ran and its cause is not a task', async () => {
    const d = deps();

    await readRestoreReport(event({ Error: 'ECS.AccessDeniedException', Cause: 'User is not authorized' }), RTO, d);

    expect(d.put[`${PREFIX}entmoot-prod.json`]![0]).toMatchObject({
      observed: 'no report',
      detail: `the restore task left no report at ${KEY} (ECS.AccessDeniedException): exit code none, StopCode none, StoppedReason User is not authorized; nothing is known about the backup — see the task's log`,
    });
  });

  it('does not trust a report it cannot read: a FAIL, never a pass', async () => {
    const d = deps({ [KEY]: JSON.stringify({ ...report(0, 'restored'), reportVersion: 2 }) });

    await readRestoreReport(event(STOPPED_OK), RTO, d);

    expect(d.put[`${PREFIX}entmoot-prod.json`]![0]).toMatchObject({
      status: 'FAIL',
      observed: 0,
      detail: expect.stringMatching(/^the restore task left a report this reader cannot read at /),
    });
  });

  it.each([
    [
      'a results prefix of another workflow',
      { resultsPrefix: 'runs/backup-verification/x/results/' },
      /^resultsPrefix must be/,
    ],
    ['a report key outside restore-reports/', { reportKey: 'runs/x/entmoot-prod.json' }, /^reportKey must be/],
  ])('refuses %s before reading anything', async (_, overrides, message) => {
    const d = deps();

    await expect(readRestoreReport(event(STOPPED_OK, overrides), RTO, d)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringMatching(message),
    });
    expect(d.put).toEqual({});
  });
});
