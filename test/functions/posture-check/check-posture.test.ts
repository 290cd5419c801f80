import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  type Instance,
} from '@aws-sdk/client-auto-scaling';
import { DescribeTasksCommand, ECSClient, ECSServiceException, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ElastiCacheServiceException,
} from '@aws-sdk/client-elasticache';
import { DescribeDBInstancesCommand, RDSClient, RDSServiceException, type DBInstance } from '@aws-sdk/client-rds';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
  S3ControlServiceException,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { checkPostureBatch } from '../../../functions/posture-check/check-posture';
import { POSTURE_CHECKS_BY_KIND, type PostureTarget } from '../../../functions/posture-check/targets';
import type { CheckResult } from '../../../functions/shared/check-result';
import { ThrottledError } from '../../../functions/shared/errors';
import { parsePlan, type DrPlan, type DrPlanInput } from '../../../lib/plan';

const NOW = new Date('2025-11-10T06:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const clients = {
  rds: new RDSClient({ region: 'us-east-1' }),
  s3: new S3Client({ region: 'us-east-1' }),
  s3Control: new S3ControlClient({ region: 'us-east-1' }),
  autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
  ecs: new ECSClient({ region: 'us-east-1' }),
  elastiCache: new ElastiCacheClient({ region: 'us-east-1' }),
};
const mocks = {
  rds: mockClient(clients.rds),
  s3: mockClient(clients.s3),
  s3Control: mockClient(clients.s3Control),
  autoScaling: mockClient(clients.autoScaling),
  ecs: mockClient(clients.ecs),
  elastiCache: mockClient(clients.elastiCache),
};
const deps = { ...clients, now: () => NOW };

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666';
const BACKUPS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-aaaa-bbbb-cccc-444455556666';
const base: DrPlanInput = {
  account: '123456789012',
  databases: [
    { id: 'entmoot-prod', replica: 'entmoot-prod-replica', kmsKeyArn: KEY, backupBucket: 'entmoot-prod-backups' },
  ],
  buckets: [
    { name: 'entmoot-prod-files', role: 'files', drBucket: 'entmoot-prod-files-us-west-2' },
    { name: 'entmoot-prod-backups', role: 'backups', kmsKeyArn: BACKUPS_KEY },
  ],
  application: {
    autoScalingGroupName: 'entmoot-api',
    ecsService: { cluster: 'entmoot', service: 'api' },
    cacheReplicationGroupIds: ['entmoot-cache'],
  },
};
const planWith = (overrides: Partial<DrPlanInput> = {}): DrPlan => parsePlan({ ...base, ...overrides });
const plan = planWith();

const DB = { kind: 'database', id: 'entmoot-prod' } as const;
const FILES = { kind: 'bucket', bucket: 'entmoot-prod-files' } as const;
const BACKUPS = { kind: 'bucket', bucket: 'entmoot-prod-backups' } as const;
const APP = { kind: 'application' } as const;

const SOURCE: DBInstance = {
  DBInstanceIdentifier: 'entmoot-prod',
  BackupRetentionPeriod: 30,
  MultiAZ: true,
  DeletionProtection: true,
  StorageEncrypted: true,
  KmsKeyId: KEY,
  IAMDatabaseAuthenticationEnabled: true,
  LatestRestorableTime: minutesAgo(5),
  DBInstanceAutomatedBackupsReplications: [
    { DBInstanceAutomatedBackupsArn: 'arn:aws:rds:us-west-2:123456789012:auto-backup:ab-abc' },
  ],
};
const REPLICA: DBInstance = { DBInstanceIdentifier: 'entmoot-prod-replica', IAMDatabaseAuthenticationEnabled: true };

