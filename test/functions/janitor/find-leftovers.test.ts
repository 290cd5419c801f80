import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  type DBInstance,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import { ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { findLeftovers, type JanitorDeps } from '../../../functions/janitor/find-leftovers';
import { runningExecutionNames } from '../../../functions/janitor/running-executions';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const OWNER = 'EntmootDrPrimary';
const NOW = new Date('2025-11-10T04:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const tags = (lifecycle: string, execution = 'old-run', owner = OWNER) => [
  { Key: 'entmoot-dr:owner', Value: owner },
  { Key: 'entmoot-dr:lifecycle', Value: lifecycle },
  { Key: 'entmoot-dr:execution', Value: execution },
];
const instance = (id: string, tagList: DBInstance['TagList'], ageHours = 48, status = 'available'): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceStatus: status,
  InstanceCreateTime: hoursAgo(ageHours),
  TagList: tagList,
});
const snapshot = (
  id: string,
  source: string,
  tagList: DBSnapshot['TagList'],
  ageHours: number,
  status = 'available',
): DBSnapshot => ({
  DBSnapshotIdentifier: id,
  DBInstanceIdentifier: source,
  Status: status,
  SnapshotCreateTime: hoursAgo(ageHours),
  TagList: tagList,
});

describe('findLeftovers', () => {
  const rds = mockClient(RDSClient);
  let running: Set<string>;
  const deps = (): JanitorDeps => ({
    rds: new RDSClient({ region: 'us-east-1' }),
    runningExecutions: async () => running,
    now: () => NOW,
  });

  beforeEach(() => {
    rds.reset();
    running = new Set();
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  });

  it('removes nothing in a clean account', async () => {
    expect(await findLeftovers({ ownerStack: OWNER }, plan, deps())).toEqual({ remove: [], kept: [], deferred: [] });
  });

  it('removes ephemeral leftovers of finished runs older than the plan’s age, and only those', async () => {
    running = new Set(['live-run']);
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        instance('edr-restore-a', tags('ephemeral')),
        instance('entmoot-prod', undefined),
        instance('edr-pitr-kept', tags('retained')),
        instance('edr-restore-live', tags('ephemeral', 'live-run')),
        instance('edr-restore-young', tags('ephemeral'), 2),
        instance('edr-other-stack', tags('ephemeral', 'old-run', 'SomeOtherStack')),
        instance('edr-restore-going', tags('ephemeral'), 48, 'deleting'),
      ],
    });
    const out = await findLeftovers({ ownerStack: OWNER }, plan, deps());
    expect(out.remove.map((r) => r.id)).toEqual(['edr-restore-a']);
    expect(out.remove[0]).toMatchObject({ kind: 'instance', lifecycle: 'ephemeral', execution: 'old-run' });
    expect(Object.fromEntries(out.kept.map((k) => [k.id, k.reason]))).toEqual({
      'edr-pitr-kept': 'retained',
      'edr-restore-live': 'its run live-run is still running',
      'edr-restore-young': 'it is 2.0 h old, younger than 24 h',
      'edr-restore-going': 'it is already being deleted',
    });
  });

  it('keeps the newest five emergency snapshots per database and removes the two oldest of seven', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [1, 2, 3, 4, 5, 6, 7].map((n) =>
        snapshot(`edr-emergency-entmoot-prod-${n}`, 'entmoot-prod', tags('rotating'), n * 10),
      ),
    });
    const out = await findLeftovers({ ownerStack: OWNER }, plan, deps());
    expect(out.remove.map((r) => r.id)).toEqual(['edr-emergency-entmoot-prod-6', 'edr-emergency-entmoot-prod-7']);
    expect(out.kept).toHaveLength(5);
  });

  it('does not delete a snapshot that is still being created', async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [snapshot('edr-restore-snap', 'entmoot-prod', tags('ephemeral'), 48, 'creating')] });
    const out = await findLeftovers({ ownerStack: OWNER }, plan, deps());
    expect(out.remove).toEqual([]);
    expect(out.kept).toEqual([{ kind: 'snapshot', id: 'edr-restore-snap', reason: 'it is creating, not available' }]);
  });

  it('reads every page of instances', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [instance('edr-restore-p1', tags('ephemeral'))], Marker: 'm1' })
      .resolvesOnce({ DBInstances: [instance('edr-restore-p2', tags('ephemeral'))] });
    const out = await findLeftovers({ ownerStack: OWNER }, plan, deps());
    expect(out.remove.map((r) => r.id)).toEqual(['edr-restore-p1', 'edr-restore-p2']);
    expect(rds.commandCalls(DescribeDBInstancesCommand)[1]?.args[0].input).toMatchObject({ Marker: 'm1' });
  });

  it('fails with ThrottledError when listing stays throttled', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(findLeftovers({ ownerStack: OWNER }, plan, deps())).rejects.toMatchObject({ name: 'ThrottledError' });
  });

  it('fails with AccessDeniedError naming the permission', async () => {
    rds.on(DescribeDBSnapshotsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(findLeftovers({ ownerStack: OWNER }, plan, deps())).rejects.toThrow(/needs rds:DescribeDBSnapshots/);
  });

  it('rejects a missing owner before any AWS call', async () => {
    await expect(findLeftovers({ ownerStack: '' }, plan, deps())).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(rds.calls()).toHaveLength(0);
  });
});

describe('runningExecutionNames', () => {
  const sfn = mockClient(SFNClient);

  beforeEach(() => sfn.reset());

  it('lists running executions of our state machines only', async () => {
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        { name: 'edr-janitor', stateMachineArn: 'arn:sm:edr-janitor', type: 'STANDARD', creationDate: NOW },
        { name: 'someone-else', stateMachineArn: 'arn:sm:someone-else', type: 'STANDARD', creationDate: NOW },
      ],
    });
    sfn.on(ListExecutionsCommand, { stateMachineArn: 'arn:sm:edr-janitor' }).resolves({
      executions: [
        {
          name: 'run-7',
          executionArn: 'x',
          stateMachineArn: 'arn:sm:edr-janitor',
          status: 'RUNNING',
          startDate: NOW,
        },
      ],
    });
    const names = await runningExecutionNames(new SFNClient({ region: 'us-east-1' }), 'edr');
    expect([...names]).toEqual(['run-7']);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(1);
    expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toMatchObject({ statusFilter: 'RUNNING' });
  });
});
