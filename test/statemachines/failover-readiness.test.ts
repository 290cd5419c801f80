import type { Template } from 'aws-cdk-lib/assertions';
import { nodeDnsDeps } from '../../functions/shared/authoritative-dns';
import { FAILOVER_READINESS_DESCRIPTOR } from '../../lib/failover-readiness';
import type { DrPlanInput } from '../../lib/plan';
import type { AccountModel } from '../support/account/model';
import { type LocalDnsServer, NAME_SERVER_ADDRESSES, startDnsServer } from '../support/dns-server';
import { evidenceRecords, type StackWorkflows, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan, examplePlanInput } from '../support/plans';
import { synthesize } from '../support/synth';
import type { RunResult } from '../support/workflow/run';
import {
  expectReadOnlyRuns,
  sweepWorkflow,
  expectEveryFaultAtEveryTask,
  runScheduled,
  verdictsOf,
} from '../support/workflow-helpers';

const PANEL = 'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef';
const PRIMARY_CONTROL = `${PANEL}/routingcontrol/aaaaaaaaaaaaaaaa`;
const RECOVERY_CONTROL = `${PANEL}/routingcontrol/bbbbbbbbbbbbbbbb`;
const ENDPOINTS = [
  { region: 'us-east-1', url: 'https://host-aaaaaa.us-east-1.example.com/v1' },
  { region: 'us-west-2', url: 'https://host-bbbbbb.us-west-2.example.com/v1' },
];
const plan = configuredPlan();
const arcPlan = configuredPlan({
  dns: {
    ...examplePlanInput().dns,
    control: {
      kind: 'arc',
      clusterEndpoints: ENDPOINTS,
      primaryRoutingControlArn: PRIMARY_CONTROL,
      recoveryRoutingControlArn: RECOVERY_CONTROL,
    },
  } as DrPlanInput['dns'],
});
const RECORD = plan.dns.records[0]!;
const descriptor = FAILOVER_READINESS_DESCRIPTOR;
const NOW = new Date('2026-12-01T07:30:00Z');
const AT_PRIMARY = {
  [RECORD.name]: { cname: RECORD.primaryTarget },
  [RECORD.primaryTarget]: { a: ['198.51.100.10'] },
  [RECORD.recoveryTarget]: { a: ['198.51.100.20'] },
};

let server: LocalDnsServer;
let recovery: Template;
let stack: StackWorkflows;

beforeAll(async () => {
  server = await startDnsServer(plan.dns.zoneName, AT_PRIMARY);
  recovery = synthesize(plan).recovery;
  stack = stackWorkflows(recovery.toJSON(), 'us-west-2', plan, {
    dns: nodeDnsDeps(server.resolver(), { port: server.port, timeoutMs: 300 }),
  });
});
afterAll(() => server.close());
afterEach(() => {
  for (const address of NAME_SERVER_ADDRESSES) {
    server.setMode(address, 'normal');
    server.setRecords(address, undefined);
  }
});

/** The switch alarm exactly as the recovery stack deploys it, in the state given. */
function seedSwitchAlarm(model: AccountModel, template: Template, state: 'OK' | 'ALARM' = 'OK'): void {
  const [alarm] = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'edr-primary-region-active' } }),
  ).map((a) => a.Properties);
  model.addAlarm('us-west-2', { ...alarm, Dimensions: alarm.Dimensions ?? [], StateValue: state });
}

