import { DBInstanceNotFoundFault, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { AccountModel } from '../../support/account/model';

const E = 'us-east-1';
const W = 'us-west-2';

function seeded(): AccountModel {
  const m = new AccountModel({ now: new Date('2025-11-10T03:00:00Z') });
  m.addDbInstance(E, { id: 'entmoot-prod', tags: [{ Key: 'env', Value: 'prod' }] });
  return m;
}

describe('AccountModel RDS casing', () => {
  it('answers a Step Functions SDK integration in Java member names', async () => {
    const m = seeded();
    const out = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', {
      DbInstanceIdentifier: 'entmoot-prod',
    })) as any;
    expect(out.DbInstances[0].DbInstanceStatus).toBe('available');
    expect(out.DbInstances[0].DbInstanceIdentifier).toBe('entmoot-prod');
    expect(out.DbInstances[0].DbSubnetGroup.VpcId).toBe('vpc-default-us-east-1');
    expect(out.DbInstances[0].TagList).toEqual([{ Key: 'env', Value: 'prod' }]);
    expect(typeof out.DbInstances[0].InstanceCreateTime).toBe('string');
    expect(out.DBInstances).toBeUndefined();
  });

  it('refuses JavaScript casing on the Step Functions path and says which name to use', async () => {
    const m = seeded();
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', { DBInstanceIdentifier: 'entmoot-prod' }),
    ).rejects.toMatchObject({
      name: 'ModelRejectedCall',
      message: expect.stringContaining(
        'Step Functions SDK integrations use DbInstanceIdentifier, not DBInstanceIdentifier',
      ),
    });
  });

  it('refuses Java casing on the JavaScript SDK path', async () => {
    const m = seeded();
    await expect(
      m.sdkCall(E, 'rds', 'DescribeDBInstances', { DbInstanceIdentifier: 'entmoot-prod' }),
    ).rejects.toMatchObject({
      name: 'ModelRejectedCall',
      message: expect.stringContaining('uses DBInstanceIdentifier, not DbInstanceIdentifier'),
    });
  });

  it('refuses a member the service does not have', async () => {
    const m = seeded();
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', { Identifier: 'x' }),
    ).rejects.toMatchObject({ name: 'ModelRejectedCall' });
  });

  it('names a missing instance Rds.DbInstanceNotFoundException for Step Functions and DBInstanceNotFoundFault for Lambdas', async () => {
    const m = seeded();
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', { DbInstanceIdentifier: 'nope' }),
    ).rejects.toMatchObject({
      name: 'Rds.DbInstanceNotFoundException',
      message: expect.stringContaining('Service: Rds, Status Code: 404'),
    });
    const err = (await m
      .sdkCall(E, 'rds', 'DescribeDBInstances', { DBInstanceIdentifier: 'nope' })
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(err.name).toBe('DBInstanceNotFoundFault');
  });
});

