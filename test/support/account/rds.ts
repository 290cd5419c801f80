/**
 * RDS, per region, in the service model's (JavaScript SDK's) names. Request and result members follow the
 * Amazon RDS API Reference (DescribeDBInstances, DescribeDBSnapshots, DescribeDBInstanceAutomatedBackups,
 * DeleteDBInstance, CreateDBSnapshot, CopyDBSnapshot, DeleteDBSnapshot, RestoreDBInstanceFromDBSnapshot,
 * RestoreDBInstanceToPointInTime, CreateDBInstanceReadReplica, PromoteReadReplica, ListTagsForResource,
 * AddTagsToResource: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/) as the installed
 * @aws-sdk/client-rds models them; schema.ts checks every request against that model.
 *
 * Facts modelled on purpose (DESIGN.md §8 "RDS facts that bite"): a DBInstance has LatestRestorableTime
 * but no earliest time — the window is DescribeDBInstanceAutomatedBackups' RestoreWindow; a restore that
 * omits VpcSecurityGroupIds, DBSubnetGroupName, DBParameterGroupName or PubliclyAccessible gets the
 * defaults (public!), recorded in `defaultsApplied`; tag keys starting `aws:` are refused; same-region
 * read replicas must share the source's VPC; a replica in `backing-up` cannot be promoted.
 */
import { ServiceFault, fault } from './errors';
import { dbArn, parseRdsArn, snapshotArn } from './rds-arns';
import { copyableTags, type Input, mergeTags, paginate, str, validateTags } from './rds-input';
import { RdsResources } from './rds-resources';
import {
  type AutomatedBackupState,
  type Ctx,
  type DbInstanceState,
  type DbSnapshotState,
  type Tag,
  uniqueSuffix,
} from './rds-state';

/** The RDS API actions, by their operation names. */
export class RdsModel extends RdsResources {
  // ---- actions -----------------------------------------------------------------------------------

  DescribeDBInstances(ctx: Ctx, input: Input): unknown {
    let items: DbInstanceState[];
    if (input.DBInstanceIdentifier !== undefined) {
      items = [this.instance(ctx, String(input.DBInstanceIdentifier))];
    } else {
      items = [...this.regionState(ctx.region).instances.values()];
    }
    for (const f of (input.Filters as Array<{ Name: string; Values: string[] }> | undefined) ?? []) {
      if (f.Name === 'db-instance-id') {
        items = items.filter((i) => f.Values.includes(i.id) || f.Values.includes(dbArn(i.region, ctx.account, i.id)));
      } else if (f.Name === 'engine') {
        items = items.filter((i) => f.Values.includes(i.engine));
      } else {
        throw fault.invalidParameterValue(`Unrecognized filter name: ${f.Name}`);
      }
    }
    items.sort((a, b) => a.id.localeCompare(b.id));
    const { page, Marker } = paginate(items, input);
    return { DBInstances: page.map((i) => this.instanceView(ctx, i)), Marker };
  }