const FILES_RULE: LifecycleRule = {
  ID: 'files',
  Status: 'Enabled',
  Filter: { Prefix: '' },
  Transitions: [{ Days: 30, StorageClass: 'GLACIER_IR' }],
  Expiration: { Days: 365 },
  NoncurrentVersionExpiration: { NoncurrentDays: 30 },
};
const BACKUPS_RULE: LifecycleRule = {
  ID: 'backups',
  Status: 'Enabled',
  Filter: {},
  Expiration: { Days: 30 },
  NoncurrentVersionExpiration: { NoncurrentDays: 30 },
};
const ALL_BLOCKED = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const inService = (zone: string, extra: Partial<Instance> = {}): Instance => ({
  InstanceId: `i-${zone}`,
  AvailabilityZone: zone,
  LifecycleState: 'InService',
  HealthStatus: 'Healthy',
  LaunchConfigurationName: 'lc',
  ProtectedFromScaleIn: false,
  ...extra,
});
const task = (zone: string, extra: Partial<Task> = {}): Task => ({
  taskArn: `arn:aws:ecs:us-east-1:123456789012:task/entmoot/${zone}`,
  lastStatus: 'RUNNING',
  healthStatus: 'HEALTHY',
  availabilityZone: zone,
  ...extra,
});

function error<T>(Exception: new (o: any) => T, name: string, status = 400): T {
  return new Exception({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

const result = (results: CheckResult[], check: string, target?: string) => {
  const found = results.filter((r) => r.check === check && (target === undefined || r.target === target));
  expect(found).toHaveLength(1);
  return found[0];
};

function lifecycle(bucket: string, ...rules: LifecycleRule[]) {
  mocks.s3.on(GetBucketLifecycleConfigurationCommand, { Bucket: bucket }).resolves({ Rules: rules });
}

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
  mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [SOURCE, REPLICA] });
  mocks.s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  lifecycle('entmoot-prod-files', FILES_RULE);
  lifecycle('entmoot-prod-backups', BACKUPS_RULE);
  mocks.s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
  });
  mocks.s3.on(GetBucketEncryptionCommand, { Bucket: 'entmoot-prod-backups' }).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: BACKUPS_KEY } }],
    },
  });
  mocks.s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_BLOCKED });
  mocks.s3Control
    .on(GetAccountPublicAccessBlockCommand)
    .rejects(error(S3ControlServiceException, 'NoSuchPublicAccessBlockConfiguration', 404));
  mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'entmoot-api',
        MinSize: 3,
        MaxSize: 6,
        DesiredCapacity: 3,
        DefaultCooldown: 300,
        AvailabilityZones: ['us-east-1a', 'us-east-1b'],
        HealthCheckType: 'ELB',
        CreatedTime: NOW,
        Instances: [inService('us-east-1a'), inService('us-east-1b'), inService('us-east-1c')],
      },
    ],
  });
  mocks.ecs.on(ListTasksCommand).resolves({ taskArns: ['t1', 't2', 't3'] });
  mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [task('us-east-1a'), task('us-east-1b'), task('us-east-1a')] });
  mocks.elastiCache.on(DescribeReplicationGroupsCommand).resolves({
    ReplicationGroups: [{ ReplicationGroupId: 'entmoot-cache', AutomaticFailover: 'enabled', MultiAZ: 'enabled' }],
  });
});