describe('AccountModel RDS regions', () => {
  it('refuses and records a call whose ARN points at another region', async () => {
    const m = new AccountModel();
    m.addDbInstance(W, { id: 'entmoot-prod-dr-replica' });
    const arn = 'arn:aws:rds:us-west-2:123456789012:db:entmoot-prod-dr-replica';
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', { DbInstanceIdentifier: arn }),
    ).rejects.toMatchObject({
      name: 'Rds.DbInstanceNotFoundException',
    });
    expect(m.refusals).toEqual([
      expect.objectContaining({
        region: E,
        action: 'DescribeDBInstances',
        message: expect.stringContaining(`call in us-east-1 aimed at ${arn}`),
      }),
    ]);
  });

  it('records a plain identifier that exists only in another region', async () => {
    const m = new AccountModel();
    m.addDbInstance(W, { id: 'only-west' });
    await expect(
      m.sdkCall(E, 'rds', 'DeleteDBInstance', { DBInstanceIdentifier: 'only-west', SkipFinalSnapshot: true }),
    ).rejects.toThrow(DBInstanceNotFoundFault);
    expect(m.refusals[0].message).toContain('only-west, which is in us-west-2');
    expect(m.dbInstance(W, 'only-west')!.status).toBe('available');
  });

  it('refuses tagging a snapshot by a cross-region ARN', async () => {
    const m = seeded();
    m.addDbSnapshot(W, { id: 'copy-1', instanceId: 'entmoot-prod' });
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:addTagsToResource', {
        ResourceName: 'arn:aws:rds:us-west-2:123456789012:snapshot:copy-1',
        Tags: [{ Key: 'a', Value: 'b' }],
      }),
    ).rejects.toMatchObject({ name: 'Rds.DbSnapshotNotFoundException' });
    expect(m.refusals).toHaveLength(1);
  });

  it('copies a snapshot across regions by its source ARN, which AWS allows', async () => {
    const m = seeded();
    m.addDbSnapshot(E, { id: 'snap-1', instanceId: 'entmoot-prod' });
    const out = (await m.sfnCall(W, 'arn:aws:states:::aws-sdk:rds:copyDBSnapshot', {
      SourceDBSnapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:snap-1',
      TargetDBSnapshotIdentifier: 'snap-1-west',
      KmsKeyId: 'alias/west',
      SourceRegion: E,
    })) as any;
    expect(out.DbSnapshot.Status).toBe('creating');
    expect(m.refusals).toEqual([]);
    m.advance(m.durations.copySnapshotSeconds);
    expect(m.dbSnapshots(W)[0]).toMatchObject({ id: 'snap-1-west', status: 'available', sourceRegion: E });
  });
});

