import type { CfnResource } from 'aws-cdk-lib';
import { DescribeStateMachineCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { checkFreshness } from '../../functions/freshness/check-freshness';
import { synthesize } from '../support/synth';

describe('a first deploy is quiet', () => {
  const { stacks, primary, recovery } = synthesize();
  const cases = [
    [
      'primary',
      stacks.primary,
      primary,
      [
        'janitor',
        'backup-verification',
        'replication-check',
        'posture-check',
        'snapshot-restore-test',
        'dump-restore-test',
      ],
    ],
    ['recovery', stacks.recovery, recovery, ['janitor', 'failover-readiness']],
  ] as const;

  it.each(cases)(
    'the %s stack runs the freshness monitor as a custom resource on deploy, after the watched state machines exist',
    (_, stack, template, jobs) => {
      const hooks = Object.values(template.findResources('Custom::FreshnessFirstRun'));
      const fnId = stack.getLogicalId(stack.freshness.function.node.defaultChild as CfnResource);
      const machineIds = stack.freshness.jobs.map((j) => stack.resolve(j.stateMachineArn).Ref as string);

      expect(hooks).toHaveLength(1);
      expect(hooks[0]!.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(machineIds).toHaveLength(jobs.length);
      for (const machine of machineIds) expect(hooks[0]!.DependsOn).toContain(machine);
    },
  );

  it.each(cases)(
    'every overdue alarm of the %s stack is created only after that first run published its datapoints',
    (_, __, template, jobs) => {
      const triggerId = Object.keys(template.findResources('Custom::FreshnessFirstRun'))[0]!;
      const overdue = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
        (a) => a.Properties.MetricName === 'HoursSinceSuccess',
      );

      expect(overdue.map((a) => a.Properties.TreatMissingData)).toEqual(jobs.map(() => 'breaching'));
      for (const alarm of overdue) expect(alarm.DependsOn).toContain(triggerId);
    },
  );
});

describe('the monitor’s run at deploy', () => {
  it('measures a job that has not run yet from its creation moments ago: 0 hours, not overdue', async () => {
    const now = new Date('2025-11-10T12:00:00Z');
    const sfn = {
      send: async (command: unknown) =>
        command instanceof ListExecutionsCommand
          ? { executions: [] }
          : command instanceof DescribeStateMachineCommand
            ? { creationDate: new Date(now.getTime() - 60_000) }
            : undefined,
    };
    const job = {
      job: 'backup-verification',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-backup-verification',
      intervalHours: 168,
      graceHours: 6,
    };

    const [result] = await checkFreshness([job], { sfn: sfn as never, now: () => now });

    expect([result?.hoursSinceSuccess, result?.overdue]).toEqual([0, false]);
  });
});