describe('checkPostureBatch: a setup that matches the plan', () => {
  it('passes every check of every target, in target order', async () => {
    const results = await checkPostureBatch([DB, FILES, BACKUPS, APP], plan, deps);

    expect(results.map((r) => [r.check, r.target, r.status])).toEqual([
      ['db-backup-retention', 'entmoot-prod', 'PASS'],
      ['db-multi-az', 'entmoot-prod', 'PASS'],
      ['db-deletion-protection', 'entmoot-prod', 'PASS'],
      ['db-encryption', 'entmoot-prod', 'PASS'],
      ['db-iam-auth', 'entmoot-prod', 'PASS'],
      ['db-iam-auth', 'entmoot-prod-replica', 'PASS'],
      ['db-backup-replication', 'entmoot-prod', 'PASS'],
      ['db-latest-restorable', 'entmoot-prod', 'PASS'],
      ['bucket-versioning', 'entmoot-prod-files', 'PASS'],
      ['bucket-lifecycle', 'entmoot-prod-files', 'PASS'],
      ['bucket-encryption', 'entmoot-prod-files', 'PASS'],
      ['bucket-public-access', 'entmoot-prod-files', 'PASS'],
      ['bucket-versioning', 'entmoot-prod-backups', 'PASS'],
      ['bucket-lifecycle', 'entmoot-prod-backups', 'PASS'],
      ['bucket-encryption', 'entmoot-prod-backups', 'PASS'],
      ['bucket-public-access', 'entmoot-prod-backups', 'PASS'],
      ['compute-capacity', 'entmoot-api', 'PASS'],
      ['compute-capacity', 'entmoot/api', 'PASS'],
      ['cache-failover', 'entmoot-cache', 'PASS'],
    ]);
  });

  it('emits only the checks its kinds declare (the alarms are made from that list)', async () => {
    const checksOf = async (target: PostureTarget) => [
      ...new Set((await checkPostureBatch([target], plan, deps)).map((r) => r.check)),
    ];

    expect(await checksOf(DB)).toEqual([...POSTURE_CHECKS_BY_KIND.database]);
    expect(await checksOf(FILES)).toEqual([...POSTURE_CHECKS_BY_KIND.bucket]);
    expect(await checksOf(APP)).toEqual([...POSTURE_CHECKS_BY_KIND.application]);
  });

  it('describes the source and its replica in one filtered call, and skips the account block when buckets block all', async () => {
    await checkPostureBatch([DB, FILES, BACKUPS], plan, deps);

    expect(mocks.rds.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: [{ Name: 'db-instance-id', Values: ['entmoot-prod', 'entmoot-prod-replica'] }] },
    ]);
    expect(mocks.s3Control.calls()).toHaveLength(0);
  });

  it('refuses a target the plan does not name before any AWS call', async () => {
    await expect(checkPostureBatch([DB, { kind: 'bucket', bucket: 'not-ours' }], plan, deps)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: 'bucket "not-ours" is not a bucket of the plan: add it to plan.buckets',
    });
    await expect(checkPostureBatch([APP], planWith({ application: {} }), deps)).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    for (const m of Object.values(mocks)) expect(m.calls()).toHaveLength(0);
  });
});