describe('AccountModel RDS lifecycle over the clock', () => {
  it('takes a restored instance through creating, backing-up and available', async () => {
    const m = seeded();
    m.addDbSnapshot(E, { id: 'snap-1', instanceId: 'entmoot-prod' });
    await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:restoreDBInstanceFromDBSnapshot', {
      DbInstanceIdentifier: 'edr-restore-test',
      DbSnapshotIdentifier: 'snap-1',
      DbSubnetGroupName: 'default',
      VpcSecurityGroupIds: ['sg-1'],
      PubliclyAccessible: false,
      DbParameterGroupName: 'edr-params',
    });
    const status = () => m.dbInstance(E, 'edr-restore-test')!.status;
    expect(status()).toBe('creating');
    m.advance(m.durations.restoreInstanceSeconds - 1);
    expect(status()).toBe('creating');
    m.advance(1);
    expect(status()).toBe('backing-up');
    m.advance(m.durations.backingUpSeconds);
    expect(status()).toBe('available');
    expect(m.dbInstance(E, 'edr-restore-test')!.defaultsApplied).toEqual([]);
  });

  it('keeps no automated backups of a copy restored with BackupRetentionPeriod 0', async () => {
    const m = seeded();
    m.addDbSnapshot(E, { id: 'snap-1', instanceId: 'entmoot-prod' });
    const restore = (id: string, retention?: number) =>
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:restoreDBInstanceFromDBSnapshot', {
        DbInstanceIdentifier: id,
        DbSnapshotIdentifier: 'snap-1',
        ...(retention === undefined ? {} : { BackupRetentionPeriod: retention }),
      });
    await restore('edr-restore-none', 0);
    await restore('edr-restore-default');
    m.advance(m.durations.restoreInstanceSeconds + m.durations.backingUpSeconds);

    const backups = (await m.sdkCall(E, 'rds', 'DescribeDBInstanceAutomatedBackups', {})) as {
      DBInstanceAutomatedBackups: { DBInstanceIdentifier: string }[];
    };
    const ids = backups.DBInstanceAutomatedBackups.map((b) => b.DBInstanceIdentifier);
    expect(ids).toContain('edr-restore-default');
    expect(ids).not.toContain('edr-restore-none');
  });

  it('records which settings a restore left to defaults, public access included', async () => {
    const m = seeded();
    m.addDbSnapshot(E, { id: 'snap-1', instanceId: 'entmoot-prod' });
    await m.sdkCall(E, 'rds', 'RestoreDBInstanceFromDBSnapshot', {
      DBInstanceIdentifier: 'r',
      DBSnapshotIdentifier: 'snap-1',
    });
    const r = m.dbInstance(E, 'r')!;
    expect(r.publiclyAccessible).toBe(true);
    expect(r.defaultsApplied).toEqual(
      expect.arrayContaining([
        'PubliclyAccessible',
        'VpcSecurityGroupIds',
        'DBSubnetGroupName',
        'DBParameterGroupName',
      ]),
    );
  });

  it('removes a deleted instance once the delete completes', async () => {
    const m = seeded();
    await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:deleteDBInstance', {
      DbInstanceIdentifier: 'entmoot-prod',
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: true,
    });
    expect(m.dbInstance(E, 'entmoot-prod')!.status).toBe('deleting');
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:deleteDBInstance', {
        DbInstanceIdentifier: 'entmoot-prod',
        SkipFinalSnapshot: true,
      }),
    ).rejects.toMatchObject({ name: 'Rds.InvalidDbInstanceStateException' });
    m.advance(m.durations.deleteInstanceSeconds);
    expect(m.dbInstance(E, 'entmoot-prod')).toBeUndefined();
    expect(m.automatedBackups(E)).toEqual([]);
  });

  it('keeps an instance deleting forever when the delete never completes', async () => {
    const m = seeded();
    m.durations.deleteInstanceSeconds = Infinity;
    await m.sdkCall(E, 'rds', 'DeleteDBInstance', { DBInstanceIdentifier: 'entmoot-prod', SkipFinalSnapshot: true });
    m.advance(10 * 86_400);
    expect(m.dbInstance(E, 'entmoot-prod')!.status).toBe('deleting');
  });

  it('requires a final snapshot name unless SkipFinalSnapshot, and refuses deletion-protected instances', async () => {
    const m = seeded();
    m.addDbInstance(E, { id: 'protected', deletionProtection: true });
    await expect(
      m.sdkCall(E, 'rds', 'DeleteDBInstance', { DBInstanceIdentifier: 'entmoot-prod' }),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:deleteDBInstance', {
        DbInstanceIdentifier: 'protected',
        SkipFinalSnapshot: true,
      }),
    ).rejects.toMatchObject({
      name: 'Rds.RdsException',
    });
  });

  it('keeps retained automated backups when DeleteAutomatedBackups is false', async () => {
    const m = seeded();
    await m.sdkCall(E, 'rds', 'DeleteDBInstance', {
      DBInstanceIdentifier: 'entmoot-prod',
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: false,
    });
    m.advance(m.durations.deleteInstanceSeconds);
    expect(m.automatedBackups(E)).toEqual([
      expect.objectContaining({ status: 'retained', instanceId: 'entmoot-prod' }),
    ]);
  });

  it('creates a snapshot that becomes available after its duration', async () => {
    const m = seeded();
    const out = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:createDBSnapshot', {
      DbSnapshotIdentifier: 'edr-emergency-entmoot-prod-202511100300',
      DbInstanceIdentifier: 'entmoot-prod',
      Tags: [{ Key: 'entmoot-dr:lifecycle', Value: 'rotating' }],
    })) as any;
    expect(out.DbSnapshot).toMatchObject({ Status: 'creating', SnapshotType: 'manual' });
    m.advance(m.durations.createSnapshotSeconds);
    const d = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBSnapshots', {
      DbSnapshotIdentifier: 'edr-emergency-entmoot-prod-202511100300',
    })) as any;
    expect(d.DbSnapshots[0].Status).toBe('available');
    expect(typeof d.DbSnapshots[0].SnapshotCreateTime).toBe('string');
  });

  it('refuses tag keys starting with aws:', async () => {
    const m = seeded();
    await expect(
      m.sdkCall(E, 'rds', 'AddTagsToResource', {
        ResourceName: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
        Tags: [{ Key: 'aws:x', Value: '1' }],
      }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('promotes an available replica through modifying, and refuses one still backing up', async () => {
    const m = seeded();
    m.addDbInstance(E, { id: 'entmoot-prod-replica', replicaOf: 'entmoot-prod', status: 'backing-up' });
    expect(m.dbInstance(E, 'entmoot-prod')!.replicas).toEqual(['entmoot-prod-replica']);
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:promoteReadReplica', { DbInstanceIdentifier: 'entmoot-prod-replica' }),
    ).rejects.toMatchObject({
      name: 'Rds.InvalidDbInstanceStateException',
    });
    m.dbInstance(E, 'entmoot-prod-replica')!.status = 'available';
    await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:promoteReadReplica', {
      DbInstanceIdentifier: 'entmoot-prod-replica',
    });
    const describe = async () =>
      (
        (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', {
          DbInstanceIdentifier: 'entmoot-prod-replica',
        })) as any
      ).DbInstances[0];
    expect((await describe()).DbInstanceStatus).toBe('modifying');
    expect((await describe()).ReadReplicaSourceDBInstanceIdentifier).toBe('entmoot-prod');
    m.advance(m.durations.promoteSeconds);
    expect((await describe()).DbInstanceStatus).toBe('available');
    expect((await describe()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    expect(m.dbInstance(E, 'entmoot-prod')!.replicas).toEqual([]);
  });

  it('creates a cross-region read replica from the source ARN and lists it on the source by ARN', async () => {
    const m = seeded();
    await m.sdkCall(W, 'rds', 'CreateDBInstanceReadReplica', {
      DBInstanceIdentifier: 'dr',
      SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
      DBSubnetGroupName: 'default',
      VpcSecurityGroupIds: ['sg-w'],
      PubliclyAccessible: false,
      DBParameterGroupName: 'p',
      KmsKeyId: 'alias/w',
      SourceRegion: E,
    });
    expect(m.dbInstance(W, 'dr')).toMatchObject({
      status: 'creating',
      replicaSource: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
    });
    expect(m.dbInstance(E, 'entmoot-prod')!.replicas).toEqual(['arn:aws:rds:us-west-2:123456789012:db:dr']);
  });

  it('refuses a same-region replica in another VPC', async () => {
    const m = seeded();
    m.addSubnetGroup(E, 'other', 'vpc-other');
    await expect(
      m.sdkCall(E, 'rds', 'CreateDBInstanceReadReplica', {
        DBInstanceIdentifier: 'x',
        SourceDBInstanceIdentifier: 'entmoot-prod',
        DBSubnetGroupName: 'other',
      }),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });
});