  DescribeDBSnapshots(ctx: Ctx, input: Input): unknown {
    const st = this.regionState(ctx.region);
    let items: DbSnapshotState[];
    if (input.DBSnapshotIdentifier !== undefined) {
      items = [this.snapshot(ctx, String(input.DBSnapshotIdentifier))];
    } else {
      items = [...st.snapshots.values()];
    }
    if (input.DBInstanceIdentifier !== undefined) {
      const raw = String(input.DBInstanceIdentifier);
      const arn = parseRdsArn(raw);
      if (arn && arn.region !== ctx.region) {
        ctx.refuse(`call in ${ctx.region} aimed at ${raw} (a DB instance in ${arn.region})`);
        throw fault.dbInstanceNotFound(raw);
      }
      const id = arn ? arn.id : raw;
      items = items.filter((s) => s.instanceId === id);
    }
    if (input.SnapshotType !== undefined) items = items.filter((s) => s.type === input.SnapshotType);
    // API_DescribeDBSnapshots, Filters: db-instance-id (identifiers and ARNs), db-snapshot-id, dbi-resource-id,
    // snapshot-type, engine. A cross-region copy keeps its source's DBInstanceIdentifier.
    for (const f of (input.Filters as Array<{ Name: string; Values: string[] }> | undefined) ?? []) {
      const match: Record<string, (s: DbSnapshotState) => boolean> = {
        'db-instance-id': (s) => f.Values.some((v) => v === s.instanceId || parseRdsArn(v)?.id === s.instanceId),
        'db-snapshot-id': (s) => f.Values.includes(s.id),
        'dbi-resource-id': (s) => f.Values.includes(s.dbiResourceId),
        'snapshot-type': (s) => f.Values.includes(s.type),
        engine: (s) => f.Values.includes(s.engine),
      };
      const test = match[f.Name];
      if (!test) throw fault.invalidParameterValue(`Unrecognized filter name: ${f.Name}`);
      items = items.filter(test);
    }
    items.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const { page, Marker } = paginate(items, input);
    return { DBSnapshots: page.map((s) => this.snapshotView(ctx, s)), Marker };
  }

  DescribeDBInstanceAutomatedBackups(ctx: Ctx, input: Input): unknown {
    let items = [...this.regionState(ctx.region).backups];
    if (input.DBInstanceAutomatedBackupsArn !== undefined) {
      const arn = String(input.DBInstanceAutomatedBackupsArn);
      const parsed = parseRdsArn(arn);
      if (parsed && parsed.region !== ctx.region) {
        ctx.refuse(`call in ${ctx.region} aimed at ${arn} (automated backups in ${parsed.region})`);
      }
      items = items.filter((b) => b.arn === arn);
    }
    // An identifier names an instance of the region called: replicated backups of an instance in another region
    // are not found by it (their DbiResourceId or DBInstanceArn finds them).
    if (input.DBInstanceIdentifier !== undefined)
      items = items.filter((b) => b.instanceId === input.DBInstanceIdentifier && b.sourceRegion === ctx.region);
    if (input.DbiResourceId !== undefined) items = items.filter((b) => b.dbiResourceId === input.DbiResourceId);
    // API_DescribeDBInstanceAutomatedBackups, Filters: status, db-instance-id, dbi-resource-id.
    for (const f of (input.Filters as Array<{ Name: string; Values: string[] }> | undefined) ?? []) {
      const match: Record<string, (b: AutomatedBackupState) => boolean> = {
        status: (b) => f.Values.includes(b.status),
        'db-instance-id': (b) =>
          f.Values.some((v) => {
            const arn = parseRdsArn(v);
            return arn
              ? arn.id === b.instanceId && arn.region === b.sourceRegion
              : v === b.instanceId && b.sourceRegion === ctx.region;
          }),
        'dbi-resource-id': (b) => f.Values.includes(b.dbiResourceId),
      };
      const test = match[f.Name];
      if (!test) throw fault.invalidParameterValue(`Unrecognized filter name: ${f.Name}`);
      items = items.filter(test);
    }
    const asked = input.DBInstanceAutomatedBackupsArn ?? input.DBInstanceIdentifier ?? input.DbiResourceId;
    if (asked !== undefined && items.length === 0) {
      throw new ServiceFault(
        'DBInstanceAutomatedBackupNotFoundFault',
        `No automated backup found for ${String(asked)}`,
        404,
      );
    }
    const { page, Marker } = paginate(items, input);
    return { DBInstanceAutomatedBackups: page.map((b) => this.backupView(ctx, b)), Marker };
  }

  private resource(ctx: Ctx, name: string): { tags: Tag[] } {
    const arn = parseRdsArn(name);
    if (!arn)
      throw fault.invalidParameterValue(
        `The specified resource name does not match an RDS resource in this region: ${name}`,
      );
    if (arn.type === 'db') return this.instance(ctx, name);
    if (arn.type === 'snapshot') return this.snapshot(ctx, name);
    throw fault.invalidParameterValue(`Resource type ${arn.type} is not modeled`);
  }

