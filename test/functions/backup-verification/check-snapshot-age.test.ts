import {
  DBInstanceNotFoundFault,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  RDSServiceException,
  type DBInstanceAutomatedBackup,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { checkSnapshotAge } from '../../../functions/backup-verification/check-snapshot-age';
import type { CheckResult } from '../../../functions/shared/check-result';
import { ThrottledError } from '../../../functions/shared/errors';
import { defaultPlan } from '../../../lib/plan';

const NOW = new Date('2025-11-10T06:00:00Z');
const plan = defaultPlan();
const db = plan.databases[0];

// One real client per region, each mocked on its own, so a test proves which region each call went to.
const primaryRds = new RDSClient({ region: 'us-east-1' });
const recoveryRds = new RDSClient({ region: 'us-west-2' });
const primaryMock = mockClient(primaryRds);
const recoveryMock = mockClient(recoveryRds);
const deps = { primaryRds, recoveryRds, now: () => NOW };

const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

function snapshot(id: string, hoursAgo: number, extra: Partial<DBSnapshot> = {}): DBSnapshot {
  const t = ago(hoursAgo);
  return {
    DBSnapshotIdentifier: id,
    DBInstanceIdentifier: 'entmoot-prod',
    SnapshotType: 'automated',
    Status: 'available',
    SnapshotCreateTime: t,
    OriginalSnapshotCreateTime: t,
    ...extra,
  };
}

function copyInRecovery(id: string, hoursAgo: number, extra: Partial<DBSnapshot> = {}): DBSnapshot {
  return snapshot(id, hoursAgo, {
    SnapshotType: 'manual',
    SourceRegion: 'us-east-1',
    SourceDBSnapshotIdentifier: `arn:aws:rds:us-east-1:123456789012:snapshot:rds:${id}`,
    // A copy's SnapshotCreateTime is when it was copied; only OriginalSnapshotCreateTime dates the data.
    SnapshotCreateTime: ago(Math.max(0, hoursAgo - 1)),
    ...extra,
  });
}

function replicatedBackup(
  latest: Date | undefined,
  extra: Partial<DBInstanceAutomatedBackup> = {},
): DBInstanceAutomatedBackup {
  return {
    DBInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
    DBInstanceIdentifier: 'entmoot-prod',
    DbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    Region: 'us-east-1',
    Status: 'replicating',
    DBInstanceAutomatedBackupsArn: 'arn:aws:rds:us-west-2:123456789012:auto-backup:ab-examplereplication',
    RestoreWindow: latest ? { EarliestTime: ago(24 * 7), LatestTime: latest } : undefined,
    ...extra,
  };
}

function awsError(name: string): RDSServiceException {
  return new RDSServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `${name}: test`,
  });
}

const byCheck = (results: CheckResult[], check: string) => results.find((r) => r.check === check);

beforeEach(() => {
  primaryMock.reset();
  recoveryMock.reset();
  primaryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  recoveryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  recoveryMock.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [] });
  primaryMock.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [{ DBInstanceIdentifier: 'entmoot-prod', DbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXYZ' }],
  });
});