describe('checkPostureBatch: databases', () => {
  const withSource = async (changes: Partial<DBInstance>, p: DrPlan = plan) => {
    mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ ...SOURCE, ...changes }, REPLICA] });
    return checkPostureBatch([DB], p, deps);
  };

  it.each([
    [30, 'PASS'],
    [29, 'FAIL'],
    [0, 'FAIL'],
  ])('grades a backup retention of %i days as %s against the 30-day retention', async (days, status) => {
    expect(result(await withSource({ BackupRetentionPeriod: days }), 'db-backup-retention')).toMatchObject({
      status,
      observed: days,
      threshold: 30,
    });
  });

  it('holds retention to the 7-day PITR window when AWS Backup keeps the dailies', async () => {
    const awsBackup = planWith({
      databases: [{ id: 'entmoot-prod', replica: 'entmoot-prod-replica', dailyBackupsBy: 'awsBackup' }],
    });

    const seven = result(await withSource({ BackupRetentionPeriod: 7 }, awsBackup), 'db-backup-retention');
    const six = result(await withSource({ BackupRetentionPeriod: 6 }, awsBackup), 'db-backup-retention');

    expect(seven).toMatchObject({ status: 'PASS', threshold: 7 });
    expect(six.status).toBe('FAIL');
  });

  it.each<[string, Partial<DBInstance>, string]>([
    ['a single-AZ instance', { MultiAZ: false }, 'db-multi-az'],
    ['no deletion protection', { DeletionProtection: false }, 'db-deletion-protection'],
    ['unencrypted storage', { StorageEncrypted: false, KmsKeyId: undefined }, 'db-encryption'],
    ['another KMS key than the plan’s', { KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/other' }, 'db-encryption'],
    ['IAM authentication off on the source', { IAMDatabaseAuthenticationEnabled: false }, 'db-iam-auth'],
    ['no backup replication', { DBInstanceAutomatedBackupsReplications: [] }, 'db-backup-replication'],
    [
      'backups replicated to another region',
      {
        DBInstanceAutomatedBackupsReplications: [
          { DBInstanceAutomatedBackupsArn: 'arn:aws:rds:eu-west-1:1:auto-backup:ab-x' },
        ],
      },
      'db-backup-replication',
    ],
    ['no latest restorable time', { LatestRestorableTime: undefined }, 'db-latest-restorable'],
  ])('fails %s', async (_, changes, check) => {
    const found = result(await withSource(changes), check, 'entmoot-prod');

    expect(found.status).toBe('FAIL');
  });

  it('fails IAM authentication off on the in-region replica (the validator logs in there too)', async () => {
    mocks.rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [SOURCE, { ...REPLICA, IAMDatabaseAuthenticationEnabled: false }] });

    const results = await checkPostureBatch([DB], plan, deps);

    expect(result(results, 'db-iam-auth', 'entmoot-prod-replica').status).toBe('FAIL');
    expect(result(results, 'db-iam-auth', 'entmoot-prod').status).toBe('PASS');
  });

  it.each([
    [10, 'PASS'],
    [10.5, 'WARN'],
    [15, 'WARN'],
    [15.5, 'FAIL'],
  ])('grades a latest restorable time %f minutes old as %s', async (minutes, status) => {
    expect(
      result(await withSource({ LatestRestorableTime: minutesAgo(minutes) }), 'db-latest-restorable'),
    ).toMatchObject({
      status,
      observed: Math.round(minutes * 10) / 10,
      threshold: 15,
    });
  });

  it('fails every check of a database that does not exist', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });

    const results = await checkPostureBatch([DB], plan, deps);

    expect(results.filter((r) => r.target === 'entmoot-prod').map((r) => r.status)).toEqual(Array(7).fill('FAIL'));
    expect(results[0].detail).toBe('entmoot-prod does not exist in us-east-1: check databases[].id in the DR plan');
  });

  it('fails every database check when DescribeDBInstances is denied, naming rds:DescribeDBInstances', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).rejects(error(RDSServiceException, 'AccessDenied'));

    const results = await checkPostureBatch([DB], plan, deps);

    expect(
      results.every((r) => r.status === 'FAIL' && r.detail.includes('needs rds:DescribeDBInstances in us-east-1')),
    ).toBe(true);
  });

  it('throws ThrottledError when RDS keeps throttling', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).rejects(error(RDSServiceException, 'Throttling'));

    await expect(checkPostureBatch([DB], plan, deps)).rejects.toBeInstanceOf(ThrottledError);
  });
});