  ListTagsForResource(ctx: Ctx, input: Input): unknown {
    return { TagList: this.resource(ctx, str(input, 'ResourceName')!).tags.map((t) => ({ ...t })) };
  }

  AddTagsToResource(ctx: Ctx, input: Input): unknown {
    const r = this.resource(ctx, str(input, 'ResourceName')!);
    mergeTags(r.tags, validateTags(input.Tags));
    return {};
  }

  RemoveTagsFromResource(ctx: Ctx, input: Input): unknown {
    const r = this.resource(ctx, str(input, 'ResourceName')!);
    const keys = (input.TagKeys as string[] | undefined) ?? [];
    r.tags.splice(0, r.tags.length, ...r.tags.filter((t) => !keys.includes(t.Key)));
    return {};
  }

  CreateDBSnapshot(ctx: Ctx, input: Input): unknown {
    const id = str(input, 'DBSnapshotIdentifier')!;
    const inst = this.instance(ctx, str(input, 'DBInstanceIdentifier')!);
    const st = this.regionState(ctx.region);
    if (st.snapshots.has(id))
      throw new ServiceFault(
        'DBSnapshotAlreadyExistsFault',
        `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`,
      );
    if (inst.status !== 'available') {
      throw fault.invalidInstanceState(
        `Cannot create a snapshot because the database instance ${inst.id} is not currently in the available state.`,
      );
    }
    const tags = validateTags(input.Tags);
    const snap = this.addSnapshot(ctx, {
      id,
      instance: inst,
      type: 'manual',
      status: 'creating',
      tags: inst.copyTagsToSnapshot ? [...copyableTags(inst.tags), ...tags] : tags,
    });
    ctx.schedule(ctx.durations.createSnapshotSeconds, () => {
      if (snap.status === 'creating') snap.status = 'available';
    });
    return { DBSnapshot: this.snapshotView(ctx, snap) };
  }

  addSnapshot(
    ctx: Ctx,
    o: {
      id: string;
      instance?: DbInstanceState;
      instanceId?: string;
      type: 'automated' | 'manual';
      status: string;
      tags?: Tag[];
      createdAt?: Date;
    },
  ): DbSnapshotState {
    const i = o.instance;
    const snap: DbSnapshotState = {
      id: o.id,
      region: ctx.region,
      instanceId: i?.id ?? o.instanceId ?? 'unknown',
      type: o.type,
      status: o.status,
      createdAt: o.createdAt ?? ctx.now(),
      originalCreatedAt: o.createdAt ?? ctx.now(),
      tags: o.tags ?? [],
      engine: i?.engine ?? 'postgres',
      engineVersion: i?.engineVersion ?? '16.4',
      allocatedStorage: i?.allocatedStorage ?? 100,
      vpcId: i?.vpcId ?? `vpc-default-${ctx.region}`,
      encrypted: i?.storageEncrypted ?? true,
      kmsKeyId: i?.kmsKeyId,
      dbiResourceId: i?.dbiResourceId ?? `db-${uniqueSuffix().toUpperCase()}`,
      instanceCreateTime: i?.createdAt ?? ctx.now(),
      port: i?.port ?? 5432,
    };
    this.regionState(ctx.region).snapshots.set(snap.id, snap);
    return snap;
  }

  DeleteDBSnapshot(ctx: Ctx, input: Input): unknown {
    const snap = this.snapshot(ctx, str(input, 'DBSnapshotIdentifier')!);
    if (snap.type !== 'manual')
      throw fault.invalidSnapshotState(`Only manual snapshots may be deleted: ${snap.id} is ${snap.type}`);
    if (snap.status !== 'available')
      throw fault.invalidSnapshotState(`Snapshot ${snap.id} is ${snap.status}, not available`);
    this.regionState(ctx.region).snapshots.delete(snap.id);
    snap.status = 'deleted';
    return { DBSnapshot: this.snapshotView(ctx, snap) };
  }