describe('checkSnapshotAge: snapshot-age in the primary region', () => {
  it('passes when the newest available snapshot, automated or manual, is 3 hours old', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        snapshot('rds:entmoot-prod-2025-11-09', 27),
        snapshot('before-migration', 3, { SnapshotType: 'manual' }),
        snapshot('rds:entmoot-prod-2025-11-08', 51),
      ],
    });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toEqual({
      check: 'snapshot-age',
      target: 'entmoot-prod',
      status: 'PASS',
      observed: 3,
      threshold: 24,
      detail: expect.stringContaining('before-migration (manual)'),
    });
    expect(primaryMock.commandCalls(DescribeDBSnapshotsCommand)[0].args[0].input).toMatchObject({
      DBInstanceIdentifier: 'entmoot-prod',
    });
  });

  it('passes at exactly 80% of the limit (19.2 hours old)', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('s', 19.2)] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({ status: 'PASS', observed: 19.2 });
  });

  it('warns when the newest snapshot is 20 hours old', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('s', 20)] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({
      status: 'WARN',
      observed: 20,
      detail: expect.stringContaining('80%'),
    });
  });

  it('warns, not fails, when the newest snapshot is exactly 24 hours old', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('s', 24)] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({ status: 'WARN', observed: 24 });
  });

  it('fails when the newest snapshot is 24.1 hours old', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('s', 24.1)] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({
      status: 'FAIL',
      observed: 24.1,
      detail: expect.stringContaining('older than 24 hours'),
    });
  });

  it('finds the newest snapshot on the second page', async () => {
    primaryMock
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [snapshot('old-1', 50), snapshot('old-2', 30)], Marker: 'page-2' })
      .resolvesOnce({ DBSnapshots: [snapshot('newest', 2)] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({
      status: 'PASS',
      observed: 2,
      detail: expect.stringContaining('newest'),
    });
    const calls = primaryMock.commandCalls(DescribeDBSnapshotsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input).toMatchObject({ DBInstanceIdentifier: 'entmoot-prod', Marker: 'page-2' });
  });

  it('ignores a snapshot still being created and judges the newest available one', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [snapshot('in-progress', 0.2, { Status: 'creating' }), snapshot('yesterday', 26)],
    });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({
      status: 'FAIL',
      observed: 26,
      detail: expect.stringContaining('yesterday'),
    });
  });

  it('dates a same-region copy by its original creation time, not by when it was copied', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [snapshot('fresh-copy-of-old', 72, { SnapshotType: 'manual', SnapshotCreateTime: ago(1) })],
    });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({ status: 'FAIL', observed: 72 });
  });

  it('fails saying only snapshots being created exist when none is available', async () => {
    primaryMock
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [snapshot('first', 0.5, { Status: 'creating' })] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({
      status: 'FAIL',
      observed: null,
      detail: expect.stringMatching(
        /^no available snapshot of entmoot-prod in us-east-1: only snapshots that are not yet usable exist \(1 creating\)/,
      ),
    });
  });

  it('fails when the database has no snapshot at all', async () => {
    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({
      status: 'FAIL',
      observed: null,
      threshold: 24,
      detail: expect.stringMatching(
        /^no available snapshot of entmoot-prod in us-east-1: check that automated backups are enabled/,
      ),
    });
  });

  it('fails naming rds:DescribeDBSnapshots when the role may not list snapshots', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).rejects(awsError('AccessDenied'));

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('needs rds:DescribeDBSnapshots'),
    });
  });

  it('fails naming the instance when it does not exist', async () => {
    primaryMock
      .on(DescribeDBSnapshotsCommand)
      .rejects(new DBInstanceNotFoundFault({ message: 'DBInstance entmoot-prod not found.', $metadata: {} }));

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'snapshot-age')).toMatchObject({
      status: 'FAIL',
      observed: null,
      detail: expect.stringContaining('DB instance entmoot-prod was not found in us-east-1'),
    });
  });

  it('throws ThrottledError when throttling persists after the client retries', async () => {
    primaryMock.on(DescribeDBSnapshotsCommand).rejects(awsError('ThrottlingException'));

    await expect(checkSnapshotAge(db, plan, deps)).rejects.toThrow(ThrottledError);
    await expect(checkSnapshotAge(db, plan, deps)).rejects.toMatchObject({
      name: 'ThrottledError',
      message: expect.stringContaining('rds:DescribeDBSnapshots'),
    });
  });
});

