import { Match, type Template } from 'aws-cdk-lib/assertions';
import { READINESS_CHECKS_BY_KIND } from '../../functions/failover-readiness/targets';
import type { DrPlanInput } from '../../lib/plan';
import type { RecoveryStack } from '../../lib/recovery-stack';
import { fleetPlan } from '../support/fleet';
import { configuredPlan, examplePlanInput } from '../support/plans';
import { synthesize } from '../support/synth';

const PANEL = 'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef';
const PRIMARY_CONTROL = `${PANEL}/routingcontrol/aaaaaaaaaaaaaaaa`;
const RECOVERY_CONTROL = `${PANEL}/routingcontrol/bbbbbbbbbbbbbbbb`;
const arcPlan = configuredPlan({
  dns: {
    ...examplePlanInput().dns,
    control: {
      kind: 'arc',
      clusterEndpoints: [
        { region: 'us-east-1', url: 'https://host-aaaaaa.us-east-1.example.com/v1' },
        { region: 'us-west-2', url: 'https://host-bbbbbb.us-west-2.example.com/v1' },
      ],
      primaryRoutingControlArn: PRIMARY_CONTROL,
      recoveryRoutingControlArn: RECOVERY_CONTROL,
    },
  } as DrPlanInput['dns'],
});

let recovery: Template;
let primary: Template;
let stack: RecoveryStack;
beforeAll(() => {
  const synthesized = synthesize();
  recovery = synthesized.recovery;
  primary = synthesized.primary;
  stack = synthesized.stacks.recovery as RecoveryStack;
});

/** Every statement of the readiness function's role (the one policy CDK gives it). */
function functionStatements(template: Template): Record<string, unknown>[] {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('^FailoverReadinessFleetCheckBatchRole') },
    }),
  );
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

/** Every action any policy of the readiness construct (function, workflow, schedule) allows. */
function readinessActions(template: Template): string[] {
  return Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('^FailoverReadiness') },
    }),
  ).flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => [s.Action].flat()),
  );
}

const logs = { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: expect.anything() };
const tracingAndMetrics = {
  Action: ['cloudwatch:GetMetricData', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
  Effect: 'Allow',
  Resource: '*',
};
const resultsWrite = {
  Action: 's3:PutObject',
  Effect: 'Allow',
  Resource: {
    'Fn::Join': [
      '',
      [{ 'Fn::GetAtt': [expect.stringMatching(/^EvidenceBucket/), 'Arn'] }, '/runs/failover-readiness/*'],
    ],
  },
};
const secret = {
  Action: 'secretsmanager:DescribeSecret',
  Effect: 'Allow',
  Resource: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:entmoot/token-??????',
};

describe('failover readiness in the recovery stack', () => {
  it('runs daily in the recovery stack only, watched by the freshness monitor', () => {
    recovery.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'edr-failover-readiness' });
    expect(
      Object.values(primary.findResources('AWS::StepFunctions::StateMachine')).map(
        (m) => m.Properties.StateMachineName,
      ),
    ).not.toContain('edr-failover-readiness');
    const schedules = Object.values(recovery.findResources('AWS::Events::Rule')).map(
      (r) => r.Properties.ScheduleExpression,
    );
    expect(schedules).toContain('cron(30 7 * * ? *)');
    expect(stack.freshness.jobs.filter((j) => j.job === 'failover-readiness').map((j) => j.intervalHours)).toEqual([
      24,
    ]);
  });

  it('has one alarm per check, without actions: the on-change report is the one notifier', () => {
    const checks = Object.values(READINESS_CHECKS_BY_KIND).flat();
    const alarms = Object.values(
      recovery.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmName: Match.stringLikeRegexp('^edr-failover-readiness-.*-failed$') },
      }),
    ).map((a) => a.Properties);
    expect(alarms.map((a) => a.Dimensions[0].Value).sort()).toEqual([...checks].sort());
    for (const alarm of alarms) {
      expect(alarm).toEqual({
        AlarmName: `edr-failover-readiness-${alarm.Dimensions[0].Value}-failed`,
        AlarmDescription: expect.any(String),
        Namespace: 'EntmootDR',
        MetricName: 'CheckFailed',
        Dimensions: [{ Name: 'Check', Value: alarm.Dimensions[0].Value }],
        Statistic: 'Maximum',
        Period: 86400,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
      });
    }
  });

  it('reads only the DR replica, the switch alarm and the token secret, all in the recovery region', () => {
    expect(functionStatements(recovery)).toEqual([
      logs,
      tracingAndMetrics,
      resultsWrite,
      {
        Action: 'rds:DescribeDBInstances',
        Effect: 'Allow',
        Resource: 'arn:aws:rds:us-west-2:123456789012:db:entmoot-prod-dr-replica',
      },
      {
        Action: 'cloudwatch:DescribeAlarms',
        Effect: 'Allow',
        Resource: 'arn:aws:cloudwatch:us-west-2:123456789012:alarm:edr-primary-region-active',
      },
      secret,
    ]);
  });

  it('reads the two routing controls, and no alarm, when the plan’s DNS control is ARC', () => {
    const statements = functionStatements(synthesize(arcPlan).recovery);
    expect(statements).toContainEqual({
      Action: 'route53-recovery-cluster:GetRoutingControlState',
      Effect: 'Allow',
      Resource: [PRIMARY_CONTROL, RECOVERY_CONTROL],
    });
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('cloudwatch:DescribeAlarms');
  });

  it('allows no iam: or route53: action and no resource outside the recovery region, for any plan', () => {
    for (const template of [recovery, synthesize(arcPlan).recovery]) {
      const actions = readinessActions(template);
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => /^(iam|route53|sts):/i.test(a))).toEqual([]);
      const regions = functionStatements(template)
        .flatMap((s) => [s.Resource].flat())
        .filter((r): r is string => typeof r === 'string' && r.startsWith('arn:'))
        .map((arn) => arn.split(':')[3]);
      expect(new Set(regions)).toEqual(new Set(regions.filter((r) => r === 'us-west-2' || r === '')));
      expect(regions).toContain('us-west-2');
    }
  });

  it('names the DR replicas of a 500-database fleet by patterns that fit the policy budget, in the recovery region', () => {
    const statements = functionStatements(synthesize(fleetPlan(500)).recovery);
    const describe = statements.find((s) => s.Action === 'rds:DescribeDBInstances');
    const resources = [describe?.Resource].flat() as string[];
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.length).toBeLessThanOrEqual(8);
    for (const arn of resources) expect(arn).toMatch(/^arn:aws:rds:us-west-2:123456789012:db:[a-z0-9-]*\*?[a-z0-9-]*$/);
    expect(JSON.stringify(statements).length).toBeLessThan(10_240);
  });
});