describe('checkPostureBatch: files bucket lifecycle', () => {
  const filesLifecycle = async (...rules: LifecycleRule[]) => {
    lifecycle('entmoot-prod-files', ...rules);
    return result(await checkPostureBatch([FILES], plan, deps), 'bucket-lifecycle');
  };

  it.each(['GLACIER', 'DEEP_ARCHIVE'])('passes archiving to %s at 30 days', async (storageClass) => {
    expect(
      (await filesLifecycle({ ...FILES_RULE, Transitions: [{ Days: 30, StorageClass: storageClass as never }] }))
        .status,
    ).toBe('PASS');
  });

  it('fails current objects deleted sooner than 365 days', async () => {
    const found = await filesLifecycle({ ...FILES_RULE, Expiration: { Days: 90 } });

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain("rule files deletes current objects after 90 days, sooner than the plan's 365");
  });

  it('fails a narrower rule that deletes sooner, even beside a whole-bucket rule', async () => {
    const found = await filesLifecycle(FILES_RULE, {
      ID: 'tmp',
      Status: 'Enabled',
      Filter: { Prefix: 'uploads/tmp/' },
      Expiration: { Days: 1 },
    });

    expect(found.status).toBe('FAIL');
  });

  it('fails noncurrent versions deleted after 7 days', async () => {
    expect((await filesLifecycle({ ...FILES_RULE, NoncurrentVersionExpiration: { NoncurrentDays: 7 } })).status).toBe(
      'FAIL',
    );
  });

  it('fails an expiry by date', async () => {
    expect(
      (await filesLifecycle({ ...FILES_RULE, Expiration: { Date: new Date('2026-01-01T00:00:00Z') } })).status,
    ).toBe('FAIL');
  });

  it.each<[string, LifecycleRule, string]>([
    ['objects kept longer than a year', { ...FILES_RULE, Expiration: { Days: 400 } }, 'kept 400 days, longer'],
    [
      'noncurrent versions kept forever',
      { ...FILES_RULE, NoncurrentVersionExpiration: undefined },
      'noncurrent versions never expire',
    ],
    [
      'archiving at 60 days',
      { ...FILES_RULE, Transitions: [{ Days: 60, StorageClass: 'GLACIER' }] },
      'GLACIER at 60 days',
    ],
    [
      'archiving to Standard-IA only',
      { ...FILES_RULE, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }] },
      'never moved to a Glacier class',
    ],
    ['a disabled rule', { ...FILES_RULE, Status: 'Disabled' }, 'current objects never expire'],
    [
      'a tag-filtered rule only',
      { ...FILES_RULE, Filter: { Tag: { Key: 'k', Value: 'v' } } },
      'current objects never expire',
    ],
  ])('warns for %s', async (_, rule, text) => {
    const found = await filesLifecycle(rule);

    expect(found.status).toBe('WARN');
    expect(found.detail).toContain(text);
  });

  it('treats a bucket without lifecycle configuration as a finding, not an error', async () => {
    mocks.s3
      .on(GetBucketLifecycleConfigurationCommand, { Bucket: 'entmoot-prod-files' })
      .rejects(error(S3ServiceException, 'NoSuchLifecycleConfiguration', 404));

    const found = result(await checkPostureBatch([FILES], plan, deps), 'bucket-lifecycle');

    expect(found).toMatchObject({ status: 'WARN', observed: 'no lifecycle configuration' });
  });

  it('fails a denied read, naming s3:GetLifecycleConfiguration', async () => {
    mocks.s3.on(GetBucketLifecycleConfigurationCommand).rejects(error(S3ServiceException, 'AccessDenied', 403));

    const found = result(await checkPostureBatch([FILES], plan, deps), 'bucket-lifecycle');

    expect(found.detail).toContain('needs s3:GetLifecycleConfiguration on arn:aws:s3:::entmoot-prod-files');
  });

  it('fails a files bucket without versioning, and warns a backups bucket without it', async () => {
    mocks.s3.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended' });

    const results = await checkPostureBatch([FILES, BACKUPS], plan, deps);

    expect(result(results, 'bucket-versioning', 'entmoot-prod-files')).toMatchObject({
      status: 'FAIL',
      observed: 'Suspended',
    });
    expect(result(results, 'bucket-versioning', 'entmoot-prod-backups').status).toBe('WARN');
  });
});

