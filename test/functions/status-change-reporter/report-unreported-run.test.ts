import type { WorkflowDescriptor } from '../../../functions/report/evidence';
import { reportRun } from '../../../functions/report/report-run';
import { reportUnreportedRun } from '../../../functions/status-change-reporter/report-unreported-run';
import type { CheckResult } from '../../../functions/shared/check-result';
import { FakeReportDeps } from '../../support/fake-evidence';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const execution = {
  Id: 'arn:aws:states:us-east-1:123456789012:execution:edr-backup-verification:run-1',
  Name: 'run-1',
  StartTime: '2025-11-10T06:00:00.000Z',
};
const detail = {
  executionArn: execution.Id,
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-backup-verification',
  name: 'run-1',
  status: 'FAILED',
  startDate: Date.parse(execution.StartTime),
  stopDate: Date.parse('2025-11-10T06:10:00Z'),
  error: 'ReportFailedError',
  cause: 'The report step failed; the status-change reporter records this run',
};
const descriptor = (policy: WorkflowDescriptor['policy']): WorkflowDescriptor => ({
  workflow: 'backup-verification',
  title: 'Weekly backup verification',
  scenario: 'restoreFromBackup',
  policy,
});
const fail: CheckResult = {
  check: 'snapshot-age',
  target: 'entmoot-prod',
  status: 'FAIL',
  observed: 30,
  threshold: 24,
  detail: 'old',
};
const pass: CheckResult = { ...fail, status: 'PASS', observed: 3, detail: 'fresh' };

describe('the status-change reporter after the report step wrote evidence', () => {
  it('notifies a run whose Publish failed after its evidence was written, exactly once', async () => {
    const deps = new FakeReportDeps();
    deps.publishFailures = 1;
    await expect(
      reportRun({ descriptor: descriptor('always'), execution, state: { results: [fail] } }, plan, deps),
    ).rejects.toMatchObject({ name: 'ThrottledError' });

    const first = await reportUnreportedRun({ descriptor: descriptor('always'), detail }, plan, deps);
    const second = await reportUnreportedRun({ descriptor: descriptor('always'), detail }, plan, deps);

    expect([first.action, second.action]).toEqual(['notified', 'already-reported']);
    expect(deps.published.map((p) => p.subject)).toEqual([
      expect.stringMatching(/^\[HIGH\] Weekly backup verification failed/),
    ]);
  });

  it('stays silent when the evidence records that the policy required no notification', async () => {
    const deps = new FakeReportDeps();
    await reportRun({ descriptor: descriptor('onFailure'), execution, state: { results: [pass] } }, plan, deps);

    const out = await reportUnreportedRun({ descriptor: descriptor('onFailure'), detail }, plan, deps);

    expect([out.action, deps.published]).toEqual(['already-reported', []]);
    expect(deps.record(out.evidenceKey).notification).toBe('not-required');
  });

  it('stays silent when the report step’s notification went out (its marker exists)', async () => {
    const deps = new FakeReportDeps();
    await reportRun({ descriptor: descriptor('always'), execution, state: { results: [fail] } }, plan, deps);

    const out = await reportUnreportedRun({ descriptor: descriptor('always'), detail }, plan, deps);

    expect([out.action, deps.published.length]).toEqual(['already-reported', 1]);
  });
});

describe('reportUnreportedRun', () => {
  const regionDescriptor: WorkflowDescriptor = {
    workflow: 'backup-verification',
    title: 'Weekly backup verification',
    scenario: 'regionFailure',
    policy: 'always',
  };
  const scheduledRun = { ...execution, Input: { trigger: 'schedule' } };
  let deps: FakeReportDeps;
  const endedWith = (status: string) => ({
    executionArn: execution.Id,
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-backup-verification',
    name: 'run-1',
    status,
    startDate: Date.parse(execution.StartTime),
    stopDate: Date.parse('2025-11-10T07:00:00Z'),
    input: '{"trigger":"schedule"}',
    error: status === 'TIMED_OUT' ? 'States.Timeout' : null,
    cause: null,
  });

  beforeEach(() => {
    deps = new FakeReportDeps();
  });

  it('writes evidence and notifies for a timed-out run that never reached its report', async () => {
    const out = await reportUnreportedRun({ descriptor: regionDescriptor, detail: endedWith('TIMED_OUT') }, plan, deps);
    expect(out).toEqual({
      action: 'reported',
      evidenceKey: 'runs/backup-verification/2025/11/10/run-1.json',
      notified: true,
    });
    expect(deps.record(out.evidenceKey)).toMatchObject({
      outcome: 'TIMED_OUT',
      status: 'FAIL',
      error: { name: 'States.Timeout' },
      reportedBy: 'status-change-reporter',
      input: { trigger: 'schedule' },
    });
    expect(deps.published).toHaveLength(1);
    expect(deps.published[0]?.subject).toMatch(/^\[HIGH\] Weekly backup verification timed out/);
  });

  it('writes evidence without notifying for an aborted child run (its parent reports)', async () => {
    const detail = {
      ...endedWith('ABORTED'),
      input: JSON.stringify({ dbInstanceId: 'entmoot-prod', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:parent' }),
    };

    const out = await reportUnreportedRun({ descriptor: regionDescriptor, detail }, plan, deps);

    expect(out).toEqual({ action: 'reported', evidenceKey: out.evidenceKey, notified: false });
    expect(deps.record(out.evidenceKey)).toMatchObject({ outcome: 'ABORTED', notification: 'not-required' });
    expect(deps.published).toHaveLength(0);
  });

  it('reports an aborted run as ABORTED', async () => {
    const out = await reportUnreportedRun({ descriptor: regionDescriptor, detail: endedWith('ABORTED') }, plan, deps);
    expect(deps.record(out.evidenceKey)).toMatchObject({ outcome: 'ABORTED', error: { name: 'States.Aborted' } });
  });

  it('does nothing for a run its report step already recorded', async () => {
    await reportRun({ descriptor: regionDescriptor, execution: scheduledRun, state: { results: [fail] } }, plan, deps);
    const out = await reportUnreportedRun({ descriptor: regionDescriptor, detail: endedWith('FAILED') }, plan, deps);
    expect(out.action).toBe('already-reported');
    expect(deps.published).toHaveLength(1);
  });

  it('rejects an event for a run that succeeded', async () => {
    await expect(
      reportUnreportedRun({ descriptor: regionDescriptor, detail: endedWith('SUCCEEDED') }, plan, deps),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});
