import type { WorkflowDescriptor } from '../../../functions/report/evidence';
import { PIR_QUESTIONS, pirKey } from '../../../functions/report/post-incident-review';
import { reportRun } from '../../../functions/report/report-run';
import { FakeReportDeps } from '../../support/fake-evidence';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const descriptor: WorkflowDescriptor = {
  workflow: 'point-in-time-recovery',
  title: 'Point-in-time recovery',
  scenario: 'dataCorruption',
  policy: 'always',
  postIncidentReview: true,
  measurements: [{ name: 'total', from: 'restoreRequested', to: 'validated', target: 'dataCorruption' }],
};
const execution = {
  Id: 'arn:aws:states:us-east-1:123456789012:execution:edr-point-in-time-recovery:pitr-1',
  Name: 'pitr-1',
  StartTime: '2025-11-10T14:07:00.000Z',
  Input: {
    sourceDbInstanceId: 'entmoot-prod',
    targetTime: '2025-11-10T12:00:00Z',
    reason: 'bad migration\n4711',
    trigger: { kind: 'alarm', alarmName: 'edr-consistency', stateChangeTime: '2025-11-10T14:05:00Z' },
  },
};
const at = (minutes: number) => new Date(Date.parse('2025-11-10T14:07:00Z') + minutes * 60_000);
const KEY = 'runs/point-in-time-recovery/2025/11/10/pitr-1';

function deps(): FakeReportDeps {
  const d = new FakeReportDeps();
  d.clock = at(80);
  d.historyEvents = [
    { type: 'TaskStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'Plan the Recovery' } },
    { type: 'TaskStateExited', timestamp: at(1), stateExitedEventDetails: { name: 'Plan the Recovery' } },
    { type: 'TaskStateEntered', timestamp: at(70), stateEnteredEventDetails: { name: 'Validate Copy' } },
    { type: 'TaskFailed', timestamp: at(71), taskFailedEventDetails: { error: 'DatabaseUnreachableError' } },
    { type: 'TaskStateExited', timestamp: at(71), stateExitedEventDetails: { name: 'Validate Copy' } },
  ];
  return d;
}

const state = {
  results: [
    {
      check: 'pitr-data-loss-window',
      target: 'entmoot-prod',
      status: 'PASS' as const,
      observed: '2025-11-10T12:00:00.000Z',
      threshold: null,
      detail: 'writes to entmoot-prod after 2025-11-10T12:00:00.000Z are in entmoot-prod only',
    },
  ],
  marks: { restoreRequested: { at: at(1).toISOString() }, validated: { at: at(75).toISOString() } },
};

describe('the post-incident review draft', () => {
  it('is written beside the evidence with trigger, reason, timeline, measured times, data-loss window and the seven questions', async () => {
    const d = deps();

    await reportRun({ descriptor, execution, state }, plan, d);

    const text = d.objects.get(`${KEY}.pir.md`) as string;
    expect(text.split('\n')[0]).toMatch(
      /^# Post-incident review \(draft\): Point-in-time recovery, EDR-20251110-[0-9a-f]{4}$/,
    );
    expect(text).toContain('- Trigger: alarm edr-consistency (state change at 2025-11-10T14:05:00Z)');
    expect(text).toContain('- Reason given: bad migration 4711');
    const timeline = text.slice(text.indexOf('## Timeline'), text.indexOf('## Measured times'));
    expect(timeline.trim().split('\n').slice(2)).toEqual([
      '- 2025-11-10T14:07:00.000Z run started',
      '- 2025-11-10T14:07:00.000Z Plan the Recovery',
      '- 2025-11-10T14:08:00.000Z mark: restoreRequested',
      '- 2025-11-10T15:17:00.000Z Validate Copy failed (DatabaseUnreachableError)',
      '- 2025-11-10T15:22:00.000Z mark: validated',
      '- 2025-11-10T15:27:00.000Z run ended FAILED',
    ]);
    expect(text).toContain('| total | 4440 s | 3600 s | MISSED |');
    expect(text).toContain('- writes to entmoot-prod after 2025-11-10T12:00:00.000Z are in entmoot-prod only');
    expect(PIR_QUESTIONS.map((q) => text.includes(q))).toEqual(PIR_QUESTIONS.map(() => true));
  });

  it('is linked in the notification', async () => {
    const d = deps();

    await reportRun({ descriptor, execution, state }, plan, d);

    expect(d.published).toHaveLength(1);
    expect(d.published[0]!.message).toContain(`Post-incident review draft: s3://evidence-bucket/${KEY}.pir.md`);
  });

  it('is not written for a workflow that does not ask for it', async () => {
    const d = deps();

    await reportRun({ descriptor: { ...descriptor, postIncidentReview: false }, execution, state }, plan, d);

    expect([...d.objects.keys()].filter((k) => k.endsWith('.pir.md'))).toEqual([]);
    expect(d.published[0]!.message).not.toContain('Post-incident review draft');
  });

  it('sits beside its evidence record', () => {
    expect(pirKey(`${KEY}.json`)).toBe(`${KEY}.pir.md`);
  });
});