  CopyDBSnapshot(ctx: Ctx, input: Input): unknown {
    const sourceName = str(input, 'SourceDBSnapshotIdentifier')!;
    const source = this.snapshot(ctx, sourceName, true);
    const target = str(input, 'TargetDBSnapshotIdentifier')!;
    const st = this.regionState(ctx.region);
    if (st.snapshots.has(target))
      throw new ServiceFault(
        'DBSnapshotAlreadyExistsFault',
        `Cannot copy the snapshot because a snapshot with the identifier ${target} already exists.`,
      );
    if (source.status !== 'available')
      throw fault.invalidSnapshotState(`Snapshot ${source.id} is ${source.status}, not available`);
    const crossRegion = source.region !== ctx.region;
    if (crossRegion && source.encrypted && input.KmsKeyId === undefined) {
      throw fault.invalidParameterCombination(
        'KmsKeyId must be provided to copy an encrypted snapshot across regions.',
      );
    }
    const tags = validateTags(input.Tags);
    const snap: DbSnapshotState = {
      ...source,
      id: target,
      region: ctx.region,
      type: 'manual',
      status: 'creating',
      createdAt: ctx.now(),
      tags: input.CopyTags === true ? [...copyableTags(source.tags), ...tags] : tags,
      kmsKeyId: (input.KmsKeyId as string | undefined) ?? source.kmsKeyId,
      sourceRegion: crossRegion ? source.region : undefined,
      sourceSnapshotArn: snapshotArn(source.region, ctx.account, source.id),
    };
    st.snapshots.set(target, snap);
    ctx.schedule(ctx.durations.copySnapshotSeconds, () => {
      if (snap.status === 'creating') snap.status = 'available';
    });
    return { DBSnapshot: this.snapshotView(ctx, snap) };
  }

  DeleteDBInstance(ctx: Ctx, input: Input): unknown {
    const inst = this.instance(ctx, str(input, 'DBInstanceIdentifier')!);
    if (inst.status === 'deleting') throw fault.invalidInstanceState(`Instance ${inst.id} is already being deleted.`);
    if (inst.status === 'creating')
      throw fault.invalidInstanceState(`Instance ${inst.id} is currently creating - a final snapshot cannot be taken.`);
    if (inst.deletionProtection) {
      throw fault.invalidParameterCombination(
        'Cannot delete protected DB Instance, please disable deletion protection and try again.',
      );
    }
    const skip = input.SkipFinalSnapshot === true;
    const finalId = input.FinalDBSnapshotIdentifier as string | undefined;
    if (!skip && !finalId)
      throw fault.invalidParameterCombination(
        'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.',
      );
    if (skip && finalId)
      throw fault.invalidParameterCombination(
        'FinalDBSnapshotIdentifier can not be specified when deleting a DB instance with SkipFinalSnapshot set to true.',
      );
    const st = this.regionState(ctx.region);
    if (finalId) {
      if (st.snapshots.has(finalId))
        throw new ServiceFault('DBSnapshotAlreadyExistsFault', `Snapshot ${finalId} already exists.`);
      const snap = this.addSnapshot(ctx, {
        id: finalId,
        instance: inst,
        type: 'manual',
        status: 'creating',
        tags: inst.copyTagsToSnapshot ? copyableTags(inst.tags) : [],
      });
      ctx.schedule(ctx.durations.createSnapshotSeconds, () => {
        if (snap.status === 'creating') snap.status = 'available';
      });
    }
    const deleteBackups = input.DeleteAutomatedBackups !== false;
    inst.status = 'deleting';
    const view = this.instanceView(ctx, inst);
    ctx.schedule(ctx.durations.deleteInstanceSeconds, () => this.finishDelete(ctx, inst, deleteBackups));
    return { DBInstance: view };
  }