describe('AccountModel RDS restore window', () => {
  function pitrModel(): AccountModel {
    const m = new AccountModel({ now: new Date('2025-11-10T03:00:00Z') });
    m.addDbInstance(E, { id: 'entmoot-prod', backupRetentionPeriod: 7, createdAt: new Date('2025-01-01T00:00:00Z') });
    return m;
  }

  it('reports the restore window from automated backups, trailing the clock by five minutes', async () => {
    const m = pitrModel();
    const out = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstanceAutomatedBackups', {
      DbInstanceIdentifier: 'entmoot-prod',
    })) as any;
    expect(out.DbInstanceAutomatedBackups[0].RestoreWindow).toEqual({
      EarliestTime: '2025-11-03T03:00:00.000Z',
      LatestTime: '2025-11-10T02:55:00.000Z',
    });
  });

  it('restores to a time inside the window and refuses one outside it', async () => {
    const m = pitrModel();
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:restoreDBInstanceToPointInTime', {
        SourceDBInstanceIdentifier: 'entmoot-prod',
        TargetDBInstanceIdentifier: 'edr-pitr-1',
        RestoreTime: '2025-11-01T00:00:00Z',
      }),
    ).rejects.toMatchObject({ name: 'Rds.InvalidRestoreException' });
    await expect(
      m.sdkCall(E, 'rds', 'RestoreDBInstanceToPointInTime', {
        SourceDBInstanceIdentifier: 'entmoot-prod',
        TargetDBInstanceIdentifier: 'x',
        RestoreTime: new Date('2025-11-10T02:59:00Z'),
      }),
    ).rejects.toMatchObject({ name: 'InvalidRestoreFault' });
    await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:restoreDBInstanceToPointInTime', {
      SourceDBInstanceIdentifier: 'entmoot-prod',
      TargetDBInstanceIdentifier: 'edr-pitr-1',
      RestoreTime: '2025-11-09T12:00:00Z',
    });
    expect(m.restoredTo(E, 'edr-pitr-1')).toEqual(new Date('2025-11-09T12:00:00Z'));
  });

  it('restores in the recovery region from a replicated automated backup', async () => {
    const m = new AccountModel();
    m.addDbInstance(E, { id: 'entmoot-prod', backupReplicationRegion: W });
    const list = (await m.sdkCall(W, 'rds', 'DescribeDBInstanceAutomatedBackups', {})) as any;
    const backup = list.DBInstanceAutomatedBackups[0];
    expect(backup).toMatchObject({ Status: 'replicating', Region: E, DBInstanceIdentifier: 'entmoot-prod' });
    await m.sdkCall(W, 'rds', 'RestoreDBInstanceToPointInTime', {
      SourceDBInstanceAutomatedBackupsArn: backup.DBInstanceAutomatedBackupsArn,
      TargetDBInstanceIdentifier: 'restored-west',
      UseLatestRestorableTime: true,
    });
    expect(m.dbInstance(W, 'restored-west')!.status).toBe('creating');
  });
});

