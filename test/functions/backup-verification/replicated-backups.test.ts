import { RDSClient } from '@aws-sdk/client-rds';
import { checkSnapshotAge } from '../../../functions/backup-verification/check-snapshot-age';
import { AccountModel } from '../../support/account/model';
import { configuredPlan } from '../../support/plans';

const E = 'us-east-1';
const W = 'us-west-2';
const NOW = new Date('2025-11-10T06:00:00Z');
const plan = configuredPlan();
const db = plan.databases[0]!;

describe('replicated automated backups in the recovery region', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it('are not found by the source’s identifier there, as AWS answers: the instance is in another region', async () => {
    const model = new AccountModel({ now: NOW, regions: [E, W] });
    model.addDbInstance(E, { id: 'entmoot-prod', backupReplicationRegion: W });

    const byId = (await model.sdkCall(W, 'rds', 'DescribeDBInstanceAutomatedBackups', {
      Filters: [{ Name: 'db-instance-id', Values: ['entmoot-prod'] }],
    })) as { DBInstanceAutomatedBackups: unknown[] };
    const source = (await model.sdkCall(E, 'rds', 'DescribeDBInstances', { DBInstanceIdentifier: 'entmoot-prod' })) as {
      DBInstances: { DbiResourceId: string; DBInstanceArn: string }[];
    };
    const byResourceId = (await model.sdkCall(W, 'rds', 'DescribeDBInstanceAutomatedBackups', {
      Filters: [{ Name: 'dbi-resource-id', Values: [source.DBInstances[0]!.DbiResourceId] }],
    })) as { DBInstanceAutomatedBackups: unknown[] };
    const byArn = (await model.sdkCall(W, 'rds', 'DescribeDBInstanceAutomatedBackups', {
      Filters: [{ Name: 'db-instance-id', Values: [source.DBInstances[0]!.DBInstanceArn] }],
    })) as { DBInstanceAutomatedBackups: unknown[] };

    expect([byId, byResourceId, byArn].map((r) => r.DBInstanceAutomatedBackups.length)).toEqual([0, 1, 1]);
  });

  it('are found by the source’s DbiResourceId, read in the primary region, and judged against the RPO', async () => {
    const model = new AccountModel({ now: NOW, regions: [E, W] });
    model.addDbInstance(E, {
      id: 'entmoot-prod',
      createdAt: new Date(NOW.getTime() - 60 * 86_400_000),
      backupsSince: new Date(NOW.getTime() - 7 * 86_400_000),
      backupReplicationRegion: W,
    });
    restore = model.wireSdkMocks();

    const results = await checkSnapshotAge(db, plan, {
      primaryRds: new RDSClient({ region: E, maxAttempts: 1 }),
      recoveryRds: new RDSClient({ region: W, maxAttempts: 1 }),
      now: () => NOW,
    });

    expect(results.find((r) => r.check === 'replicated-backup-lag')).toMatchObject({
      target: 'entmoot-prod@us-west-2',
      status: 'PASS',
    });
  });
});