  private finishDelete(ctx: Ctx, inst: DbInstanceState, deleteBackups: boolean): void {
    const st = this.regionState(inst.region);
    if (st.instances.get(inst.id) !== inst) return;
    st.instances.delete(inst.id);
    inst.status = 'deleted';
    for (const r of this.regionNames()) {
      for (const other of this.regionState(r).instances.values()) {
        other.replicas = other.replicas.filter((x) => x !== inst.id && x !== dbArn(inst.region, ctx.account, inst.id));
      }
    }
    for (const b of this.regionNames().flatMap((r) => this.regionState(r).backups)) {
      if (b.dbiResourceId !== inst.dbiResourceId) continue;
      if (deleteBackups && b.region === inst.region) continue;
      b.latestFixed = this.latestRestorable(ctx, b);
      if (b.region === inst.region) b.status = 'retained';
    }
    if (deleteBackups) {
      st.backups = st.backups.filter((b) => b.dbiResourceId !== inst.dbiResourceId);
      for (const [id, s] of st.snapshots)
        if (s.type === 'automated' && s.dbiResourceId === inst.dbiResourceId) st.snapshots.delete(id);
    }
  }

  RestoreDBInstanceFromDBSnapshot(ctx: Ctx, input: Input): unknown {
    const snap = this.snapshot(ctx, str(input, 'DBSnapshotIdentifier')!);
    const id = str(input, 'DBInstanceIdentifier')!;
    if (snap.status !== 'available')
      throw fault.invalidSnapshotState(`Snapshot ${snap.id} is ${snap.status}, not available`);
    const inst = this.createInstance(
      ctx,
      {
        ...this.restoreSettings(ctx, input, id),
        engine: snap.engine,
        engineVersion: snap.engineVersion,
        allocatedStorage: snap.allocatedStorage,
        storageEncrypted: snap.encrypted,
        kmsKeyId: snap.kmsKeyId,
        port: (input.Port as number | undefined) ?? snap.port,
        // BackupRetentionPeriod 0: no automated backups (startBackups skips the instance).
        backupRetentionPeriod: (input.BackupRetentionPeriod as number | undefined) ?? 1,
      },
      'creating',
    );
    const failure = this.restoreEndsIn;
    if (failure)
      ctx.schedule(ctx.durations.restoreInstanceSeconds, () => {
        inst.status = failure;
      });
    else this.scheduleAvailable(ctx, inst, ctx.durations.restoreInstanceSeconds);
    return { DBInstance: this.instanceView(ctx, inst) };
  }

  /** A terminal status restores end in instead of `available` (e.g. `incompatible-restore`), for tests. */
  restoreEndsIn?: string;