describe('AccountModel RDS pagination', () => {
  it('pages DescribeDBInstances with Marker and MaxRecords', async () => {
    const m = new AccountModel();
    for (let i = 0; i < 45; i++) m.addDbInstance(E, { id: `db-${String(i).padStart(2, '0')}` });
    const ids: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', {
        MaxRecords: 20,
        ...(marker ? { Marker: marker } : {}),
      })) as any;
      ids.push(...out.DbInstances.map((d: any) => d.DbInstanceIdentifier));
      marker = out.Marker;
      pages++;
    } while (marker);
    expect(pages).toBe(3);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
    await expect(m.sdkCall(E, 'rds', 'DescribeDBInstances', { MaxRecords: 5 })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('filters DescribeDBSnapshots by instance and type', async () => {
    const m = seeded();
    m.addDbSnapshot(E, { id: 'rds:entmoot-prod-2025-11-09-03-00', instanceId: 'entmoot-prod', type: 'automated' });
    m.addDbSnapshot(E, { id: 'manual-1', instanceId: 'entmoot-prod' });
    m.addDbSnapshot(E, { id: 'other', instanceId: 'other-db' });
    const out = (await m.sdkCall(E, 'rds', 'DescribeDBSnapshots', {
      DBInstanceIdentifier: 'entmoot-prod',
      SnapshotType: 'automated',
    })) as any;
    expect(out.DBSnapshots.map((s: any) => s.DBSnapshotIdentifier)).toEqual(['rds:entmoot-prod-2025-11-09-03-00']);
  });
});

describe('AccountModel wired to the JavaScript SDK', () => {
  it('answers a real RDSClient with the region the client was configured with', async () => {
    const m = new AccountModel();
    m.addDbInstance(W, { id: 'entmoot-prod-dr-replica' });
    const restore = m.wireSdkMocks();
    try {
      const west = new RDSClient({ region: W });
      const out = await west.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'entmoot-prod-dr-replica' }));
      expect(out.DBInstances?.[0].DBInstanceStatus).toBe('available');
      const east = new RDSClient({ region: E });
      await expect(
        east.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'entmoot-prod-dr-replica' })),
      ).rejects.toBeInstanceOf(DBInstanceNotFoundFault);
      expect(m.calls.map((c) => [c.via, c.region, c.action])).toEqual([
        ['sdk', W, 'DescribeDBInstances'],
        ['sdk', E, 'DescribeDBInstances'],
      ]);
    } finally {
      restore();
    }
  });
});

