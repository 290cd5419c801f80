import type { WorkflowDescriptor } from '../../../functions/report/evidence';
import { reportRun, reportUnreportedRun } from '../../../functions/report/report-run';
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