  RestoreDBInstanceToPointInTime(ctx: Ctx, input: Input): unknown {
    const target = str(input, 'TargetDBInstanceIdentifier')!;
    let backup: AutomatedBackupState | undefined;
    let source: DbInstanceState | undefined;
    if (input.SourceDBInstanceAutomatedBackupsArn !== undefined) {
      const arn = String(input.SourceDBInstanceAutomatedBackupsArn);
      const parsed = parseRdsArn(arn);
      if (parsed && parsed.region !== ctx.region) {
        ctx.refuse(`call in ${ctx.region} aimed at ${arn} (automated backups in ${parsed.region})`);
      }
      backup = this.regionState(ctx.region).backups.find((b) => b.arn === arn);
      if (!backup) throw new ServiceFault('DBInstanceAutomatedBackupNotFoundFault', `No automated backup ${arn}`, 404);
    } else if (input.SourceDbiResourceId !== undefined) {
      backup = this.regionState(ctx.region).backups.find(
        (b) => b.dbiResourceId === input.SourceDbiResourceId && b.status !== 'replicating',
      );
      if (!backup)
        throw new ServiceFault(
          'DBInstanceAutomatedBackupNotFoundFault',
          `No automated backup for ${String(input.SourceDbiResourceId)}`,
          404,
        );
    } else {
      source = this.instance(ctx, str(input, 'SourceDBInstanceIdentifier')!);
      backup = this.activeBackup(source);
      if (!backup)
        throw new ServiceFault(
          'PointInTimeRestoreNotEnabledFault',
          `Point-in-time restore is not enabled for ${source.id} (backup retention is 0).`,
        );
    }
    const earliest = this.earliestRestorable(ctx, backup);
    const latest = this.latestRestorable(ctx, backup);
    let restoreTime: Date;
    if (input.UseLatestRestorableTime === true) {
      if (input.RestoreTime !== undefined)
        throw fault.invalidParameterCombination('Cannot specify both RestoreTime and UseLatestRestorableTime.');
      restoreTime = latest;
    } else {
      if (input.RestoreTime === undefined)
        throw fault.invalidParameterCombination('Either RestoreTime or UseLatestRestorableTime must be specified.');
      restoreTime = input.RestoreTime instanceof Date ? input.RestoreTime : new Date(String(input.RestoreTime));
      if (Number.isNaN(restoreTime.getTime()))
        throw fault.invalidParameterValue(`Invalid RestoreTime ${String(input.RestoreTime)}`);
      if (restoreTime < earliest || restoreTime > latest) {
        throw new ServiceFault(
          'InvalidRestoreFault',
          `Restore time ${restoreTime.toISOString()} is outside the restore window ${earliest.toISOString()} - ${latest.toISOString()}.`,
        );
      }
    }
    const allocated = (input.AllocatedStorage as number | undefined) ?? backup.allocatedStorage;
    if (
      input.StorageType === 'gp3' &&
      allocated < 400 &&
      (input.Iops !== undefined || input.StorageThroughput !== undefined)
    ) {
      throw fault.invalidParameterCombination(
        "You can't specify IOPS or storage throughput for engine postgres and a storage size less than 400.",
      );
    }
    const settings = this.restoreSettings(ctx, input, target);
    const given = <T>(key: string, fallback: T): T => {
      if (input[key] === undefined) {
        if (!settings.defaultsApplied!.includes(key)) settings.defaultsApplied!.push(key);
        return fallback;
      }
      return input[key] as T;
    };
    const inst = this.createInstance(
      ctx,
      {
        ...settings,
        engine: backup.engine,
        engineVersion: backup.engineVersion,
        // RDS's defaults for what the call omits (the instance class and storage of the backup, IPv4, no logs…).
        instanceClass: given('DBInstanceClass', 'db.t4g.medium'),
        storageType: given('StorageType', 'gp2'),
        allocatedStorage: given('AllocatedStorage', backup.allocatedStorage),
        iops: input.Iops as number | undefined,
        storageThroughput: input.StorageThroughput as number | undefined,
        maxAllocatedStorage: input.MaxAllocatedStorage as number | undefined,
        port: given('Port', 5432),
        optionGroupName: given('OptionGroupName', undefined),
        multiAZ: given('MultiAZ', false),
        iamAuth: given('EnableIAMDatabaseAuthentication', false),
        caCertificateIdentifier: given('CACertificateIdentifier', undefined),
        cloudwatchLogsExports: given('EnableCloudwatchLogsExports', undefined),
        copyTagsToSnapshot: given('CopyTagsToSnapshot', false),
        autoMinorVersionUpgrade: given('AutoMinorVersionUpgrade', true),
        networkType: given('NetworkType', undefined),
        backupRetentionPeriod: given('BackupRetentionPeriod', 1),
        preferredBackupWindow: given('PreferredBackupWindow', undefined),
        deletionProtection: given('DeletionProtection', false),
        storageEncrypted: backup.encrypted,
        kmsKeyId: backup.kmsKeyId,
      },
      'creating',
    );
    this.restoredTo.set(inst, restoreTime);
    const failure = this.restoreEndsIn;
    if (failure)
      ctx.schedule(ctx.durations.restoreInstanceSeconds, () => {
        inst.status = failure;
      });
    else this.scheduleAvailable(ctx, inst, ctx.durations.restoreInstanceSeconds);
    return { DBInstance: this.instanceView(ctx, inst) };
  }

  /** The point in time each PITR copy was restored to. */
  readonly restoredTo = new WeakMap<DbInstanceState, Date>();

