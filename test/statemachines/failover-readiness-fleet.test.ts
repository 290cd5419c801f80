import { nodeDnsDeps } from '../../functions/shared/authoritative-dns';
import { FAILOVER_READINESS_DESCRIPTOR } from '../../lib/failover-readiness';
import { type LocalDnsServer, startDnsServer } from '../support/dns-server';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { fleetPlan } from '../support/fleet';
import { synthesize } from '../support/synth';
import { runScheduled } from '../support/workflow-helpers';

const SIZE = 500;
const plan = fleetPlan(SIZE);
const { recovery } = synthesize(plan);
const RECORD = plan.dns.records[0]!;
const NOW = new Date('2026-12-01T07:30:00Z');
let server: LocalDnsServer;

beforeAll(async () => {
  server = await startDnsServer(plan.dns.zoneName, {
    [RECORD.name]: { cname: RECORD.primaryTarget },
    [RECORD.primaryTarget]: { a: ['198.51.100.10'] },
    [RECORD.recoveryTarget]: { a: ['198.51.100.20'] },
  });
});
afterAll(() => server.close());

describe(`failover readiness of ${SIZE} DR replicas`, () => {
  it('checks every replica in batches from the recovery region only, keeps the state within 256 KiB and reports once', async () => {
    const stack = stackWorkflows(recovery.toJSON(), 'us-west-2', plan, {
      dns: nodeDnsDeps(server.resolver(), { port: server.port, timeoutMs: 300 }),
    });
    const model = stack.newModel(NOW);
    for (const db of plan.databases) {
      model.addDbInstance('us-east-1', { id: db.id });
      model.addDbInstance('us-west-2', {
        id: db.drReplica!,
        replicaOf: `arn:aws:rds:us-east-1:${model.account}:db:${db.id}`,
      });
      model.dbInstance('us-west-2', db.drReplica!)!.iamAuth = true;
      model.cloudwatch.seedDatapoints(
        'us-west-2',
        { namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensions: { DBInstanceIdentifier: db.drReplica! } },
        [{ at: new Date(NOW.getTime() - 60_000), value: 20 }],
      );
    }
    const [alarm] = Object.values(
      recovery.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'edr-primary-region-active' } }),
    ).map((a) => a.Properties);
    model.addAlarm('us-west-2', { ...alarm, Dimensions: alarm.Dimensions ?? [], StateValue: 'OK' });
    model.addSecret('us-west-2', { name: plan.health.tokenSecretName });
    const machine = stack.machine('FailoverReadinessFleetWorkflowStateMachine');

    const result = await runScheduled({
      stack,
      machine,
      model,
      descriptor: FAILOVER_READINESS_DESCRIPTOR,
      executionName: 'daily-fleet',
    });

    const batches = Math.ceil(SIZE / plan.fleet.batchSize) + 1;
    expect(result.status).toBe('SUCCEEDED');
    expect(result.largestPayloadBytes).toBeLessThan(262_144);
    const records = evidenceRecords(model, stack.evidenceBucket);
    expect(records).toHaveLength(1);
    const [record] = records;
    const replicas = record.results.filter((r: { check: string }) => r.check === 'dr-replica-promotable');
    expect({
      replicas: replicas.map((r: { target: string }) => r.target).sort(),
      notPassed: record.results.filter((r: { status: string }) => r.status !== 'PASS').length,
    }).toEqual({ replicas: plan.databases.map((d) => d.drReplica).sort(), notPassed: 0 });
    const calls = (action: string) => model.calls.filter((c) => c.action === action);
    expect({
      batches: result.path.filter((s) => s === 'Check Batch').length,
      describes: calls('DescribeDBInstances').length,
      metricReads: calls('GetMetricData').length,
      outsideRecovery: model.calls.filter((c) => c.region !== 'us-west-2' && !c.endpoint).length,
    }).toEqual({ batches, describes: SIZE, metricReads: batches - 1, outsideRecovery: 0 });
    expect(model.snsMessages()).toEqual([]);
  }, 900_000);
});
