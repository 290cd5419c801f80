/** The RDS model's state per region: instances, snapshots, automated backups and subnet groups. */
export interface Tag {
  Key: string;
  Value: string;
}

export interface Durations {
  /** Restore from snapshot or point in time: `creating` lasts this long, then `backing-up`. */
  restoreInstanceSeconds: number;
  createReplicaSeconds: number;
  backingUpSeconds: number;
  modifyInstanceSeconds: number;
  promoteSeconds: number;
  /** `deleting` lasts this long, then the instance is gone. `Infinity`: never completes. */
  deleteInstanceSeconds: number;
  createSnapshotSeconds: number;
  copySnapshotSeconds: number;
}

export const DEFAULT_DURATIONS: Durations = {
  restoreInstanceSeconds: 900,
  createReplicaSeconds: 1200,
  backingUpSeconds: 120,
  modifyInstanceSeconds: 60,
  promoteSeconds: 300,
  deleteInstanceSeconds: 300,
  createSnapshotSeconds: 300,
  copySnapshotSeconds: 600,
};

export interface Ctx {
  region: string;
  account: string;
  now(): Date;
  schedule(seconds: number, fn: () => void): void;
  refuse(message: string): void;
  durations: Durations;
}

export interface DbInstanceState {
  id: string;
  region: string;
  status: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  createdAt: Date;
  tags: Tag[];
  /** As DescribeDBInstances shows it: the id in the same region, the ARN across regions. */
  replicaSource?: string;
  replicas: string[];
  port: number;
  vpcSecurityGroupIds: string[];
  subnetGroupName: string;
  vpcId: string;
  publiclyAccessible: boolean;
  parameterGroupName: string;
  multiAZ: boolean;
  storageEncrypted: boolean;
  kmsKeyId?: string;
  backupRetentionPeriod: number;
  dbiResourceId: string;
  deletionProtection: boolean;
  iamAuth: boolean;
  allocatedStorage: number;
  copyTagsToSnapshot: boolean;
  /** Settings a restore or replica got by default because the call omitted them. */
  defaultsApplied: string[];
  storageType?: string;
  iops?: number;
  storageThroughput?: number;
  maxAllocatedStorage?: number;
  optionGroupName?: string;
  caCertificateIdentifier?: string;
  cloudwatchLogsExports?: string[];
  autoMinorVersionUpgrade?: boolean;
  networkType?: string;
  preferredBackupWindow?: string;
  preferredMaintenanceWindow?: string;
  performanceInsightsEnabled?: boolean;
  monitoringInterval?: number;
}

/** Settings an instance is seeded with or a restore copies, beyond the ones every instance has. */
export type InstanceSettings = Partial<
  Pick<
    DbInstanceState,
    | 'storageType'
    | 'iops'
    | 'storageThroughput'
    | 'maxAllocatedStorage'
    | 'optionGroupName'
    | 'caCertificateIdentifier'
    | 'cloudwatchLogsExports'
    | 'autoMinorVersionUpgrade'
    | 'networkType'
    | 'preferredBackupWindow'
    | 'preferredMaintenanceWindow'
    | 'performanceInsightsEnabled'
    | 'monitoringInterval'
    | 'port'
    | 'allocatedStorage'
  >
>;

/** Most tags an RDS resource holds. */
export const MAX_TAGS = 50;

export interface DbSnapshotState {
  id: string;
  region: string;
  instanceId: string;
  type: 'automated' | 'manual';
  status: string;
  createdAt: Date;
  originalCreatedAt: Date;
  tags: Tag[];
  engine: string;
  engineVersion: string;
  allocatedStorage: number;
  vpcId: string;
  encrypted: boolean;
  kmsKeyId?: string;
  dbiResourceId: string;
  instanceCreateTime: Date;
  port: number;
  sourceRegion?: string;
  sourceSnapshotArn?: string;
  storageType?: string;
  iops?: number;
  storageThroughput?: number;
}

export interface AutomatedBackupState {
  region: string;
  /** Region of the instance the backups are of (differs for a replicated backup). */
  sourceRegion: string;
  instanceId: string;
  dbiResourceId: string;
  arn: string;
  status: 'active' | 'retained' | 'replicating';
  earliest: Date;
  /** Set once the instance is gone (retained backups stop moving). */
  latestFixed?: Date;
  retentionDays: number;
  engine: string;
  engineVersion: string;
  allocatedStorage: number;
  vpcId: string;
  encrypted: boolean;
  kmsKeyId?: string;
  instanceCreateTime: Date;
  replicationArns: string[];
}

export interface RdsRegion {
  instances: Map<string, DbInstanceState>;
  snapshots: Map<string, DbSnapshotState>;
  backups: AutomatedBackupState[];
  subnetGroups: Map<string, string>;
}

/** LatestRestorableTime trails the clock by this much (RDS uploads transaction logs every 5 minutes). */
export const LOG_LAG_MS = 5 * 60 * 1000;

let counter = 0;
export function uniqueSuffix(): string {
  counter += 1;
  return counter.toString(36).padStart(6, '0');
}

export function newRdsRegion(region: string): RdsRegion {
  return {
    instances: new Map(),
    snapshots: new Map(),
    backups: [],
    subnetGroups: new Map([['default', `vpc-default-${region}`]]),
  };
}

/** The per-region state, by region name. */
export type Regions = (region: string) => RdsRegion;
