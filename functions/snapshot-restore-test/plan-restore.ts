/**
 * The snapshot restore test's planning step, per database: check the input (before any AWS call), choose the
 * snapshot — the newest `available` of the instance, or the one named, which must be that instance's — and
 * give every setting of the restore explicitly: a snapshot restore otherwise gets the default security group,
 * subnet group and parameter group, and becomes public in a VPC with an internet gateway.
 */
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type DBSnapshot,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { DrPlan } from '../../lib/plan';
import { InvalidInputError, NotFoundError, translateAwsError } from '../shared/errors';
import { resourceName, tagKeys } from '../shared/naming';

/** What the child workflow was started with (by the parent, an operator or nobody else). */
export interface RestoreTestInput {
  readonly dbInstanceId?: unknown;
  readonly snapshotId?: unknown;
  readonly trigger?: unknown;
  readonly AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID?: unknown;
}

/** The planning step's event, built by the workflow. */
export interface PlanRestoreEvent {
  readonly input: RestoreTestInput;
  /** `$$.Execution.Name` and `StartTime`: the copy's name and execution tag come from them. */
  readonly execution: { readonly Name: string; readonly StartTime: string };
  /** This stack: the copy's owner tag. */
  readonly ownerStack: string;
  /** The isolated network's DB subnet group and the copies' security group. */
  readonly subnetGroupName: string;
  readonly securityGroupId: string;
}

/** How the snapshot's storage is given back to the restore (which members it needs). */
export type StorageKind = 'plain' | 'iops' | 'iopsAndThroughput';

/** Every setting of the restore, and what validation needs. */
export interface RestorePlan {
  readonly target: string;
  readonly copyId: string;
  readonly snapshotId: string;
  readonly snapshotCreateTime: string;
  readonly instanceClass: string;
  readonly storageKind: StorageKind;
  readonly storageType: string;
  readonly iops?: number;
  readonly storageThroughput?: number;
  readonly parameterGroupName: string;
  readonly subnetGroupName: string;
  readonly securityGroupId: string;
  readonly port: number;
  readonly databaseName: string;
  readonly user: string;
  readonly tags: { Key: string; Value: string }[];
}

export interface PlanRestoreDeps {
  readonly rds: Pick<RDSClient, 'send'>;
}

const INPUT_KEYS = ['dbInstanceId', 'snapshotId', 'trigger', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID'];
const SNAPSHOT_ID = /^(rds:)?[A-Za-z][A-Za-z0-9-]{0,254}$/;
const INSTANCE_ID = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;

/** The database the input names, checked against the plan; throws `InvalidInputError` naming what is wrong. */
export function checkRestoreInput(
  input: RestoreTestInput,
  plan: Pick<DrPlan, 'databases'>,
): DrPlan['databases'][number] {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InvalidInputError(
      `input must be an object such as {"dbInstanceId": "${plan.databases[0]?.id ?? 'a database id of the plan'}"}`,
    );
  const unknown = Object.keys(input).filter((k) => !INPUT_KEYS.includes(k));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `input has unknown key ${unknown.join(', ')}: expected ${INPUT_KEYS.slice(0, 3).join(', ')}`,
    );
  const { dbInstanceId } = input;
  // A parent passes every key (its Map's Parameters are fixed): null means the newest available snapshot.
  const snapshotId = input.snapshotId === null ? undefined : input.snapshotId;
  if (dbInstanceId === undefined)
    throw new InvalidInputError(
      snapshotId === undefined
        ? 'input.dbInstanceId is required: the restore test of one database needs it'
        : 'input.snapshotId needs input.dbInstanceId: name the instance the snapshot belongs to',
    );
  if (typeof dbInstanceId !== 'string' || !INSTANCE_ID.test(dbInstanceId))
    throw new InvalidInputError(`input.dbInstanceId must be an RDS instance id (got ${JSON.stringify(dbInstanceId)})`);
  const db = plan.databases.find((d) => d.id === dbInstanceId);
  if (!db)
    throw new InvalidInputError(
      `input.dbInstanceId ${dbInstanceId} is not in the plan (databases: ${plan.databases.map((d) => d.id).join(', ')})`,
    );
  if (snapshotId !== undefined && (typeof snapshotId !== 'string' || !SNAPSHOT_ID.test(snapshotId)))
    throw new InvalidInputError(`input.snapshotId must be an RDS snapshot id (got ${JSON.stringify(snapshotId)})`);
  return db;
}

