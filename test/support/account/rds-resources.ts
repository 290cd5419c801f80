/**
 * The RDS model's resources: lookups by id or ARN, the views the JavaScript SDK returns, and creation (used
 * by seeding and by the actions in rds.ts).
 */
import { ServiceFault, fault } from './errors';
import { dbArn, parseRdsArn, snapshotArn } from './rds-arns';
import { type Input, validateTags } from './rds-input';
import {
  type AutomatedBackupState,
  type Ctx,
  type DbInstanceState,
  type DbSnapshotState,
  LOG_LAG_MS,
  type Regions,
  uniqueSuffix,
} from './rds-state';

export abstract class RdsResources {
  constructor(
    protected readonly regionState: Regions,
    protected readonly regionNames: () => string[],
  ) {}

  // ---- lookups -------------------------------------------------------------------------------------

  protected otherRegionsWith(ctx: Ctx, id: string, kind: 'instance' | 'snapshot'): string[] {
    return this.regionNames().filter((r) => {
      if (r === ctx.region) return false;
      const st = this.regionState(r);
      return kind === 'instance' ? st.instances.has(id) : st.snapshots.has(id);
    });
  }

  /** An instance named by id or ARN in the call's region; anything else is refused as AWS would. */
  instance(ctx: Ctx, idOrArn: string, allowCrossRegionArn = false): DbInstanceState {
    const arn = parseRdsArn(idOrArn);
    if (arn) {
      if (arn.type !== 'db') throw fault.invalidParameterValue(`${idOrArn} is not a DB instance ARN`);
      if (arn.region !== ctx.region && !allowCrossRegionArn) {
        ctx.refuse(`call in ${ctx.region} aimed at ${idOrArn} (a DB instance in ${arn.region})`);
        throw fault.dbInstanceNotFound(idOrArn);
      }
      const found = arn.account === ctx.account ? this.regionState(arn.region).instances.get(arn.id) : undefined;
      if (!found) throw fault.dbInstanceNotFound(idOrArn);
      return found;
    }
    const found = this.regionState(ctx.region).instances.get(idOrArn);
    if (!found) {
      const elsewhere = this.otherRegionsWith(ctx, idOrArn, 'instance');
      if (elsewhere.length > 0) {
        ctx.refuse(`call in ${ctx.region} aimed at DB instance ${idOrArn}, which is in ${elsewhere.join(', ')}`);
      }
      throw fault.dbInstanceNotFound(idOrArn);
    }
    return found;
  }

  snapshot(ctx: Ctx, idOrArn: string, allowCrossRegionArn = false): DbSnapshotState {
    const arn = parseRdsArn(idOrArn);
    if (arn) {
      if (arn.type !== 'snapshot') throw fault.invalidParameterValue(`${idOrArn} is not a DB snapshot ARN`);
      if (arn.region !== ctx.region && !allowCrossRegionArn) {
        ctx.refuse(`call in ${ctx.region} aimed at ${idOrArn} (a DB snapshot in ${arn.region})`);
        throw fault.dbSnapshotNotFound(idOrArn);
      }
      const found = arn.account === ctx.account ? this.regionState(arn.region).snapshots.get(arn.id) : undefined;
      if (!found) throw fault.dbSnapshotNotFound(idOrArn);
      return found;
    }
    const found = this.regionState(ctx.region).snapshots.get(idOrArn);
    if (!found) {
      const elsewhere = this.otherRegionsWith(ctx, idOrArn, 'snapshot');
      if (elsewhere.length > 0) {
        ctx.refuse(`call in ${ctx.region} aimed at DB snapshot ${idOrArn}, which is in ${elsewhere.join(', ')}`);
      }
      throw fault.dbSnapshotNotFound(idOrArn);
    }
    return found;
  }

  // ---- views (JS SDK shapes) -----------------------------------------------------------------------

  latestRestorable(ctx: Ctx, b: AutomatedBackupState): Date {
    if (b.latestFixed) return b.latestFixed;
    const t = new Date(ctx.now().getTime() - LOG_LAG_MS);
    return t < b.earliest ? b.earliest : t;
  }

  earliestRestorable(ctx: Ctx, b: AutomatedBackupState): Date {
    const byRetention = new Date(ctx.now().getTime() - b.retentionDays * 86_400_000);
    return byRetention > b.earliest ? byRetention : b.earliest;
  }