describe('AccountModel point-in-time restore settings and tag limits', () => {
  function source(): AccountModel {
    const m = new AccountModel({ now: new Date('2025-11-10T03:00:00Z') });
    m.addDbInstance(E, {
      id: 'entmoot-prod',
      createdAt: new Date('2025-01-01T00:00:00Z'),
      settings: { storageType: 'io1', iops: 3000, optionGroupName: 'entmoot-og', performanceInsightsEnabled: true },
    });
    return m;
  }

  it('shows the source’s settings as DescribeDBInstances names them', async () => {
    const m = source();

    const out = (await m.sdkCall(E, 'rds', 'DescribeDBInstances', { DBInstanceIdentifier: 'entmoot-prod' })) as any;

    expect(out.DBInstances[0]).toMatchObject({
      StorageType: 'io1',
      Iops: 3000,
      OptionGroupMemberships: [{ OptionGroupName: 'entmoot-og', Status: 'in-sync' }],
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
      AutoMinorVersionUpgrade: true,
      NetworkType: 'IPV4',
      PreferredBackupWindow: '03:00-03:30',
      PerformanceInsightsEnabled: true,
      MonitoringInterval: 0,
    });
  });

  it('records every setting a point-in-time restore left to RDS’s defaults', async () => {
    const m = source();

    await m.sdkCall(E, 'rds', 'RestoreDBInstanceToPointInTime', {
      SourceDBInstanceIdentifier: 'entmoot-prod',
      TargetDBInstanceIdentifier: 'edr-pitr-1',
      RestoreTime: new Date('2025-11-09T12:00:00Z'),
      DBSubnetGroupName: 'default',
      VpcSecurityGroupIds: ['sg-1'],
    });

    expect(m.dbInstance(E, 'edr-pitr-1')!.defaultsApplied.sort()).toEqual(
      [
        'AllocatedStorage',
        'AutoMinorVersionUpgrade',
        'BackupRetentionPeriod',
        'CACertificateIdentifier',
        'CopyTagsToSnapshot',
        'DBInstanceClass',
        'DBParameterGroupName',
        'DeletionProtection',
        'EnableCloudwatchLogsExports',
        'EnableIAMDatabaseAuthentication',
        'MultiAZ',
        'NetworkType',
        'OptionGroupName',
        'Port',
        'PreferredBackupWindow',
        'PubliclyAccessible',
        'StorageType',
      ].sort(),
    );
  });

  it('refuses gp3 IOPS or throughput below 400 GiB, as RDS for PostgreSQL does', async () => {
    const m = source();

    await expect(
      m.sdkCall(E, 'rds', 'RestoreDBInstanceToPointInTime', {
        SourceDBInstanceIdentifier: 'entmoot-prod',
        TargetDBInstanceIdentifier: 'edr-pitr-1',
        RestoreTime: new Date('2025-11-09T12:00:00Z'),
        StorageType: 'gp3',
        AllocatedStorage: 100,
        Iops: 3000,
      }),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });

  it('can make a point-in-time restore end incompatible-restore', async () => {
    const m = source();
    m.rds.restoreEndsIn = 'incompatible-restore';

    await m.sdkCall(E, 'rds', 'RestoreDBInstanceToPointInTime', {
      SourceDBInstanceIdentifier: 'entmoot-prod',
      TargetDBInstanceIdentifier: 'edr-pitr-1',
      RestoreTime: new Date('2025-11-09T12:00:00Z'),
    });
    m.advance(m.durations.restoreInstanceSeconds);

    expect(m.dbInstance(E, 'edr-pitr-1')!.status).toBe('incompatible-restore');
  });

  it('refuses a 51st tag, at creation and when tags are added', async () => {
    const m = source();
    const tags = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ Key: `k${from + i}`, Value: 'v' }));

    await expect(
      m.sdkCall(E, 'rds', 'CreateDBSnapshot', {
        DBSnapshotIdentifier: 's1',
        DBInstanceIdentifier: 'entmoot-prod',
        Tags: tags(51),
      }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await m.sdkCall(E, 'rds', 'AddTagsToResource', {
      ResourceName: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
      Tags: tags(50),
    });
    await expect(
      m.sdkCall(E, 'rds', 'AddTagsToResource', {
        ResourceName: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
        Tags: tags(1, 50),
      }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(m.dbInstance(E, 'entmoot-prod')!.tags).toHaveLength(50);
  });
});