describe('checkPostureBatch: backups bucket lifecycle', () => {
  const backupsLifecycle = async (...rules: LifecycleRule[]) => {
    lifecycle('entmoot-prod-backups', ...rules);
    return result(await checkPostureBatch([BACKUPS], plan, deps), 'bucket-lifecycle');
  };

  it('fails backups deleted before the 30-day retention', async () => {
    expect((await backupsLifecycle({ ...BACKUPS_RULE, Expiration: { Days: 14 } })).status).toBe('FAIL');
  });

  it('fails overwritten dumps (noncurrent versions) deleted before the retention', async () => {
    expect(
      (await backupsLifecycle({ ...BACKUPS_RULE, NoncurrentVersionExpiration: { NoncurrentDays: 7 } })).status,
    ).toBe('FAIL');
  });

  it('fails a rule that moves the latest dump to GLACIER', async () => {
    const found = await backupsLifecycle({ ...BACKUPS_RULE, Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] });

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain('moves latest.sql to GLACIER after 1 days');
  });

  it('passes a rule that moves backups to GLACIER_IR (read at once)', async () => {
    expect(
      (await backupsLifecycle({ ...BACKUPS_RULE, Transitions: [{ Days: 1, StorageClass: 'GLACIER_IR' }] })).status,
    ).toBe('PASS');
  });

  it('warns when only other backups go to DEEP_ARCHIVE', async () => {
    const found = await backupsLifecycle(BACKUPS_RULE, {
      ID: 'archive-daily',
      Status: 'Enabled',
      Filter: { Prefix: 'daily/' },
      Transitions: [{ Days: 14, StorageClass: 'DEEP_ARCHIVE' }],
    });

    expect(found.status).toBe('WARN');
  });

  it('warns backups kept longer than the plan, and never expiring', async () => {
    expect((await backupsLifecycle({ ...BACKUPS_RULE, Expiration: { Days: 60 } })).status).toBe('WARN');
    expect((await backupsLifecycle({ ...BACKUPS_RULE, Expiration: undefined })).status).toBe('WARN');
  });

  it('passes the plan’s own longer expiry (posture.buckets.backups.expireAfterDays)', async () => {
    lifecycle('entmoot-prod-backups', { ...BACKUPS_RULE, Expiration: { Days: 35 } });
    const longer = planWith({ posture: { buckets: { backups: { expireAfterDays: 35 } } } });

    expect(result(await checkPostureBatch([BACKUPS], longer, deps), 'bucket-lifecycle').status).toBe('PASS');
  });
});

