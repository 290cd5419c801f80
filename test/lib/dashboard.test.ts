import { synthesize } from '../support/synth';

describe('the dashboard', () => {
  const body = (template: ReturnType<typeof synthesize>['primary']): string => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    return JSON.stringify(dashboards[0]?.Properties.DashboardBody);
  };

  it('shows each scheduled job’s runs and hours since success against its overdue line', () => {
    const { primary, recovery } = synthesize();
    for (const text of [body(primary), body(recovery)]) {
      expect(text).toContain('Janitor: runs by outcome');
      expect(text).toContain('janitor: hours since last success');
      expect(text).toContain('\\"value\\":30,\\"label\\":\\"overdue\\"');
    }
    expect(body(primary)).toContain('\\"value\\":174,\\"label\\":\\"overdue\\"');
    expect(body(recovery)).not.toContain('backup-verification');
  });

  it('puts every backup check’s alarm in the primary stack’s alarm status widget', () => {
    const text = body(synthesize().primary);
    expect(text).toContain('\\"type\\":\\"alarm\\"');
    expect((text.match(/BackupVerificationAlarm/g) ?? []).length).toBeGreaterThanOrEqual(10);
  });
});