describe('checkSnapshotAge: recovery point in the recovery region', () => {
  beforeEach(() => {
    primaryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('rds:today', 3)] });
  });

  it('passes on a cross-region snapshot copy, dated by its original creation time', async () => {
    recoveryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [copyInRecovery('entmoot-prod-copy', 5)] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toEqual({
      check: 'recovery-point-age',
      target: 'entmoot-prod@us-west-2',
      status: 'PASS',
      observed: 5,
      threshold: 24,
      detail: expect.stringContaining('snapshot copy entmoot-prod-copy'),
    });
    expect(byCheck(results, 'replicated-backup-lag')).toBeUndefined();
    expect(recoveryMock.commandCalls(DescribeDBSnapshotsCommand)[0].args[0].input).toMatchObject({
      SnapshotType: 'manual',
      Filters: [{ Name: 'db-instance-id', Values: ['entmoot-prod'] }],
    });
  });

  it('warns when the only copy in the recovery region is 20 hours old', async () => {
    recoveryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [copyInRecovery('c', 20)] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({ status: 'WARN', observed: 20 });
  });

  it('ignores manual snapshots in the recovery region that are not copies from the primary region', async () => {
    recoveryMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        snapshot('local-manual', 1, { SnapshotType: 'manual', SourceRegion: 'us-west-2' }),
        copyInRecovery('copy-being-made', 1, { Status: 'copying' }),
      ],
    });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({
      status: 'FAIL',
      observed: null,
      detail: expect.stringMatching(
        /^neither a snapshot copy nor replicated automated backups of entmoot-prod exist in us-west-2/,
      ),
    });
  });

  it('passes on replicated automated backups 10 minutes behind, within the 15-minute RPO', async () => {
    recoveryMock
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .resolves({ DBInstanceAutomatedBackups: [replicatedBackup(minutesAgo(10))] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({
      status: 'PASS',
      observed: 0.2,
      detail: expect.stringContaining('replicated automated backups'),
    });
    expect(byCheck(results, 'replicated-backup-lag')).toEqual({
      check: 'replicated-backup-lag',
      target: 'entmoot-prod@us-west-2',
      status: 'PASS',
      observed: 10,
      threshold: 15,
      detail: expect.stringContaining('within the region-failure RPO of 15 minutes'),
    });
    expect(recoveryMock.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)[0].args[0].input).toMatchObject({
      Filters: [{ Name: 'dbi-resource-id', Values: ['db-ABCDEFGHIJKLMNOPQRSTUVWXYZ'] }],
    });
    expect(primaryMock.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)).toHaveLength(0);
  });

  it('passes the lag at exactly the 15-minute RPO', async () => {
    recoveryMock
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .resolves({ DBInstanceAutomatedBackups: [replicatedBackup(minutesAgo(15))] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'replicated-backup-lag')).toMatchObject({ status: 'PASS', observed: 15 });
  });

  it('fails the lag when replicated backups are 40 minutes behind, beyond the RPO', async () => {
    recoveryMock
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .resolves({ DBInstanceAutomatedBackups: [replicatedBackup(minutesAgo(40))] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({ status: 'PASS' });
    expect(byCheck(results, 'replicated-backup-lag')).toMatchObject({
      status: 'FAIL',
      observed: 40,
      threshold: 15,
      detail: expect.stringContaining('beyond the region-failure RPO of 15 minutes'),
    });
  });

  it('takes the newer of a snapshot copy and replicated backups as the recovery point', async () => {
    recoveryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [copyInRecovery('copy', 30)] });
    recoveryMock
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .resolves({ DBInstanceAutomatedBackups: [replicatedBackup(ago(2))] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({
      status: 'PASS',
      observed: 2,
      detail: expect.stringContaining('replicated automated backups'),
    });
    expect(byCheck(results, 'replicated-backup-lag')).toMatchObject({ status: 'FAIL', observed: 120 });
  });

  it('ignores automated backups of another instance or replicated from another region', async () => {
    recoveryMock.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
      DBInstanceAutomatedBackups: [
        replicatedBackup(minutesAgo(5), {
          DBInstanceIdentifier: 'other-db',
          DBInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:other-db',
        }),
        replicatedBackup(minutesAgo(5), {
          DBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:entmoot-prod',
          Region: 'eu-west-1',
        }),
      ],
    });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('neither a snapshot copy nor replicated'),
    });
    expect(byCheck(results, 'replicated-backup-lag')).toBeUndefined();
  });

  it('fails both checks when replication is set up but has no restore window yet', async () => {
    recoveryMock
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .resolves({ DBInstanceAutomatedBackups: [replicatedBackup(undefined, { Status: 'pending' })] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('no restorable point yet: status pending'),
    });
    expect(byCheck(results, 'replicated-backup-lag')).toMatchObject({ status: 'FAIL', observed: null });
  });

  it('finds replicated backups on the second page', async () => {
    recoveryMock
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .resolvesOnce({ DBInstanceAutomatedBackups: [], Marker: 'next' })
      .resolvesOnce({ DBInstanceAutomatedBackups: [replicatedBackup(minutesAgo(3))] });

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'replicated-backup-lag')).toMatchObject({ status: 'PASS', observed: 3 });
    expect(recoveryMock.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)[1].args[0].input).toMatchObject({
      Marker: 'next',
    });
  });

  it('fails when neither a copy nor replicated backups exist in the recovery region', async () => {
    const results = await checkSnapshotAge(db, plan, deps);

    expect(results.map((r) => r.check)).toEqual(['snapshot-age', 'recovery-point-age']);
    expect(byCheck(results, 'recovery-point-age')).toMatchObject({
      status: 'FAIL',
      observed: null,
      detail: expect.stringContaining('copy snapshots to us-west-2 or start automated backup replication'),
    });
  });

  it('treats a DBInstanceAutomatedBackupNotFound answer as no replication', async () => {
    recoveryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [copyInRecovery('copy', 4)] });
    recoveryMock
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .rejects(awsError('DBInstanceAutomatedBackupNotFoundFault'));

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({ status: 'PASS', observed: 4 });
  });

  it('fails naming rds:DescribeDBInstanceAutomatedBackups when the role may not read replicated backups', async () => {
    recoveryMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [copyInRecovery('copy', 4)] });
    recoveryMock.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(awsError('AccessDenied'));

    const results = await checkSnapshotAge(db, plan, deps);

    expect(byCheck(results, 'recovery-point-age')).toMatchObject({
      status: 'FAIL',
      observed: null,
      detail: expect.stringContaining('needs rds:DescribeDBInstanceAutomatedBackups in us-west-2'),
    });
  });

  it('throws ThrottledError when the recovery region keeps throttling', async () => {
    recoveryMock.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(awsError('Throttling'));

    await expect(checkSnapshotAge(db, plan, deps)).rejects.toThrow(ThrottledError);
  });
});
