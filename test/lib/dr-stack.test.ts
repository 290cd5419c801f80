import { synthesize } from '../support/synth';

describe('freshness', () => {
  it('watches every scheduled job of each stack', () => {
    const { stacks } = synthesize();
    expect(stacks.primary.freshness.jobs.map((j) => j.job)).toEqual([
      'janitor',
      'backup-verification',
      'replication-check',
      'posture-check',
      'snapshot-restore-test',
      'dump-restore-test',
    ]);
    expect(stacks.recovery.freshness.jobs.map((j) => j.job)).toEqual(['janitor', 'failover-readiness']);
  });

  it('alarms when the weekly verification is overdue by a week plus the grace', () => {
    const { primary } = synthesize();
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HoursSinceSuccess',
      Dimensions: [{ Name: 'Job', Value: 'backup-verification' }],
      Threshold: 168 + 6,
    });
  });

  it('alarms when the monthly dump restore test is overdue by its longest month plus the grace', () => {
    const { primary } = synthesize();
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HoursSinceSuccess',
      Dimensions: [{ Name: 'Job', Value: 'dump-restore-test' }],
      Threshold: 744 + 6,
    });
  });
});
