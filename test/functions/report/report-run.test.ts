import type { WorkflowDescriptor } from '../../../functions/report/evidence';
import { evidenceKey, judgeRun, shouldNotify } from '../../../functions/report/evidence';
import { reportRun, stepsFromHistory, type ReportEvent } from '../../../functions/report/report-run';
import type { CheckResult } from '../../../functions/shared/check-result';
import { FakeReportDeps } from '../../support/fake-evidence';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const descriptor: WorkflowDescriptor = {
  workflow: 'backup-verification',
  title: 'Weekly backup verification',
  scenario: 'regionFailure',
  policy: 'always',
};
const execution = {
  Id: 'arn:aws:states:us-east-1:123456789012:execution:edr-backup-verification:run-1',
  Name: 'run-1',
  StartTime: '2025-11-10T06:00:00.000Z',
  Input: { trigger: 'schedule' },
};
const result = (status: CheckResult['status'], check = 'snapshot-age'): CheckResult => ({
  check,
  target: 'entmoot-prod',
  status,
  observed: 3,
  threshold: 24,
  detail: `${check} is ${status}`,
});
const at = (s: number) => new Date(Date.parse('2025-11-10T06:00:00Z') + s * 1000);

describe('stepsFromHistory', () => {
  it('pairs each state’s entry and exit and marks a failed task with its error', () => {
    const steps = stepsFromHistory([
      { type: 'TaskStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'Find Leftovers' } },
      { type: 'TaskStateExited', timestamp: at(2), stateExitedEventDetails: { name: 'Find Leftovers' } },
      { type: 'TaskStateEntered', timestamp: at(3), stateEnteredEventDetails: { name: 'Delete Instance' } },
      { type: 'TaskFailed', timestamp: at(4), taskFailedEventDetails: { error: 'Rds.RdsException' } },
      { type: 'TaskStateExited', timestamp: at(4), stateExitedEventDetails: { name: 'Delete Instance' } },
    ]);
    expect(steps).toEqual([
      {
        name: 'Find Leftovers',
        type: 'Task',
        enteredAt: at(0).toISOString(),
        exitedAt: at(2).toISOString(),
        outcome: 'succeeded',
      },
      {
        name: 'Delete Instance',
        type: 'Task',
        enteredAt: at(3).toISOString(),
        exitedAt: at(4).toISOString(),
        outcome: 'failed',
        error: 'Rds.RdsException',
      },
    ]);
  });

  it('leaves a state that never exited as running', () => {
    const steps = stepsFromHistory([
      { type: 'WaitStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'Wait for Deletion' } },
    ]);
    expect(steps).toEqual([
      { name: 'Wait for Deletion', type: 'Wait', enteredAt: at(0).toISOString(), outcome: 'running' },
    ]);
  });
});

describe('judgeRun', () => {
  it('fails a run with the caught error’s name and Lambda’s error message as cause', () => {
    const verdict = judgeRun({
      failure: {
        Error: 'ThrottledError',
        Cause: JSON.stringify({ errorType: 'ThrottledError', errorMessage: 'rds throttled' }),
      },
    });
    expect(verdict).toEqual({
      outcome: 'FAILED',
      status: 'FAIL',
      error: { name: 'ThrottledError', cause: 'rds throttled' },
    });
  });

  it('fails a run whose results include a FAIL with CheckFailedError naming it', () => {
    const verdict = judgeRun({ results: [result('PASS'), result('FAIL', 'dump-size')] });
    expect(verdict.outcome).toBe('FAILED');
    expect(verdict.error).toEqual({ name: 'CheckFailedError', cause: 'dump-size entmoot-prod: dump-size is FAIL' });
  });

  it('lets a run with warnings succeed with status WARN', () => {
    expect(judgeRun({ results: [result('PASS'), result('WARN')] })).toEqual({ outcome: 'SUCCEEDED', status: 'WARN' });
  });
});

describe('shouldNotify', () => {
  const ok = { outcome: 'SUCCEEDED' as const, status: 'PASS' as const };
  const bad = { outcome: 'FAILED' as const, status: 'FAIL' as const };

  it.each([
    ['always', ok, undefined, true],
    ['onFailure', ok, undefined, false],
    ['onFailure', bad, undefined, true],
    ['onChange', ok, 'PASS', false],
    ['onChange', bad, 'PASS', true],
    ['onChange', ok, 'FAIL', true],
    ['onChange', ok, undefined, false],
    ['onChange', bad, undefined, true],
  ] as const)('policy %s with %o after %s notifies: %s', (policy, record, previous, expected) => {
    expect(shouldNotify(policy, record, previous)).toBe(expected);
  });
});

describe('reportRun', () => {
  let deps: FakeReportDeps;
  const event = (state: ReportEvent['state'], d: WorkflowDescriptor = descriptor): ReportEvent => ({
    descriptor: d,
    execution,
    state,
  });

  beforeEach(() => {
    deps = new FakeReportDeps();
  });

  it('writes the evidence record with input, steps, results and measured times against targets', async () => {
    deps.historyEvents = [
      { type: 'TaskStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'Check Snapshot Age' } },
      { type: 'TaskStateExited', timestamp: at(5), stateExitedEventDetails: { name: 'Check Snapshot Age' } },
    ];
    const out = await reportRun(
      event({ results: [result('PASS')], measurements: [{ name: 'restore', seconds: 1800, targetSeconds: 3600 }] }),
      plan,
      deps,
    );

    const key = evidenceKey('backup-verification', execution.StartTime, 'run-1');
    expect(out).toEqual({ outcome: 'SUCCEEDED', status: 'PASS', evidenceKey: key, notified: true });
    expect(key).toBe('runs/backup-verification/2025/11/10/run-1.json');
    expect(deps.record(key)).toMatchObject({
      schema: 'entmoot-dr/evidence@1',
      outcome: 'SUCCEEDED',
      input: { trigger: 'schedule' },
      execution: { name: 'run-1', startedAt: execution.StartTime, endedAt: '2025-11-10T06:30:00.000Z' },
      steps: [{ name: 'Check Snapshot Age', outcome: 'succeeded' }],
      results: [expect.objectContaining({ check: 'snapshot-age', status: 'PASS' })],
      measurements: [{ name: 'restore', seconds: 1800, targetSeconds: 3600, met: true }],
      reportedBy: 'workflow',
    });
  });

  it('sends one informational notification for an all-PASS run under the always policy', async () => {
    await reportRun(event({ results: [result('PASS')] }), plan, deps);
    expect(deps.published).toHaveLength(1);
    expect(deps.published[0]?.subject).toMatch(/^\[INFO\] Weekly backup verification passed/);
  });

  it('gives a failed run the priority of its scenario and the error in the notification', async () => {
    const out = await reportRun(event({ results: [result('FAIL')] }), plan, deps);
    expect(out).toMatchObject({ outcome: 'FAILED', errorName: 'CheckFailedError' });
    const message = JSON.parse(deps.published[0]?.message ?? '{}') as { default: string };
    expect(deps.published[0]?.subject).toMatch(/^\[HIGH\]/);
    expect(message.default).toContain('SEVERITY: HIGH');
    expect(message.default).toContain('ESTIMATED DURATION: 30 minutes (RTO of Region failure (DR))');
  });

  it('stays silent on success under the on-failure policy but still writes evidence', async () => {
    const out = await reportRun(
      event({ results: [result('PASS')] }, { ...descriptor, policy: 'onFailure' }),
      plan,
      deps,
    );
    expect(out.notified).toBe(false);
    expect(deps.published).toHaveLength(0);
    expect(deps.objects.has(out.evidenceKey)).toBe(true);
  });

  it('writes evidence but never notifies for a run another workflow started, even a failed one', async () => {
    const child = {
      ...execution,
      Input: { dbInstanceId: 'entmoot-prod', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:aws:states:::parent' },
    };

    const out = await reportRun({ descriptor, execution: child, state: { results: [result('FAIL')] } }, plan, deps);

    expect(out).toMatchObject({ outcome: 'FAILED', notified: false });
    expect(deps.published).toHaveLength(0);
    expect(deps.record(out.evidenceKey)).toMatchObject({ notification: 'not-required', status: 'FAIL' });
  });

  it('notifies on a change of state only, comparing with the previous run', async () => {
    const onChange = { ...descriptor, policy: 'onChange' as const };
    await reportRun(event({ results: [result('PASS')] }, onChange), plan, deps);
    await reportRun(
      { ...event({ results: [result('PASS')] }, onChange), execution: { ...execution, Name: 'run-2' } },
      plan,
      deps,
    );
    await reportRun(
      { ...event({ results: [result('WARN')] }, onChange), execution: { ...execution, Name: 'run-3' } },
      plan,
      deps,
    );
    expect(deps.published.map((p) => p.subject.slice(0, 8))).toEqual(['[MEDIUM]']);
  });

  it('never notifies twice for the same run when the report step is retried', async () => {
    await reportRun(event({ results: [result('FAIL')] }), plan, deps);
    await reportRun(event({ results: [result('FAIL')] }), plan, deps);
    expect(deps.published).toHaveLength(1);
  });

  it('lets a retry publish after a failed publish, and fails the attempt with ThrottledError', async () => {
    deps.publishFailures = 1;
    await expect(reportRun(event({ results: [result('FAIL')] }), plan, deps)).rejects.toMatchObject({
      name: 'ThrottledError',
    });
    await reportRun(event({ results: [result('FAIL')] }), plan, deps);
    expect(deps.published).toHaveLength(1);
  });

  it('rejects an event without a policy before touching the bucket', async () => {
    const bad = { ...event({}), descriptor: { ...descriptor, policy: 'sometimes' } } as unknown as ReportEvent;
    await expect(reportRun(bad, plan, deps)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringMatching(/policy of always, onFailure, onChange/),
    });
    expect(deps.objects.size).toBe(0);
  });
});
