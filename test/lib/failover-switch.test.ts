import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { judgeFailoverAlarm } from '../../functions/shared/failover-alarm';
import { FAILOVER_HEALTH_CHECK_OUTPUT } from '../../lib/failover-switch';
import type { DrPlan, DrPlanInput } from '../../lib/plan';
import { configuredPlan, examplePlanInput } from '../support/plans';
import { synthesize, type Synthesized } from '../support/synth';

const PANEL = 'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef';

const withControl = (control: NonNullable<DrPlanInput['dns']>['control']) =>
  configuredPlan({ dns: { ...examplePlanInput().dns, control } });

type AlarmControl = Extract<DrPlan['dns']['control'], { kind: 'healthCheckAlarm' }>;

function alarmsNamed(template: Template, name: string): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((r) => r.Properties as Record<string, unknown>)
    .filter((p) => p.AlarmName === name);
}

describe('the failover switch of the default plan (healthCheckAlarm, created by the stack)', () => {
  let synth: Synthesized;
  let control: AlarmControl;

  beforeAll(() => {
    synth = synthesize();
    control = synth.stacks.recovery.plan.dns.control as AlarmControl;
  });

  it('is the plan’s default control: a healthCheckAlarm the stack creates', () => {
    expect([control.kind, control.createdByStack]).toEqual(['healthCheckAlarm', true]);
  });

  it('creates one alarm named dns.control.alarmName on the plan’s metric, without dimensions or actions', () => {
    const alarms = alarmsNamed(synth.recovery, control.alarmName);

    expect(alarms).toEqual([
      {
        AlarmName: 'edr-primary-region-active',
        AlarmDescription: expect.stringContaining('Not a page'),
        Namespace: 'EntmootDR/Failover',
        MetricName: 'PrimaryRegionActive',
        Statistic: 'Minimum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'missing',
      },
    ]);
  });

  it('creates an alarm that readiness judges fit for a Route 53 health check, and not failed over', () => {
    const props = alarmsNamed(synth.recovery, control.alarmName)[0] as MetricAlarm;
    const deployed: MetricAlarm = { ...props, StateValue: 'INSUFFICIENT_DATA' };

    const judgement = judgeFailoverAlarm(deployed, control);

    expect(judgement).toEqual({ problems: [], failedOver: false, state: 'INSUFFICIENT_DATA' });
  });

  it('creates one Route 53 health check on that alarm in the recovery region, keeping its last status without data', () => {
    const checks = Object.values(synth.recovery.findResources('AWS::Route53::HealthCheck'));

    expect(checks.map((c) => c.Properties.HealthCheckConfig)).toEqual([
      {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Name: 'edr-primary-region-active', Region: 'us-west-2' },
        InsufficientDataHealthStatus: 'LastKnownStatus',
        Inverted: false,
      },
    ]);
  });

  it('names the health check for the console and creates it after the alarm it reads', () => {
    const { recovery } = synth.stacks;
    const alarmId = recovery.getLogicalId(recovery.failoverSwitch!.alarm.node.defaultChild as CfnAlarm);
    const [check] = Object.values(synth.recovery.findResources('AWS::Route53::HealthCheck'));

    expect([check!.Properties.HealthCheckTags, check!.DependsOn]).toEqual([
      [{ Key: 'Name', Value: 'edr-failover-switch' }],
      [alarmId],
    ]);
  });

  it('outputs the health check id, telling the operator to attach it to the primary failover record', () => {
    const { recovery } = synth.stacks;
    const checkId = recovery.resolve(recovery.failoverSwitch!.healthCheck.healthCheckId);

    const output = synth.recovery.findOutputs(FAILOVER_HEALTH_CHECK_OUTPUT)[FAILOVER_HEALTH_CHECK_OUTPUT];

    expect(output).toEqual({
      Value: checkId,
      Description: expect.stringMatching(
        /attach it once, before any outage, as HealthCheckId of the PRIMARY failover record/,
      ),
    });
  });

  it('is never in the primary stack', () => {
    expect([
      alarmsNamed(synth.primary, control.alarmName),
      synth.primary.findResources('AWS::Route53::HealthCheck'),
      synth.primary.findOutputs(FAILOVER_HEALTH_CHECK_OUTPUT),
    ]).toEqual([[], {}, {}]);
  });
});

describe.each([
  [
    'a healthCheckAlarm with createdByStack false',
    () =>
      withControl({
        kind: 'healthCheckAlarm',
        alarmName: 'entmoot-primary-active',
        metricNamespace: 'Entmoot/Failover',
        metricName: 'PrimaryActive',
        createdByStack: false,
      }),
    'entmoot-primary-active',
  ],
  [
    'an ARC control',
    () =>
      withControl({
        kind: 'arc',
        clusterEndpoints: [
          { region: 'us-west-2', url: 'https://host-bbbbbb.us-west-2.route53-recovery-cluster.amazonaws.com/v1' },
        ],
        primaryRoutingControlArn: `${PANEL}/routingcontrol/aaaaaaaaaaaaaaaa`,
        recoveryRoutingControlArn: `${PANEL}/routingcontrol/bbbbbbbbbbbbbbbb`,
      }),
    'edr-primary-region-active',
  ],
])('with %s', (_, plan, alarmName) => {
  let synth: Synthesized;

  beforeAll(() => {
    synth = synthesize(plan());
  });

  it.each(['primary', 'recovery'] as const)('the %s stack creates no switch alarm, health check or output', (which) => {
    const template = synth[which];

    expect([
      alarmsNamed(template, alarmName),
      template.findResources('AWS::Route53::HealthCheck'),
      template.findOutputs(FAILOVER_HEALTH_CHECK_OUTPUT),
      synth.stacks.recovery.failoverSwitch,
    ]).toEqual([[], {}, {}, undefined]);
  });
});
