import { RDSClient } from '@aws-sdk/client-rds';
import { decideCleanup, TERMINAL_RESTORE_STATUSES } from '../../../functions/pitr/finish-recovery';
import { validatorIndex, validatorNetworks } from '../../../functions/pitr/networks';
import { planRecovery, type RecoveryEvent, restoreCopy } from '../../../functions/pitr/plan-recovery';
import { RESTORE_FAILED_STATUSES } from '../../../statemachines/snapshot-restore-test-db';
import { AccountModel } from '../../support/account/model';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const E = 'us-east-1';
const NOW = new Date('2025-11-10T14:07:00Z');
const EVENT: RecoveryEvent = {
  input: { sourceDbInstanceId: 'entmoot-prod', targetTime: '2025-11-10T12:00:00Z', reason: 'bad migration' },
  execution: { Name: 'pitr-1', StartTime: NOW.toISOString() },
  ownerStack: 'EntmootDrPrimary',
};

let restore: () => void = () => undefined;
afterEach(() => restore());

function model(tags: { Key: string; Value: string }[] = []): {
  m: AccountModel;
  deps: { rds: RDSClient; region: string };
} {
  const m = new AccountModel({ now: NOW });
  m.addDbInstance(E, { id: 'entmoot-prod', tags });
  restore = m.wireSdkMocks();
  return { m, deps: { rds: new RDSClient({ region: E, maxAttempts: 1 }), region: E } };
}

describe('planning a point-in-time recovery', () => {
  it('keeps at most 50 tags on the copy, ours first among those kept, and names the dropped ones', async () => {
    const theirs = Array.from({ length: 49 }, (_, i) => ({ Key: `cost-${String(i).padStart(2, '0')}`, Value: 'x' }));
    const { deps } = model([...theirs, { Key: 'rds:managed', Value: 'y' }]);

    const planned = await planRecovery(EVENT, plan, deps);

    expect(planned.restore.Tags).toHaveLength(50);
    expect(planned.restore.Tags?.slice(-3).map((t) => t.Key)).toEqual([
      'entmoot-dr:owner',
      'entmoot-dr:execution',
      'entmoot-dr:lifecycle',
    ]);
    expect(planned.droppedTags).toEqual(['cost-47', 'cost-48']);
  });

  it.each<[string, number, Record<string, number>]>([
    ['gp3', 100, {}],
    ['gp3', 400, { Iops: 12000, StorageThroughput: 500 }],
    ['io1', 100, { Iops: 12000 }],
    ['gp2', 1000, {}],
  ])(
    'passes %s storage of %i GiB with %j (RDS refuses gp3 IOPS and throughput below 400 GiB)',
    async (type, gib, expected) => {
      const m = new AccountModel({ now: NOW });
      m.addDbInstance(E, {
        id: 'entmoot-prod',
        settings: { storageType: type, allocatedStorage: gib, iops: 12000, storageThroughput: 500 },
      });
      restore = m.wireSdkMocks();

      const planned = await planRecovery(EVENT, plan, { rds: new RDSClient({ region: E, maxAttempts: 1 }), region: E });

      expect({ Iops: planned.restore.Iops, StorageThroughput: planned.restore.StorageThroughput }).toEqual({
        Iops: expected.Iops,
        StorageThroughput: expected.StorageThroughput,
      });
      expect(planned.restore).toMatchObject({ StorageType: type, AllocatedStorage: gib });
    },
  );

  it('refuses a target name already taken', async () => {
    const { m, deps } = model();
    m.addDbInstance(E, { id: 'edr-pitr-entmoot-prod-202511101407' });

    await expect(planRecovery(EVENT, plan, deps)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('the target edr-pitr-entmoot-prod-202511101407 already exists'),
    });
  });

  it('names a source without automated backups', async () => {
    const m = new AccountModel({ now: NOW });
    m.addDbInstance(E, { id: 'entmoot-prod', backupRetentionPeriod: 0 });
    restore = m.wireSdkMocks();

    await expect(
      planRecovery(EVENT, plan, { rds: new RDSClient({ region: E, maxAttempts: 1 }), region: E }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        'entmoot-prod has no active automated backups in us-east-1: point-in-time recovery needs a backup retention period above 0',
    });
  });
});