describe('checkPostureBatch: bucket encryption and public access', () => {
  it('fails SSE-S3 where the plan names a KMS key', async () => {
    mocks.s3.on(GetBucketEncryptionCommand, { Bucket: 'entmoot-prod-backups' }).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });

    const found = result(await checkPostureBatch([BACKUPS], plan, deps), 'bucket-encryption');

    expect(found).toMatchObject({ status: 'FAIL', observed: 'AES256', threshold: BACKUPS_KEY });
  });

  it('fails SSE-KMS with another key, and passes the plan’s key given by id', async () => {
    mocks.s3.on(GetBucketEncryptionCommand, { Bucket: 'entmoot-prod-backups' }).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'other' } }],
      },
    });
    const other = result(await checkPostureBatch([BACKUPS], plan, deps), 'bucket-encryption');
    mocks.s3.on(GetBucketEncryptionCommand, { Bucket: 'entmoot-prod-backups' }).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: '0a1b2c3d-aaaa-bbbb-cccc-444455556666',
            },
          },
        ],
      },
    });
    const byId = result(await checkPostureBatch([BACKUPS], plan, deps), 'bucket-encryption');

    expect(other.status).toBe('FAIL');
    expect(byId.status).toBe('PASS');
  });

  it('passes S3’s default encryption when the plan names no key', async () => {
    mocks.s3
      .on(GetBucketEncryptionCommand, { Bucket: 'entmoot-prod-files' })
      .rejects(error(S3ServiceException, 'ServerSideEncryptionConfigurationNotFoundError', 404));

    expect(result(await checkPostureBatch([FILES], plan, deps), 'bucket-encryption').status).toBe('PASS');
  });

  it('passes blocks on at account level where the bucket has none', async () => {
    mocks.s3
      .on(GetPublicAccessBlockCommand)
      .rejects(error(S3ServiceException, 'NoSuchPublicAccessBlockConfiguration', 404));
    mocks.s3Control.on(GetAccountPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_BLOCKED });

    const results = await checkPostureBatch([FILES, BACKUPS], plan, deps);

    expect(result(results, 'bucket-public-access', 'entmoot-prod-files').status).toBe('PASS');
    expect(mocks.s3Control.commandCalls(GetAccountPublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([
      { AccountId: '123456789012' },
    ]);
  });

  it('fails a setting on at neither level, naming it', async () => {
    mocks.s3
      .on(GetPublicAccessBlockCommand)
      .resolves({ PublicAccessBlockConfiguration: { ...ALL_BLOCKED, RestrictPublicBuckets: false } });

    const found = result(await checkPostureBatch([FILES], plan, deps), 'bucket-public-access');

    expect(found).toMatchObject({ status: 'FAIL', observed: 'off: RestrictPublicBuckets' });
  });

  it('fails a gap when the account block cannot be read, naming s3:GetAccountPublicAccessBlock', async () => {
    mocks.s3
      .on(GetPublicAccessBlockCommand)
      .rejects(error(S3ServiceException, 'NoSuchPublicAccessBlockConfiguration', 404));
    mocks.s3Control
      .on(GetAccountPublicAccessBlockCommand)
      .rejects(error(S3ControlServiceException, 'AccessDenied', 403));

    const found = result(await checkPostureBatch([FILES], plan, deps), 'bucket-public-access');

    expect(found.detail).toContain('needs s3:GetAccountPublicAccessBlock on account 123456789012');
  });

  it('fails every check of a bucket that does not exist', async () => {
    mocks.s3.on(GetBucketVersioningCommand).rejects(error(S3ServiceException, 'NoSuchBucket', 404));

    const results = await checkPostureBatch([FILES], plan, deps);

    expect(results.map((r) => r.status)).toEqual(['FAIL', 'FAIL', 'FAIL', 'FAIL']);
    expect(results[0].detail).toBe(
      'bucket entmoot-prod-files does not exist (NoSuchBucket): check buckets[].name in the DR plan',
    );
  });

  it('fails every check of a bucket in another region', async () => {
    mocks.s3.on(GetBucketVersioningCommand).rejects(error(S3ServiceException, 'PermanentRedirect', 301));

    const results = await checkPostureBatch([FILES], plan, deps);

    expect(results.map((r) => r.detail)).toEqual(
      Array(4).fill(
        "bucket entmoot-prod-files is not in regions.primary: the plan's buckets must be in the primary region",
      ),
    );
  });

  it.each([
    ['bucket-versioning', GetBucketVersioningCommand, 's3:GetBucketVersioning'],
    ['bucket-encryption', GetBucketEncryptionCommand, 's3:GetEncryptionConfiguration'],
    ['bucket-public-access', GetPublicAccessBlockCommand, 's3:GetBucketPublicAccessBlock'],
  ] as const)('fails only %s when its read is denied, naming the IAM action', async (check, command, action) => {
    mocks.s3.on(command as never).rejects(error(S3ServiceException, 'AccessDenied', 403));

    const results = await checkPostureBatch([FILES], plan, deps);

    expect(result(results, check)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining(`needs ${action} on arn:aws:s3:::entmoot-prod-files`),
    });
    expect(results.filter((r) => r.status === 'FAIL').map((r) => r.check)).toEqual([check]);
  });

  it('throws ThrottledError when S3 keeps throttling', async () => {
    mocks.s3.on(GetBucketEncryptionCommand).rejects(error(S3ServiceException, 'SlowDown', 503));

    await expect(checkPostureBatch([FILES], plan, deps)).rejects.toBeInstanceOf(ThrottledError);
  });
});