/** The account ready to fail over: the DR replica replicating, the switch alarm OK, the token secret replicated. */
function seedReady(model: AccountModel, options: { replicaStatus?: string; alarm?: 'OK' | 'ALARM' } = {}): void {
  model.addDbInstance('us-east-1', { id: 'entmoot-prod', backupRetentionPeriod: 30 });
  model.addDbInstance('us-west-2', {
    id: 'entmoot-prod-dr-replica',
    replicaOf: `arn:aws:rds:us-east-1:${model.account}:db:entmoot-prod`,
    status: options.replicaStatus,
  });
  model.dbInstance('us-west-2', 'entmoot-prod-dr-replica')!.iamAuth = true;
  model.cloudwatch.seedDatapoints(
    'us-west-2',
    { namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensions: { DBInstanceIdentifier: 'entmoot-prod-dr-replica' } },
    [1, 2, 3].map((m) => ({ at: new Date(NOW.getTime() - m * 60_000), value: 20 })),
  );
  seedSwitchAlarm(model, recovery, options.alarm);
  model.addSecret('us-east-1', { name: plan.health.tokenSecretName, replicaRegions: ['us-west-2'] });
}

function run(model: AccountModel, name: string, on: StackWorkflows = stack): Promise<RunResult> {
  const machine = on.machine('FailoverReadinessFleetWorkflowStateMachine');
  return runScheduled({ stack: on, machine, model, descriptor, executionName: name });
}

const verdicts = (model: AccountModel, on: StackWorkflows = stack) => verdictsOf(model, on.evidenceBucket);

/** The verdicts of a ready account, in the report's order; the primary's reachability as given. */
const readyVerdicts = (reachability: 'PASS' | 'WARN') => [
  'PASS dr-replica-promotable entmoot-prod-dr-replica',
  'PASS dns-control edr-primary-region-active',
  `PASS dns-answers ${RECORD.name}`,
  `PASS token-secret ${plan.health.tokenSecretName}`,
  'PASS approvers approvers',
  `${reachability} primary-reachability ${RECORD.primaryTarget}:443`,
];

/** Every AWS call of the run that is neither in the recovery region nor at an ARC cluster endpoint. */
const callsOutsideRecovery = (model: AccountModel) =>
  model.calls.filter((c) => c.region !== 'us-west-2' && !c.endpoint).map((c) => `${c.region} ${c.service}:${c.action}`);