describe('the restore call', () => {
  it('turns RDS’s refusal of the time into InvalidTargetTimeError naming the window as it is now', async () => {
    const { m, deps } = model();
    const planned = await planRecovery(EVENT, plan, deps);
    // The window's start moved past the target between planning and the call.
    m.automatedBackups(E)[0]!.earliest = new Date('2025-11-10T13:00:00Z');

    await expect(restoreCopy({ ...EVENT, plan: planned }, plan, deps)).rejects.toMatchObject({
      name: 'InvalidTargetTimeError',
      message: expect.stringContaining(
        'RDS refused the restore time: targetTime 2025-11-10T12:00:00.000Z is before the earliest restorable time 2025-11-10T13:00:00.000Z',
      ),
    });
  });

  it('takes a copy that already exists with this run’s execution tag as its own earlier attempt', async () => {
    const { deps } = model();
    const planned = await planRecovery(EVENT, plan, deps);
    await restoreCopy({ ...EVENT, plan: planned }, plan, deps);

    await expect(restoreCopy({ ...EVENT, plan: planned }, plan, deps)).resolves.toEqual({
      targetId: 'edr-pitr-entmoot-prod-202511101407',
      status: 'creating',
    });
  });

  it('refuses a restore call that does not match the run’s input or tags, before calling RDS', async () => {
    const { m, deps } = model();
    const planned = await planRecovery(EVENT, plan, deps);
    const calls = m.calls.length;
    const forged = { ...planned, restore: { ...planned.restore, TargetDBInstanceIdentifier: 'entmoot-prod-replica' } };

    await expect(restoreCopy({ ...EVENT, plan: forged }, plan, deps)).rejects.toMatchObject({ name: 'NotOwnedError' });
    expect(m.calls.length).toBe(calls);
  });
});

describe('the cleanup’s decision', () => {
  it('leaves an instance of the target’s name that is not this run’s untouched', async () => {
    const { m, deps } = model();
    m.addDbInstance(E, {
      id: 'edr-pitr-entmoot-prod-202511101407',
      status: 'failed',
      tags: [
        { Key: 'entmoot-dr:owner', Value: 'EntmootDrPrimary' },
        { Key: 'entmoot-dr:execution', Value: 'another-run' },
        { Key: 'entmoot-dr:lifecycle', Value: 'ephemeral' },
      ],
    });

    const decision = await decideCleanup(EVENT, plan, deps);

    expect(decision).toMatchObject({ action: 'none', cleanupResult: { status: 'WARN' } });
    expect(decision.cleanupResult.detail).toContain("exists but is not this run's copy: left untouched");
  });

  it('deletes only a failed restore of this run that is still ephemeral', async () => {
    const { m, deps } = model();
    const tags = (lifecycle: string) => [
      { Key: 'entmoot-dr:owner', Value: 'EntmootDrPrimary' },
      { Key: 'entmoot-dr:execution', Value: 'pitr-1' },
      { Key: 'entmoot-dr:lifecycle', Value: lifecycle },
    ];
    m.addDbInstance(E, { id: 'edr-pitr-entmoot-prod-202511101407', status: 'failed', tags: tags('retained') });

    expect((await decideCleanup(EVENT, plan, deps)).action).toBe('none');
    m.dbInstance(E, 'edr-pitr-entmoot-prod-202511101407')!.tags = tags('ephemeral');
    expect((await decideCleanup(EVENT, plan, deps)).action).toBe('delete');
  });

  it('knows the same terminal restore statuses as the snapshot restore test', () => {
    expect([...TERMINAL_RESTORE_STATUSES]).toEqual([...RESTORE_FAILED_STATUSES]);
  });
});

describe('the validators’ networks', () => {
  it('gives one validator per distinct network, in the plan’s order, and finds each database’s', () => {
    const [first] = plan.databases;
    const other = { ...first!.network.primary, vpcId: 'vpc-0fedcba9876543210' };
    const databases = [
      first!,
      { ...first!, id: 'b' },
      { ...first!, id: 'c', network: { ...first!.network, primary: other } },
    ];

    expect(validatorNetworks(databases).map((n) => n.databases)).toEqual([['entmoot-prod', 'b'], ['c']]);
    expect(validatorIndex(databases, 'c')).toBe(1);
  });
});
