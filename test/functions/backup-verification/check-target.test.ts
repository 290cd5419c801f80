import {
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  checkTarget,
  verificationTargets,
  type CheckTargetDeps,
  type VerificationTarget,
} from '../../../functions/backup-verification/check-target';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const NOW = new Date('2025-11-10T06:00:00Z');

describe('verificationTargets', () => {
  it('lists each database, each backups bucket and each database’s latest dump', () => {
    expect(verificationTargets(plan)).toEqual([
      { kind: 'database', id: 'entmoot-prod' },
      { kind: 'backups', bucket: 'entmoot-prod-backups' },
      { kind: 'dump', bucket: 'entmoot-prod-backups', key: 'latest.sql' },
    ]);
  });
});

describe('checkTarget', () => {
  const rds = mockClient(RDSClient);
  const s3 = mockClient(S3Client);
  const deps = (): CheckTargetDeps => ({
    primaryRds: new RDSClient({ region: 'us-east-1' }),
    recoveryRds: new RDSClient({ region: 'us-west-2' }),
    s3: new S3Client({ region: 'us-east-1' }),
    now: () => NOW,
  });

  beforeEach(() => {
    rds.reset();
    s3.reset();
  });

  it('runs the snapshot checks for a database of the plan', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        {
          DBSnapshotIdentifier: 's1',
          DBInstanceIdentifier: 'entmoot-prod',
          Status: 'available',
          SnapshotCreateTime: new Date(NOW.getTime() - 3_600_000),
        },
      ],
    });
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [] });
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXYZ' }] });
    const results = await checkTarget({ kind: 'database', id: 'entmoot-prod' }, plan, deps());
    expect(results.find((r) => r.check === 'snapshot-age')).toMatchObject({ target: 'entmoot-prod', status: 'PASS' });
  });

  it('runs the object checks for a backups bucket of the plan', async () => {
    s3.on(HeadObjectCommand).resolves({
      LastModified: new Date(NOW.getTime() - 3_600_000),
      ContentLength: 150_000_000,
    });
    s3.on(ListObjectsV2Command).resolves({
      KeyCount: 25,
      Contents: Array.from({ length: 25 }, (_, i) => ({ Key: `b${i}` })),
    });
    const results = await checkTarget({ kind: 'backups', bucket: 'entmoot-prod-backups' }, plan, deps());
    expect(results.map((r) => [r.check, r.status])).toEqual(
      expect.arrayContaining([
        ['backup-age', 'PASS'],
        ['backup-count', 'PASS'],
        ['dump-size', 'PASS'],
      ]),
    );
  });

  it.each<[string, unknown, RegExp]>([
    [
      'an unknown database',
      { kind: 'database', id: 'nope' },
      /id "nope" is not a database of the plan: use one of entmoot-prod/,
    ],
    [
      'a bucket that is not a backups bucket',
      { kind: 'backups', bucket: 'entmoot-prod-files' },
      /bucket "entmoot-prod-files" is not a backups bucket of the plan/,
    ],
    [
      'a dump outside the plan’s buckets',
      { kind: 'dump', bucket: 'elsewhere', key: 'x.sql' },
      /dump s3:\/\/elsewhere\/x.sql is not in a backups bucket/,
    ],
    ['an unknown kind', { kind: 'table' }, /kind must be database, backups or dump \(got "table"\)/],
  ])('refuses %s before any AWS call', async (_, target, message) => {
    await expect(checkTarget(target as VerificationTarget, plan, deps())).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringMatching(message),
    });
    expect(rds.calls().length + s3.calls().length).toBe(0);
  });
});
