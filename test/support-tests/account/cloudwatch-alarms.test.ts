import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { judgeFailoverAlarm, readFailoverAlarm } from '../../../functions/shared/failover-alarm';
import { AccountModel } from '../../support/account/model';
import { ALARM_SETTINGS } from '../../support/account/services';

const W = 'us-west-2';
const SWITCH = {
  AlarmName: 'entmoot-dr-primary-active',
  Namespace: 'EntmootDR/Failover',
  MetricName: 'PrimaryActive',
  Period: 60,
  Statistic: 'Minimum',
  TreatMissingData: 'missing',
  Dimensions: [],
  Threshold: 1,
  ComparisonOperator: 'LessThanThreshold',
  EvaluationPeriods: 1,
};

let restore: () => void = () => undefined;
afterEach(() => restore());

function setup() {
  const model = new AccountModel();
  restore = model.wireSdkMocks();
  return { model, west: new CloudWatchClient({ region: W, maxAttempts: 1 }) };
}

describe('the account model’s DescribeAlarms settings', () => {
  it('returns the period, statistic, missing-data treatment, dimensions, threshold and comparison seeded', async () => {
    const { model, west } = setup();
    model.addAlarm(W, { ...SWITCH, StateValue: 'INSUFFICIENT_DATA', ActionsEnabled: false });

    const out = await west.send(new DescribeAlarmsCommand({ AlarmNames: [SWITCH.AlarmName] }));

    expect(out.MetricAlarms).toEqual([
      {
        ...SWITCH,
        AlarmArn: `arn:aws:cloudwatch:${W}:123456789012:alarm:${SWITCH.AlarmName}`,
        StateValue: 'INSUFFICIENT_DATA',
        ActionsEnabled: false,
        AlarmActions: [],
      },
    ]);
  });

  it('leaves out the settings an alarm was not given, and returns an extended statistic and dimensions as set', async () => {
    const { model, west } = setup();
    model.addAlarm(W, { AlarmName: 'bare' });
    model.addAlarm(W, {
      AlarmName: 'p99',
      ExtendedStatistic: 'p99',
      Dimensions: [{ Name: 'Region', Value: 'us-east-1' }],
    });

    const out = await west.send(new DescribeAlarmsCommand({}));

    const byName = Object.fromEntries((out.MetricAlarms ?? []).map((a) => [a.AlarmName, a]));
    const settings = ALARM_SETTINGS;
    expect(settings.filter((k) => k in (byName.bare ?? {}))).toEqual([]);
    expect(byName.p99).toMatchObject({
      ExtendedStatistic: 'p99',
      Dimensions: [{ Name: 'Region', Value: 'us-east-1' }],
    });
    expect(byName.p99.Statistic).toBeUndefined();
  });

  it('gives the shared failover-alarm reader what it judges: no problem for the switch alarm, one for a percentile', async () => {
    const { model, west } = setup();
    model.addAlarm(W, SWITCH);
    model.addAlarm(W, { ...SWITCH, AlarmName: 'percentile', Statistic: undefined, ExtendedStatistic: 'p50' });
    const spec = { alarmName: SWITCH.AlarmName, metricNamespace: SWITCH.Namespace, metricName: SWITCH.MetricName };

    const good = judgeFailoverAlarm(await readFailoverAlarm(west, SWITCH.AlarmName), spec);
    const bad = judgeFailoverAlarm(await readFailoverAlarm(west, 'percentile'), { ...spec, alarmName: 'percentile' });

    expect(good).toEqual({ problems: [], failedOver: false, state: 'OK' });
    expect(bad.problems).toEqual(['it uses the extended statistic p50, which Route 53 does not accept']);
  });
});