describe('checkPostureBatch: compute and cache', () => {
  it('fails an Auto Scaling group with too few healthy instances (pending and unhealthy do not count)', async () => {
    mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'entmoot-api',
          MinSize: 3,
          MaxSize: 6,
          DesiredCapacity: 3,
          DefaultCooldown: 300,
          AvailabilityZones: [],
          HealthCheckType: 'ELB',
          CreatedTime: NOW,
          Instances: [
            inService('us-east-1a'),
            inService('us-east-1b'),
            inService('us-east-1c', { HealthStatus: 'Unhealthy' }),
            inService('us-east-1d', { LifecycleState: 'Pending' }),
          ],
        },
      ],
    });

    const found = result(await checkPostureBatch([APP], plan, deps), 'compute-capacity', 'entmoot-api');

    expect(found).toMatchObject({ status: 'FAIL', observed: 2, threshold: '3 in 2 zones' });
  });

  it('fails ECS tasks all in one zone, and does not count UNHEALTHY ones', async () => {
    mocks.ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        task('us-east-1a'),
        task('us-east-1a'),
        task('us-east-1a'),
        task('us-east-1b', { healthStatus: 'UNHEALTHY' }),
      ],
    });

    const found = result(await checkPostureBatch([APP], plan, deps), 'compute-capacity', 'entmoot/api');

    expect(found).toMatchObject({ status: 'FAIL', observed: 3 });
    expect(found.detail).toContain('in 1 zone (us-east-1a)');
    expect(mocks.ecs.commandCalls(ListTasksCommand)[0].args[0].input).toEqual({
      cluster: 'entmoot',
      serviceName: 'api',
      desiredStatus: 'RUNNING',
    });
  });

  it('fails a group that does not exist and a denied ECS read, naming ecs:ListTasks', async () => {
    mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    mocks.ecs.on(ListTasksCommand).rejects(error(ECSServiceException, 'AccessDeniedException'));

    const results = await checkPostureBatch([APP], plan, deps);

    expect(result(results, 'compute-capacity', 'entmoot-api').detail).toContain('does not exist in us-east-1');
    expect(result(results, 'compute-capacity', 'entmoot/api').detail).toContain('needs ecs:ListTasks in us-east-1');
  });

  it('fails a denied ECS task description, naming ecs:DescribeTasks', async () => {
    mocks.ecs.on(DescribeTasksCommand).rejects(error(ECSServiceException, 'AccessDeniedException'));

    const found = result(await checkPostureBatch([APP], plan, deps), 'compute-capacity', 'entmoot/api');

    expect(found.detail).toContain('needs ecs:DescribeTasks in us-east-1');
  });

  it('fails a denied Auto Scaling read, naming autoscaling:DescribeAutoScalingGroups', async () => {
    mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).rejects(error(AutoScalingServiceException, 'AccessDenied'));

    const found = result(await checkPostureBatch([APP], plan, deps), 'compute-capacity', 'entmoot-api');

    expect(found.detail).toContain('needs autoscaling:DescribeAutoScalingGroups');
  });

  it.each([
    ['disabled', 'enabled', 'FAIL'],
    ['enabling', 'enabled', 'WARN'],
    ['enabled', 'disabled', 'FAIL'],
  ])('grades a cache group with failover %s and Multi-AZ %s as %s', async (failover, multiAz, status) => {
    mocks.elastiCache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        { ReplicationGroupId: 'entmoot-cache', AutomaticFailover: failover as never, MultiAZ: multiAz as never },
      ],
    });

    expect(result(await checkPostureBatch([APP], plan, deps), 'cache-failover').status).toBe(status);
  });

  it('fails a cache group that does not exist, and a denied read naming elasticache:DescribeReplicationGroups', async () => {
    mocks.elastiCache
      .on(DescribeReplicationGroupsCommand)
      .rejects(error(ElastiCacheServiceException, 'ReplicationGroupNotFoundFault'));
    const missing = result(await checkPostureBatch([APP], plan, deps), 'cache-failover');
    mocks.elastiCache.on(DescribeReplicationGroupsCommand).rejects(error(ElastiCacheServiceException, 'AccessDenied'));
    const denied = result(await checkPostureBatch([APP], plan, deps), 'cache-failover');

    expect(missing.detail).toContain('check application.cacheReplicationGroupIds');
    expect(denied.detail).toContain('needs elasticache:DescribeReplicationGroups');
  });

  it('checks only what the plan names', async () => {
    const cacheOnly = planWith({ application: { cacheReplicationGroupIds: ['entmoot-cache'] } });

    const results = await checkPostureBatch([APP], cacheOnly, deps);

    expect(results.map((r) => r.check)).toEqual(['cache-failover']);
    expect(mocks.autoScaling.calls()).toHaveLength(0);
    expect(mocks.ecs.calls()).toHaveLength(0);
  });
});