/** The copy's name: `<prefix>-restore-<db>-<yyyymmddhhmm>` of the execution's start (at most 63 characters). */
export function copyName(event: Pick<PlanRestoreEvent, 'input' | 'execution'>, plan: DrPlan): { copyId: string } {
  const db = checkRestoreInput(event.input, plan);
  return { copyId: resourceName(plan.system.namePrefix, 'restore', db.id, new Date(event.execution.StartTime)) };
}

async function snapshots(deps: PlanRestoreDeps, instanceId: string): Promise<DBSnapshot[]> {
  const all: DBSnapshot[] = [];
  let marker: string | undefined;
  do {
    const page = await deps.rds.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instanceId, Marker: marker }),
    );
    all.push(...(page.DBSnapshots ?? []));
    marker = page.Marker;
  } while (marker);
  return all;
}

/** Plans one database's restore test (see the module comment). */
export async function planRestore(event: PlanRestoreEvent, plan: DrPlan, deps: PlanRestoreDeps): Promise<RestorePlan> {
  const db = checkRestoreInput(event.input, plan);
  const { copyId } = copyName(event, plan);
  const wanted = (event.input.snapshotId ?? undefined) as string | undefined;
  let snapshot: DBSnapshot | undefined;
  try {
    const all = await snapshots(deps, db.id);
    if (wanted) {
      snapshot = all.find((s) => s.DBSnapshotIdentifier === wanted);
      if (!snapshot)
        throw new InvalidInputError(
          `input.snapshotId ${wanted} is not a snapshot of ${db.id}: name one of its snapshots`,
        );
      if (snapshot.Status !== 'available')
        throw new InvalidInputError(`snapshot ${wanted} of ${db.id} is ${snapshot.Status}, not available`);
    } else {
      snapshot = all
        .filter((s) => s.Status === 'available' && s.SnapshotCreateTime)
        .sort((a, b) => (b.SnapshotCreateTime?.getTime() ?? 0) - (a.SnapshotCreateTime?.getTime() ?? 0))[0];
      if (!snapshot) throw new NotFoundError(`${db.id} has no available snapshot to restore`);
    }
  } catch (error) {
    if (error instanceof InvalidInputError || error instanceof NotFoundError) throw error;
    translateAwsError(error, 'rds:DescribeDBSnapshots', db.id);
  }
  const snap = snapshot as DBSnapshot;
  let instanceClass = plan.restoreTest.instanceClass;
  if (!instanceClass) {
    try {
      const found = await deps.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.id }));
      instanceClass = found.DBInstances?.[0]?.DBInstanceClass;
    } catch (error) {
      translateAwsError(error, 'rds:DescribeDBInstances', db.id);
    }
    if (!instanceClass)
      throw new NotFoundError(`${db.id} reports no instance class: set restoreTest.instanceClass in the plan`);
  }
  const major = (snap.EngineVersion ?? '').split('.')[0];
  const storageType = snap.StorageType ?? 'gp2';
  const storageKind: StorageKind =
    snap.Iops === undefined ? 'plain' : snap.StorageThroughput === undefined ? 'iops' : 'iopsAndThroughput';
  const keys = tagKeys(plan);
  return {
    target: db.id,
    copyId,
    snapshotId: snap.DBSnapshotIdentifier as string,
    snapshotCreateTime: (snap.SnapshotCreateTime as Date).toISOString(),
    instanceClass,
    storageKind,
    storageType,
    ...(snap.Iops === undefined ? {} : { iops: snap.Iops }),
    ...(snap.StorageThroughput === undefined ? {} : { storageThroughput: snap.StorageThroughput }),
    parameterGroupName: plan.restoreTest.parameterGroupName ?? `default.postgres${major}`,
    subnetGroupName: event.subnetGroupName,
    securityGroupId: event.securityGroupId,
    port: db.port,
    databaseName: db.databaseName,
    user: db.validatorUser,
    tags: [
      { Key: keys.owner, Value: event.ownerStack },
      { Key: keys.execution, Value: event.execution.Name },
      { Key: keys.lifecycle, Value: 'ephemeral' },
    ],
  };
}