describe('the failover readiness workflow', () => {
  it('finds every check ready, calls only the recovery region, and stays silent on a first all-PASS run', async () => {
    const model = stack.newModel(NOW);
    seedReady(model);

    const result = await run(model, 'daily-1');

    expect({ status: result.status, path: result.path }).toEqual({
      status: 'SUCCEEDED',
      path: [
        'Run Failover readiness',
        'Name Results Prefix',
        'List Batches',
        'Check Each Batch',
        'Check Batch',
        'Check Batch',
        'Collect Results',
        'Write Evidence and Notify',
        'Did the Run Succeed?',
        'Run Succeeded',
      ],
    });
    expect(verdicts(model)).toEqual(readyVerdicts('PASS'));
    expect(callsOutsideRecovery(model)).toEqual([]);
    expect(model.snsMessages()).toEqual([]);
  });

  it('completes while us-east-1 is unreachable: the primary is reported unreachable, everything else as it is', async () => {
    const model = stack.newModel(NOW);
    seedReady(model);
    model.setRegionReachable('us-east-1', false);

    const result = await run(model, 'daily-1');

    expect(result.status).toBe('SUCCEEDED');
    expect(verdicts(model)).toEqual(readyVerdicts('WARN'));
    const warning = evidenceRecords(model, stack.evidenceBucket)[0].results.at(-1);
    expect(warning.detail).toMatch(/if us-east-1 is down, the results above are what a failover meets now$/);
    expect(callsOutsideRecovery(model)).toEqual([]);
    expect(model.snsMessages().map((m) => m.Subject)).toEqual([
      expect.stringMatching(/^\[MEDIUM\] Failover readiness passed with warnings/),
    ]);
  });

  it('leads with NOT READY and the first failing check: a backing-up DR replica before a switch already in ALARM', async () => {
    const model = stack.newModel(NOW);
    seedReady(model, { replicaStatus: 'backing-up', alarm: 'ALARM' });

    const result = await run(model, 'daily-1');

    expect(result).toMatchObject({ status: 'FAILED', error: 'CheckFailedError' });
    expect(verdicts(model).filter((v: string) => v.startsWith('FAIL'))).toEqual([
      'FAIL dr-replica-promotable entmoot-prod-dr-replica',
      'FAIL dns-control edr-primary-region-active',
    ]);
    expect(model.snsMessages().map((m) => m.Subject)).toEqual([
      expect.stringMatching(
        /^\[HIGH\] NOT READY to fail over: dr-replica-promotable entmoot-prod-dr-replica \(EDR-20261201-[0-9a-f]{4}\)$/,
      ),
    ]);
  });

  it('fails when the name servers already answer the recovery target, naming it', async () => {
    const model = stack.newModel(NOW);
    seedReady(model);
    for (const address of NAME_SERVER_ADDRESSES)
      server.setRecords(address, { ...AT_PRIMARY, [RECORD.name]: { cname: RECORD.recoveryTarget } });

    await run(model, 'daily-1');

    expect(verdicts(model).filter((v: string) => v.startsWith('FAIL'))).toEqual([`FAIL dns-answers ${RECORD.name}`]);
    expect(model.snsMessages().map((m) => m.Subject)).toEqual([
      expect.stringMatching(
        new RegExp(`^\\[HIGH\\] NOT READY to fail over: dns-answers ${RECORD.name.replace(/\./g, '\\.')}`),
      ),
    ]);
  });

  it('reads the routing controls at the next cluster endpoint when us-east-1’s is unreachable (ARC plan)', async () => {
    const arcRecovery = synthesize(arcPlan).recovery;
    const arcStack = stackWorkflows(arcRecovery.toJSON(), 'us-west-2', arcPlan, {
      dns: nodeDnsDeps(server.resolver(), { port: server.port, timeoutMs: 300 }),
    });
    const model = arcStack.newModel(NOW);
    seedReady(model);
    model.addArcCluster(ENDPOINTS);
    model.addRoutingControl(PRIMARY_CONTROL, 'On');
    model.addRoutingControl(RECOVERY_CONTROL, 'Off');
    model.setRegionReachable('us-east-1', false);

    const result = await run(model, 'daily-1', arcStack);

    expect(result.status).toBe('SUCCEEDED');
    const control = evidenceRecords(model, arcStack.evidenceBucket)[0].results.find(
      (r: { check: string }) => r.check === 'dns-control',
    );
    expect(control).toMatchObject({ status: 'PASS', observed: 'primary On, recovery Off' });
    expect(control.detail).toContain(`answered by us-west-2 (${ENDPOINTS[1]!.url}); not answering: us-east-1`);
    expect(
      model.calls.filter((c) => c.endpoint).map((c) => `${c.endpoint} ${c.action} ${c.error ?? 'answered'}`),
    ).toEqual([
      `${ENDPOINTS[0]!.url} GetRoutingControlState TimeoutError`,
      `${ENDPOINTS[1]!.url} GetRoutingControlState answered`,
      `${ENDPOINTS[1]!.url} GetRoutingControlState answered`,
    ]);
    expect(callsOutsideRecovery(model)).toEqual([]);
  });
});

describe('failover readiness under every fault', () => {
  it('ends with a named error or a FAIL result, one evidence record, at most one notification, and changes nothing', async () => {
    const machine = stack.machine('FailoverReadinessFleetWorkflowStateMachine');
    const outcomes = await sweepWorkflow({
      stack,
      machine,
      descriptor,
      executionName: 'daily-sweep',
      startTime: NOW,
      seed: (model) => seedReady(model),
    });

    expectEveryFaultAtEveryTask(outcomes, machine, [
      'Check Batch',
      'Count DR Replica Checks as Failed',
      'Count Failover Path Checks as Failed',
      'Write Evidence and Notify',
    ]);
    expectReadOnlyRuns(outcomes, stack.evidenceBucket, (model) => ({ outsideRecovery: callsOutsideRecovery(model) }));
  }, 600_000);
});
