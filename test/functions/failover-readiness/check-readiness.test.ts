import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { checkReadinessBatch, type ReadinessDeps } from '../../../functions/failover-readiness/check-readiness';
import type { ReadinessTarget } from '../../../functions/failover-readiness/targets';
import { readinessTargets } from '../../../functions/failover-readiness/targets';
import { nodeDnsDeps } from '../../../functions/shared/authoritative-dns';
import { InvalidInputError } from '../../../functions/shared/errors';
import { type LocalDnsServer, startDnsServer } from '../../support/dns-server';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const RECORD = plan.dns.records[0]!;
const recoveryRds = new RDSClient({ region: 'us-west-2' });
const recoveryCloudWatch = new CloudWatchClient({ region: 'us-west-2' });
const recoverySecrets = new SecretsManagerClient({ region: 'us-west-2' });
const rds = mockClient(recoveryRds);
const cloudwatch = mockClient(recoveryCloudWatch);
const secrets = mockClient(recoverySecrets);
const probed: string[] = [];
let server: LocalDnsServer;
let deps: ReadinessDeps;

beforeAll(async () => {
  server = await startDnsServer(plan.dns.zoneName, { [RECORD.name]: { cname: RECORD.primaryTarget } });
  deps = {
    recoveryRds,
    recoveryCloudWatch,
    recoverySecrets,
    arcClient: () => {
      throw new Error('no ARC call for a health-check-alarm plan');
    },
    dns: nodeDnsDeps(server.resolver(), { port: server.port, timeoutMs: 300 }),
    reachability: {
      probe: async (host) => {
        probed.push(host);
      },
      port: 443,
    },
    now: () => new Date('2026-12-01T07:30:00Z'),
  };
});
afterAll(() => server.close());
beforeEach(() => {
  for (const m of [rds, cloudwatch, secrets]) m.reset();
  probed.length = 0;
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  secrets.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ['AWSCURRENT'] } });
});

describe('checkReadinessBatch', () => {
  it('lists each DR replica, then the failover path once', () => {
    expect(readinessTargets(plan)).toEqual([{ kind: 'drReplica', id: 'entmoot-prod' }, { kind: 'failoverPath' }]);
  });

  it('checks a batch of DR replicas without touching DNS, the switch, the secret or the primary', async () => {
    const results = await checkReadinessBatch([{ kind: 'drReplica', id: 'entmoot-prod' }], plan, deps);

    expect(results.map((r) => r.check)).toEqual(['dr-replica-promotable']);
    expect([secrets.calls().length, cloudwatch.commandCalls(DescribeAlarmsCommand).length, probed]).toEqual([0, 0, []]);
    expect(server.queries).toEqual([]);
  });

  it('checks the failover path once, in the order of the plan’s checks 2 to 6', async () => {
    const results = await checkReadinessBatch([{ kind: 'failoverPath' }, { kind: 'failoverPath' }], plan, deps);

    expect(results.map((r) => r.check)).toEqual([
      'dns-control',
      'dns-answers',
      'token-secret',
      'approvers',
      'primary-reachability',
    ]);
    expect(rds.calls()).toHaveLength(0);
    expect(probed).toEqual([RECORD.primaryTarget]);
  });

  it.each<[string, unknown]>([
    ['a target of another kind', [{ kind: 'bucket', bucket: 'entmoot-prod-files' }]],
    ['targets that are not a list', { kind: 'failoverPath' }],
  ])('refuses %s before any call', async (_, targets) => {
    await expect(checkReadinessBatch(targets as ReadinessTarget[], plan, deps)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect([rds.calls(), cloudwatch.calls(), secrets.calls(), probed]).toEqual([[], [], [], []]);
  });
});