  CreateDBInstanceReadReplica(ctx: Ctx, input: Input): unknown {
    const id = str(input, 'DBInstanceIdentifier')!;
    const sourceName = str(input, 'SourceDBInstanceIdentifier')!;
    const source = this.instance(ctx, sourceName, true);
    if (source.status !== 'available') {
      throw fault.invalidInstanceState(
        `DB instance ${source.id} is ${source.status}; a read replica needs it available.`,
      );
    }
    if (source.backupRetentionPeriod <= 0) {
      throw fault.invalidInstanceState(
        `Automated backups are not enabled for ${source.id}; a read replica needs them.`,
      );
    }
    const crossRegion = source.region !== ctx.region;
    const settings = this.restoreSettings(ctx, input, id);
    if (!crossRegion && input.DBSubnetGroupName === undefined) {
      // A same-region replica goes into the source's VPC.
      settings.subnetGroupName = source.subnetGroupName;
      settings.vpcId = source.vpcId;
      settings.defaultsApplied = settings.defaultsApplied!.filter((k) => k !== 'DBSubnetGroupName');
    }
    if (!crossRegion && settings.vpcId !== source.vpcId) {
      throw fault.invalidParameterCombination(
        `Read replicas in one region must share the source's VPC (${source.vpcId}), not ${settings.vpcId}.`,
      );
    }
    settings.defaultsApplied = settings.defaultsApplied!.filter((k) => k !== 'DBParameterGroupName' || crossRegion);
    const inst = this.createInstance(
      ctx,
      {
        ...settings,
        parameterGroupName:
          input.DBParameterGroupName === undefined && !crossRegion
            ? source.parameterGroupName
            : settings.parameterGroupName,
        engine: source.engine,
        engineVersion: source.engineVersion,
        allocatedStorage: source.allocatedStorage,
        storageEncrypted: source.storageEncrypted,
        kmsKeyId: (input.KmsKeyId as string | undefined) ?? (crossRegion ? undefined : source.kmsKeyId),
        backupRetentionPeriod: (input.BackupRetentionPeriod as number | undefined) ?? 0,
        replicaSource: crossRegion ? dbArn(source.region, ctx.account, source.id) : source.id,
      },
      'creating',
    );
    source.replicas.push(crossRegion ? dbArn(ctx.region, ctx.account, id) : id);
    this.scheduleAvailable(ctx, inst, ctx.durations.createReplicaSeconds);
    return { DBInstance: this.instanceView(ctx, inst) };
  }

  PromoteReadReplica(ctx: Ctx, input: Input): unknown {
    const inst = this.instance(ctx, str(input, 'DBInstanceIdentifier')!);
    if (!inst.replicaSource) throw fault.invalidInstanceState(`DB instance ${inst.id} is not a read replica.`);
    if (inst.status !== 'available') {
      throw fault.invalidInstanceState(
        `DB instance ${inst.id} is ${inst.status}; only an available read replica can be promoted.`,
      );
    }
    inst.status = 'modifying';
    const retention = input.BackupRetentionPeriod as number | undefined;
    ctx.schedule(ctx.durations.promoteSeconds, () => {
      if (inst.status !== 'modifying') return;
      const source = inst.replicaSource!;
      const arn = parseRdsArn(source);
      const src = arn
        ? this.regionState(arn.region).instances.get(arn.id)
        : this.regionState(inst.region).instances.get(source);
      if (src)
        src.replicas = src.replicas.filter((x) => x !== inst.id && x !== dbArn(inst.region, ctx.account, inst.id));
      inst.replicaSource = undefined;
      inst.backupRetentionPeriod = retention ?? (inst.backupRetentionPeriod > 0 ? inst.backupRetentionPeriod : 1);
      if (!this.activeBackup(inst)) this.startBackups(ctx, inst, ctx.now());
      inst.status = 'available';
    });
    return { DBInstance: this.instanceView(ctx, inst) };
  }
}