  activeBackup(inst: DbInstanceState): AutomatedBackupState | undefined {
    return this.regionState(inst.region).backups.find(
      (b) => b.dbiResourceId === inst.dbiResourceId && b.status === 'active' && b.region === inst.region,
    );
  }

  instanceView(ctx: Ctx, i: DbInstanceState): Record<string, unknown> {
    const backup = this.activeBackup(i);
    return {
      DBInstanceIdentifier: i.id,
      DBInstanceClass: i.instanceClass,
      Engine: i.engine,
      EngineVersion: i.engineVersion,
      DBInstanceStatus: i.status,
      Endpoint:
        i.status === 'creating'
          ? undefined
          : {
              Address: `${i.id}.abcdefghijkl.${i.region}.rds.amazonaws.com`,
              Port: i.port,
              HostedZoneId: 'Z2R2ITUGPM61AM',
            },
      AllocatedStorage: i.allocatedStorage,
      InstanceCreateTime: i.status === 'creating' ? undefined : i.createdAt,
      BackupRetentionPeriod: i.backupRetentionPeriod,
      VpcSecurityGroups: i.vpcSecurityGroupIds.map((g) => ({ VpcSecurityGroupId: g, Status: 'active' })),
      DBParameterGroups: [{ DBParameterGroupName: i.parameterGroupName, ParameterApplyStatus: 'in-sync' }],
      DBSubnetGroup: { DBSubnetGroupName: i.subnetGroupName, VpcId: i.vpcId, SubnetGroupStatus: 'Complete' },
      LatestRestorableTime: backup ? this.latestRestorable(ctx, backup) : undefined,
      // Cross-region automated backup replication (RDS API reference, DBInstance): the replicas' ARNs.
      DBInstanceAutomatedBackupsReplications: (backup?.replicationArns ?? []).map((a) => ({
        DBInstanceAutomatedBackupsArn: a,
      })),
      MultiAZ: i.multiAZ,
      ReadReplicaSourceDBInstanceIdentifier: i.replicaSource,
      ReadReplicaDBInstanceIdentifiers: [...i.replicas],
      PubliclyAccessible: i.publiclyAccessible,
      StorageEncrypted: i.storageEncrypted,
      KmsKeyId: i.kmsKeyId,
      DbiResourceId: i.dbiResourceId,
      DeletionProtection: i.deletionProtection,
      IAMDatabaseAuthenticationEnabled: i.iamAuth,
      CopyTagsToSnapshot: i.copyTagsToSnapshot,
      StorageType: i.storageType ?? 'gp3',
      Iops: i.iops,
      StorageThroughput: i.storageThroughput,
      MaxAllocatedStorage: i.maxAllocatedStorage,
      OptionGroupMemberships: [
        {
          OptionGroupName: i.optionGroupName ?? `default:${i.engine}-${i.engineVersion.split('.')[0]}`,
          Status: 'in-sync',
        },
      ],
      CACertificateIdentifier: i.caCertificateIdentifier ?? 'rds-ca-rsa2048-g1',
      EnabledCloudwatchLogsExports: i.cloudwatchLogsExports ? [...i.cloudwatchLogsExports] : undefined,
      AutoMinorVersionUpgrade: i.autoMinorVersionUpgrade ?? true,
      NetworkType: i.networkType ?? 'IPV4',
      PreferredBackupWindow: i.preferredBackupWindow ?? '03:00-03:30',
      PreferredMaintenanceWindow: i.preferredMaintenanceWindow ?? 'sun:05:00-sun:05:30',
      PerformanceInsightsEnabled: i.performanceInsightsEnabled ?? false,
      MonitoringInterval: i.monitoringInterval ?? 0,
      DBInstanceArn: dbArn(i.region, ctx.account, i.id),
      TagList: i.tags.map((t) => ({ ...t })),
    };
  }

