import { synthesize } from '../support/synth';

describe('workflow log groups', () => {
  const { primary, recovery } = synthesize();

  it.each([
    [
      'primary',
      primary,
      [
        '/aws/vendedlogs/states/edr-backup-verification',
        '/aws/vendedlogs/states/edr-dump-restore-test',
        '/aws/vendedlogs/states/edr-janitor',
        '/aws/vendedlogs/states/edr-point-in-time-recovery',
        '/aws/vendedlogs/states/edr-posture-check',
        '/aws/vendedlogs/states/edr-replication-check',
        '/aws/vendedlogs/states/edr-snapshot-restore-test',
        '/aws/vendedlogs/states/edr-snapshot-restore-test-db',
      ],
    ],
    ['recovery', recovery, ['/aws/vendedlogs/states/edr-failover-readiness', '/aws/vendedlogs/states/edr-janitor']],
  ])(
    'in the %s stack are named /aws/vendedlogs/states/<prefix>-<workflow>, one per state machine',
    (_, template, names) => {
      const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
      const logGroups = template.toJSON().Resources as Record<string, { Properties?: { LogGroupName?: string } }>;

      const used = machines.map((m) => {
        const arn = m.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
        return logGroups[arn['Fn::GetAtt'][0]]?.Properties?.LogGroupName;
      });

      expect(used.sort()).toEqual(names);
    },
  );
});
