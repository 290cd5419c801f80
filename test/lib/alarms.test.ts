import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DrAlarmFactory } from '../../lib/alarms';
import { DrDashboard } from '../../lib/dashboard';
import { synthesize } from '../support/synth';

function build() {
  const stack = new Stack(new App(), 'AlarmsTest', { env: { region: 'us-east-1', account: '123456789012' } });
  const topic = new sns.Topic(stack, 'Topic');
  const dashboard = new DrDashboard(stack, 'Dashboard', { dashboardName: 'edr-test' });
  const alarms = new DrAlarmFactory(stack, 'Alarms', { prefix: 'edr', topic, dashboard });
  const metric = new cloudwatch.Metric({ namespace: 'EntmootDR', metricName: 'X', period: Duration.days(1) });
  const base = {
    description: 'd',
    metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.IGNORE,
  };
  return { stack, topic, alarms, base };
}

describe('DrAlarmFactory', () => {
  it('names the alarm <prefix>-<capability>-<what> and sends ALARM and OK to the topic', () => {
    const { stack, topic, alarms, base } = build();

    alarms.alarm(stack, 'A', { ...base, capability: 'backup-verification', what: 'dump-size-failed' });

    const props = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))[0]!.Properties;
    const topicRef = stack.resolve(topic.topicArn);
    expect([props.AlarmName, props.AlarmActions, props.OKActions, props.TreatMissingData]).toEqual([
      'edr-backup-verification-dump-size-failed',
      [topicRef],
      [topicRef],
      'ignore',
    ]);
  });

  it('creates an alarm without actions when the caller asks for no notification', () => {
    const { stack, alarms, base } = build();

    alarms.alarm(stack, 'A', { ...base, capability: 'router', what: 'primary-down', notify: false });

    const props = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))[0]!.Properties;
    expect([props.AlarmName, props.AlarmActions, props.OKActions]).toEqual([
      'edr-router-primary-down',
      undefined,
      undefined,
    ]);
  });

  it('puts every alarm on the dashboard’s alarm status widget', () => {
    const { stack, alarms, base } = build();

    alarms.alarm(stack, 'A', { ...base, capability: 'freshness', what: 'janitor-overdue' });
    alarms.alarm(stack, 'B', { ...base, capability: 'router', what: 'silent', notify: false });

    const template = Template.fromStack(stack);
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    const ids = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(ids.map((id) => body.includes(`{"Fn::GetAtt":["${id}","Arn"]}`))).toEqual([true, true]);
  });

  it.each([
    ['capability', { capability: 'Backup', what: 'x' }, /alarm capability "Backup" must be kebab-case/],
    ['what', { capability: 'backup', what: 'a b' }, /alarm what "a b" must be kebab-case/],
  ])('refuses a %s that is not kebab-case', (_, names, message) => {
    const { stack, alarms, base } = build();
    expect(() => alarms.alarm(stack, 'A', { ...base, ...names })).toThrow(message);
  });

  it('names an alarm by the name the plan gives it, instead of <prefix>-<capability>-<what>', () => {
    const { stack, alarms, base } = build();

    alarms.alarm(stack, 'A', { ...base, capability: 'failover', what: 'switch', alarmName: 'Primary Region Active' });

    const props = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))[0]!.Properties;
    expect(props.AlarmName).toBe('Primary Region Active');
  });

  it('refuses a given name that another alarm of the stack has already', () => {
    const { stack, alarms, base } = build();
    alarms.alarm(stack, 'A', { ...base, capability: 'freshness', what: 'janitor-overdue' });
    expect(() =>
      alarms.alarm(stack, 'B', {
        ...base,
        capability: 'failover',
        what: 'switch',
        alarmName: 'edr-freshness-janitor-overdue',
      }),
    ).toThrow(
      'alarm edr-freshness-janitor-overdue exists already: name it differently from every other alarm of the stack',
    );
  });

  it('refuses a second alarm of the same name', () => {
    const { stack, alarms, base } = build();
    alarms.alarm(stack, 'A', { ...base, capability: 'x', what: 'y' });
    expect(() => alarms.alarm(stack, 'B', { ...base, capability: 'x', what: 'y' })).toThrow(
      'alarm edr-x-y exists already: give each alarm its own "what"',
    );
  });
});

describe('every alarm of both stacks', () => {
  const { stacks, primary, recovery } = synthesize();
  const control = stacks.recovery.plan.dns.control;
  const switchAlarm = control.kind === 'healthCheckAlarm' ? control.alarmName : undefined;

  it('goes through the alarm factory: no construct under lib/ wires alarm actions itself', () => {
    const lib = join(__dirname, '..', '..', 'lib');
    const wiring = readdirSync(lib)
      .filter((f) => f.endsWith('.ts') && f !== 'alarms.ts')
      .filter((f) =>
        /\.add(Alarm|Ok|InsufficientData)Action\(|new cloudwatch\.Alarm\(/.test(readFileSync(join(lib, f), 'utf8')),
      );
    expect(wiring).toEqual([]);
  });

  it.each([
    ['primary', primary],
    ['recovery', recovery],
  ])(
    'in the %s stack is named edr-<capability>-<what>, notifies ALARM and OK (but the on-change checks’ per-check alarms and the failover switch), and is on the dashboard',
    (_, template) => {
      const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
      const dashboard = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
      for (const [id, { Properties: alarm }] of alarms) {
        // The replication and posture checks report on change; their per-check alarms have no action (README). The
        // failover switch's alarm is a switch, not a page: no action either.
        const actionless =
          /^edr-(replication-check|posture-check|failover-readiness)-.+-failed$/.test(alarm.AlarmName) ||
          alarm.AlarmName === switchAlarm;
        const actions = actionless ? undefined : 1;
        expect([alarm.AlarmName, alarm.AlarmActions?.length, alarm.OKActions?.length]).toEqual([
          expect.stringMatching(/^edr-[a-z0-9]+(-[a-z0-9]+)*$/),
          actions,
          actions,
        ]);
        expect(dashboard).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
      }
    },
  );
});