  snapshotView(ctx: Ctx, s: DbSnapshotState): Record<string, unknown> {
    return {
      DBSnapshotIdentifier: s.id,
      DBInstanceIdentifier: s.instanceId,
      SnapshotCreateTime: s.status === 'creating' ? undefined : s.createdAt,
      OriginalSnapshotCreateTime: s.originalCreatedAt,
      Engine: s.engine,
      EngineVersion: s.engineVersion,
      AllocatedStorage: s.allocatedStorage,
      StorageType: s.storageType ?? 'gp3',
      Iops: s.iops,
      StorageThroughput: s.storageThroughput,
      Status: s.status,
      Port: s.port,
      VpcId: s.vpcId,
      InstanceCreateTime: s.instanceCreateTime,
      SnapshotType: s.type,
      PercentProgress: s.status === 'available' ? 100 : 0,
      SourceRegion: s.sourceRegion,
      SourceDBSnapshotIdentifier: s.sourceSnapshotArn,
      Encrypted: s.encrypted,
      KmsKeyId: s.kmsKeyId,
      DBSnapshotArn: snapshotArn(s.region, ctx.account, s.id),
      DbiResourceId: s.dbiResourceId,
      TagList: s.tags.map((t) => ({ ...t })),
    };
  }

  backupView(ctx: Ctx, b: AutomatedBackupState): Record<string, unknown> {
    return {
      DBInstanceArn: dbArn(b.sourceRegion, ctx.account, b.instanceId),
      DbiResourceId: b.dbiResourceId,
      Region: b.sourceRegion,
      DBInstanceIdentifier: b.instanceId,
      RestoreWindow: { EarliestTime: this.earliestRestorable(ctx, b), LatestTime: this.latestRestorable(ctx, b) },
      AllocatedStorage: b.allocatedStorage,
      Status: b.status,
      VpcId: b.vpcId,
      InstanceCreateTime: b.instanceCreateTime,
      Engine: b.engine,
      EngineVersion: b.engineVersion,
      Encrypted: b.encrypted,
      KmsKeyId: b.kmsKeyId,
      BackupRetentionPeriod: b.retentionDays,
      DBInstanceAutomatedBackupsArn: b.arn,
      DBInstanceAutomatedBackupsReplications: b.replicationArns.map((a) => ({ DBInstanceAutomatedBackupsArn: a })),
    };
  }

  // ---- creation (used by seeding and by the API) ----------------------------------------------------

  createInstance(ctx: Ctx, spec: Partial<DbInstanceState> & { id: string }, status: string): DbInstanceState {
    const st = this.regionState(ctx.region);
    if (st.instances.has(spec.id))
      throw new ServiceFault('DBInstanceAlreadyExistsFault', `DB instance already exists: ${spec.id}`, 400);
    const subnetGroupName = spec.subnetGroupName ?? 'default';
    const inst: DbInstanceState = {
      id: spec.id,
      region: ctx.region,
      status,
      engine: spec.engine ?? 'postgres',
      engineVersion: spec.engineVersion ?? '16.4',
      instanceClass: spec.instanceClass ?? 'db.t4g.medium',
      createdAt: spec.createdAt ?? ctx.now(),
      tags: spec.tags ?? [],
      replicaSource: spec.replicaSource,
      replicas: spec.replicas ?? [],
      port: spec.port ?? 5432,
      vpcSecurityGroupIds: spec.vpcSecurityGroupIds ?? ['sg-default'],
      subnetGroupName,
      vpcId: spec.vpcId ?? st.subnetGroups.get(subnetGroupName) ?? `vpc-default-${ctx.region}`,
      publiclyAccessible: spec.publiclyAccessible ?? false,
      parameterGroupName: spec.parameterGroupName ?? 'default.postgres16',
      multiAZ: spec.multiAZ ?? false,
      storageEncrypted: spec.storageEncrypted ?? true,
      kmsKeyId: spec.kmsKeyId,
      backupRetentionPeriod: spec.backupRetentionPeriod ?? 7,
      dbiResourceId: spec.dbiResourceId ?? `db-${uniqueSuffix().toUpperCase()}`,
      deletionProtection: spec.deletionProtection ?? false,
      iamAuth: spec.iamAuth ?? true,
      allocatedStorage: spec.allocatedStorage ?? 100,
      copyTagsToSnapshot: spec.copyTagsToSnapshot ?? false,
      defaultsApplied: spec.defaultsApplied ?? [],
      storageType: spec.storageType,
      iops: spec.iops,
      storageThroughput: spec.storageThroughput,
      maxAllocatedStorage: spec.maxAllocatedStorage,
      optionGroupName: spec.optionGroupName,
      caCertificateIdentifier: spec.caCertificateIdentifier,
      cloudwatchLogsExports: spec.cloudwatchLogsExports,
      autoMinorVersionUpgrade: spec.autoMinorVersionUpgrade,
      networkType: spec.networkType,
      preferredBackupWindow: spec.preferredBackupWindow,
      preferredMaintenanceWindow: spec.preferredMaintenanceWindow,
      performanceInsightsEnabled: spec.performanceInsightsEnabled,
      monitoringInterval: spec.monitoringInterval,
    };
    st.instances.set(inst.id, inst);
    return inst;
  }

  startBackups(ctx: Ctx, inst: DbInstanceState, earliest: Date, replicateTo?: string): void {
    if (inst.backupRetentionPeriod <= 0) return;
    const st = this.regionState(inst.region);
    const backup: AutomatedBackupState = {
      region: inst.region,
      sourceRegion: inst.region,
      instanceId: inst.id,
      dbiResourceId: inst.dbiResourceId,
      arn: `arn:aws:rds:${inst.region}:${ctx.account}:auto-backup:ab-${uniqueSuffix()}`,
      status: 'active',
      earliest,
      retentionDays: inst.backupRetentionPeriod,
      engine: inst.engine,
      engineVersion: inst.engineVersion,
      allocatedStorage: inst.allocatedStorage,
      vpcId: inst.vpcId,
      encrypted: inst.storageEncrypted,
      kmsKeyId: inst.kmsKeyId,
      instanceCreateTime: inst.createdAt,
      replicationArns: [],
    };
    st.backups.push(backup);
    if (replicateTo) {
      const replica: AutomatedBackupState = {
        ...backup,
        region: replicateTo,
        arn: `arn:aws:rds:${replicateTo}:${ctx.account}:auto-backup:ab-${uniqueSuffix()}`,
        status: 'replicating',
        replicationArns: [],
      };
      backup.replicationArns.push(replica.arn);
      this.regionState(replicateTo).backups.push(replica);
    }
  }

  protected scheduleAvailable(ctx: Ctx, inst: DbInstanceState, creatingSeconds: number): void {
    ctx.schedule(creatingSeconds, () => {
      if (inst.status !== 'creating') return;
      inst.status = 'backing-up';
      this.startBackups(ctx, inst, ctx.now());
      ctx.schedule(ctx.durations.backingUpSeconds, () => {
        if (inst.status === 'backing-up') inst.status = 'available';
      });
    });
  }

  /** Settings of a restore or replica: what the call passed, else the default (remembered in defaultsApplied). */
  protected restoreSettings(ctx: Ctx, input: Input, id: string): Partial<DbInstanceState> & { id: string } {
    const defaultsApplied: string[] = [];
    const pick = <T>(key: string, fallback: T): T => {
      if (input[key] === undefined) {
        defaultsApplied.push(key);
        return fallback;
      }
      return input[key] as T;
    };
    const subnetGroupName = pick('DBSubnetGroupName', 'default');
    const st = this.regionState(ctx.region);
    if (!st.subnetGroups.has(subnetGroupName)) {
      throw new ServiceFault('DBSubnetGroupNotFoundFault', `DBSubnetGroup ${subnetGroupName} not found.`, 404);
    }
    return {
      id,
      subnetGroupName,
      vpcId: st.subnetGroups.get(subnetGroupName),
      vpcSecurityGroupIds: pick('VpcSecurityGroupIds', ['sg-default']),
      publiclyAccessible: pick('PubliclyAccessible', true),
      parameterGroupName: pick('DBParameterGroupName', 'default.postgres16'),
      instanceClass: input.DBInstanceClass as string | undefined,
      multiAZ: input.MultiAZ as boolean | undefined,
      deletionProtection: input.DeletionProtection as boolean | undefined,
      iamAuth: input.EnableIAMDatabaseAuthentication as boolean | undefined,
      copyTagsToSnapshot: input.CopyTagsToSnapshot as boolean | undefined,
      tags: validateTags(input.Tags),
      defaultsApplied,
    };
  }
}
