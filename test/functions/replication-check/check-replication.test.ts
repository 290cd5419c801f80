import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, RDSClient, RDSServiceException, type DBInstance } from '@aws-sdk/client-rds';
import {
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  type HeadObjectCommandOutput,
  type ReplicationRule,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { checkReplicationBatch } from '../../../functions/replication-check/check-replication';
import { REPLICATION_CHECKS_BY_KIND } from '../../../functions/replication-check/targets';
import type { CheckResult } from '../../../functions/shared/check-result';
import { InvalidInputError, ThrottledError } from '../../../functions/shared/errors';
import { parsePlan, type DrPlan } from '../../../lib/plan';
import { fleetPlan } from '../../support/fleet';

const NOW = new Date('2025-11-10T06:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

// One real client per service and region, each mocked on its own: a test proves which region each call went to.
const clients = {
  primary: {
    s3: new S3Client({ region: 'us-east-1' }),
    cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
    rds: new RDSClient({ region: 'us-east-1' }),
  },
  recovery: {
    s3: new S3Client({ region: 'us-west-2' }),
    cloudWatch: new CloudWatchClient({ region: 'us-west-2' }),
    rds: new RDSClient({ region: 'us-west-2' }),
  },
};
const mocks = {
  primary: {
    s3: mockClient(clients.primary.s3),
    cloudWatch: mockClient(clients.primary.cloudWatch),
    rds: mockClient(clients.primary.rds),
  },
  recovery: {
    s3: mockClient(clients.recovery.s3),
    cloudWatch: mockClient(clients.recovery.cloudWatch),
    rds: mockClient(clients.recovery.rds),
  },
};
const deps = { ...clients, now: () => NOW };

const FILES = 'entmoot-prod-files';
const DR = 'entmoot-prod-files-us-west-2';
const plan: DrPlan = parsePlan({
  buckets: [
    { name: FILES, role: 'files', drBucket: DR, sampleKeys: ['uploads/a.png'] },
    { name: 'entmoot-prod-backups', role: 'backups' },
  ],
});
const BUCKET = { kind: 'bucket', bucket: FILES } as const;
const DATABASE = { kind: 'database', id: 'entmoot-prod' } as const;

const rule = (extra: Partial<ReplicationRule> = {}): ReplicationRule => ({
  ID: 'ReplicateAll',
  Priority: 1,
  Status: 'Enabled',
  Filter: { Prefix: '' },
  DeleteMarkerReplication: { Status: 'Disabled' },
  Destination: {
    Bucket: `arn:aws:s3:::${DR}`,
    ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
    Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
  },
  ...extra,
});

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}
function rdsError(name: string): RDSServiceException {
  return new RDSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: name });
}
function cwError(name: string): CloudWatchServiceException {
  return new CloudWatchServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: name });
}

/** Seeded datapoints by metric name and its first dimension value, answered like GetMetricData (newest first). */
type Seeds = Record<string, { minutesAgo: number; value: number }[]>;
const seedKey = (metric: string, dimension: string) => `${metric}/${dimension}`;

function answerMetrics(seeds: Seeds) {
  return (input: GetMetricDataCommandInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q: MetricDataQuery) => {
      const metric = q.MetricStat!.Metric!;
      const points = [...(seeds[seedKey(metric.MetricName!, metric.Dimensions![0].Value!)] ?? [])].sort(
        (a, b) => a.minutesAgo - b.minutesAgo,
      );
      return {
        Id: q.Id,
        StatusCode: 'Complete' as const,
        Timestamps: points.map((p) => minutesAgo(p.minutesAgo)),
        Values: points.map((p) => p.value),
      };
    }),
  });
}

/** A healthy hour: latency 2 minutes, a flat backlog, no failure, and replicas lagging 30 seconds. */
const HEALTHY: Seeds = {
  [seedKey('ReplicationLatency', FILES)]: [
    { minutesAgo: 60, value: 90 },
    { minutesAgo: 45, value: 120 },
    { minutesAgo: 30, value: 60 },
    { minutesAgo: 15, value: 30 },
  ],
  [seedKey('OperationsPendingReplication', FILES)]: [
    { minutesAgo: 60, value: 4 },
    { minutesAgo: 45, value: 9 },
    { minutesAgo: 30, value: 2 },
    { minutesAgo: 15, value: 5 },
  ],
  [seedKey('ReplicaLag', 'entmoot-prod-replica')]: [
    { minutesAgo: 3, value: 20 },
    { minutesAgo: 2, value: 30 },
  ],
  [seedKey('ReplicaLag', 'entmoot-prod-dr-replica')]: [
    { minutesAgo: 3, value: 25 },
    { minutesAgo: 2, value: 30 },
  ],
};

function seedMetrics(seeds: Seeds) {
  mocks.primary.cloudWatch.on(GetMetricDataCommand).callsFake(answerMetrics(seeds));
  mocks.recovery.cloudWatch.on(GetMetricDataCommand).callsFake(answerMetrics(seeds));
}

const REPLICA: DBInstance = {
  DBInstanceIdentifier: 'entmoot-prod-replica',
  DBInstanceStatus: 'available',
  ReadReplicaSourceDBInstanceIdentifier: 'entmoot-prod',
};
const DR_REPLICA: DBInstance = {
  DBInstanceIdentifier: 'entmoot-prod-dr-replica',
  DBInstanceStatus: 'available',
  ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
};

const sourceHead = (extra: Partial<HeadObjectCommandOutput> = {}): HeadObjectCommandOutput => ({
  $metadata: {},
  ContentLength: 2048,
  VersionId: 'v1',
  LastModified: minutesAgo(120),
  ReplicationStatus: 'COMPLETED',
  ChecksumCRC32: 'AAAAAA==',
  ...extra,
});
const replicaHead = (extra: Partial<HeadObjectCommandOutput> = {}): HeadObjectCommandOutput => ({
  $metadata: {},
  ContentLength: 2048,
  VersionId: 'v1',
  ReplicationStatus: 'REPLICA',
  ChecksumCRC32: 'AAAAAA==',
  ...extra,
});

const result = (results: CheckResult[], check: string, target?: string) => {
  const found = results.filter((r) => r.check === check && (target === undefined || r.target === target));
  expect(found).toHaveLength(1);
  return found[0];
};

beforeEach(() => {
  for (const side of [mocks.primary, mocks.recovery]) for (const m of Object.values(side)) m.reset();
  mocks.primary.s3
    .on(GetBucketReplicationCommand)
    .resolves({ ReplicationConfiguration: { Role: 'r', Rules: [rule()] } });
  mocks.primary.s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  mocks.recovery.s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  mocks.primary.s3.on(HeadObjectCommand).resolves(sourceHead());
  mocks.recovery.s3.on(HeadObjectCommand).resolves(replicaHead());
  mocks.primary.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [REPLICA] });
  mocks.recovery.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [DR_REPLICA] });
  seedMetrics(HEALTHY);
});

describe('checkReplicationBatch: a healthy setup', () => {
  it('passes every check of the bucket and the database, in target order', async () => {
    const results = await checkReplicationBatch([BUCKET, DATABASE], plan, deps);

    expect(results.map((r) => [r.check, r.target, r.status])).toEqual([
      ['s3-replication-rule', FILES, 'PASS'],
      ['s3-replication-versioning', FILES, 'PASS'],
      ['s3-replication-latency', FILES, 'PASS'],
      ['s3-replication-pending', FILES, 'PASS'],
      ['s3-replication-failed', FILES, 'PASS'],
      ['s3-replication-sample', `s3://${FILES}/uploads/a.png`, 'PASS'],
      ['rds-replica-status', 'entmoot-prod-replica', 'PASS'],
      ['rds-replica-lag', 'entmoot-prod-replica', 'PASS'],
      ['rds-replica-status', 'entmoot-prod-dr-replica', 'PASS'],
      ['rds-replica-lag', 'entmoot-prod-dr-replica', 'PASS'],
    ]);
  });

  it('emits only the checks its kinds declare (the alarms are made from that list)', async () => {
    const bucket = await checkReplicationBatch([BUCKET], plan, deps);
    const database = await checkReplicationBatch([DATABASE], plan, deps);

    expect([...new Set(bucket.map((r) => r.check))]).toEqual([...REPLICATION_CHECKS_BY_KIND.bucket]);
    expect([...new Set(database.map((r) => r.check))]).toEqual([...REPLICATION_CHECKS_BY_KIND.database]);
  });

  it('reads latency and backlog in the destination’s region and failures in the source’s, by the rule’s id', async () => {
    await checkReplicationBatch([BUCKET], plan, deps);

    const metricsIn = (side: 'primary' | 'recovery') =>
      mocks[side].cloudWatch
        .commandCalls(GetMetricDataCommand)
        .flatMap((c) => c.args[0].input.MetricDataQueries!.map((q) => q.MetricStat!));
    const dimensions = [
      { Name: 'SourceBucket', Value: FILES },
      { Name: 'DestinationBucket', Value: DR },
      { Name: 'RuleId', Value: 'ReplicateAll' },
    ];
    expect(metricsIn('recovery')).toEqual([
      {
        Metric: { Namespace: 'AWS/S3', MetricName: 'ReplicationLatency', Dimensions: dimensions },
        Period: 900,
        Stat: 'Maximum',
      },
      {
        Metric: { Namespace: 'AWS/S3', MetricName: 'OperationsPendingReplication', Dimensions: dimensions },
        Period: 900,
        Stat: 'Maximum',
      },
    ]);
    expect(metricsIn('primary')).toEqual([
      {
        Metric: { Namespace: 'AWS/S3', MetricName: 'OperationsFailedReplication', Dimensions: dimensions },
        Period: 900,
        Stat: 'Sum',
      },
    ]);
    const input = mocks.recovery.cloudWatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect([input.StartTime, input.EndTime]).toEqual([minutesAgo(60), NOW]);
  });

  it('compares the replica of the very version it headed, with checksums requested on both sides', async () => {
    await checkReplicationBatch([BUCKET], plan, deps);

    expect(mocks.primary.s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({
      Bucket: FILES,
      Key: 'uploads/a.png',
      ChecksumMode: 'ENABLED',
    });
    expect(mocks.recovery.s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({
      Bucket: DR,
      Key: 'uploads/a.png',
      VersionId: 'v1',
      ChecksumMode: 'ENABLED',
    });
  });
});

describe('checkReplicationBatch: shared calls', () => {
  const fleet = fleetPlan(300);
  const targets = fleet.databases.map((db) => ({ kind: 'database', id: db.id }) as const);

  it('reads 300 replicas’ lag in one GetMetricData call per region and describes them by filter in chunks of 100', async () => {
    mocks.primary.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    mocks.recovery.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });

    await checkReplicationBatch(targets, fleet, deps);

    expect(mocks.primary.cloudWatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    expect(mocks.recovery.cloudWatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    const filters = mocks.primary.rds.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input.Filters);
    expect(filters).toHaveLength(3);
    expect(filters[0]).toEqual([
      { Name: 'db-instance-id', Values: fleet.databases.slice(0, 100).map((db) => db.replica) },
    ]);
    expect(
      mocks.recovery.rds.commandCalls(DescribeDBInstancesCommand)[2].args[0].input.Filters![0].Values,
    ).toHaveLength(100);
  });

  it('splits more than 500 queries over calls of at most 500', async () => {
    const many = fleetPlan(600);
    mocks.primary.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });

    await checkReplicationBatch(
      many.databases.map((db) => ({ kind: 'database', id: db.id })),
      many,
      deps,
    );

    expect(
      mocks.primary.cloudWatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length),
    ).toEqual([500, 100]);
  });

  it('merges a query’s datapoints spread over pages', async () => {
    mocks.primary.cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        NextToken: 'page-2',
        MetricDataResults: [{ Id: 'm0', StatusCode: 'PartialData', Timestamps: [minutesAgo(1)], Values: [60] }],
      })
      .resolvesOnce({
        MetricDataResults: [{ Id: 'm0', StatusCode: 'Complete', Timestamps: [minutesAgo(2)], Values: [120] }],
      });
    const onlyReplica = parsePlan({ databases: [{ id: 'entmoot-prod', replica: 'entmoot-prod-replica' }] });

    const results = await checkReplicationBatch([DATABASE], onlyReplica, deps);

    expect(result(results, 'rds-replica-lag')).toMatchObject({ status: 'PASS', observed: 2 });
    expect(mocks.primary.cloudWatch.commandCalls(GetMetricDataCommand)[1].args[0].input.NextToken).toBe('page-2');
  });
});

describe('checkReplicationBatch: refused input', () => {
  it.each([
    ['a bucket the plan does not name', { kind: 'bucket', bucket: 'someone-elses-bucket' }, /not a replicated bucket/],
    ['a bucket without a DR bucket', { kind: 'bucket', bucket: 'entmoot-prod-backups' }, /not a replicated bucket/],
    ['a database the plan does not name', { kind: 'database', id: 'other-db' }, /not a replicated database/],
    ['an unknown kind', { kind: 'cluster', id: 'x' }, /kind must be bucket or database \(got "cluster"\)/],
  ])('refuses %s before any AWS call', async (_, target, message) => {
    await expect(checkReplicationBatch([BUCKET, target as never], plan, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidInputError', message: expect.stringMatching(message) }),
    );
    for (const side of [mocks.primary, mocks.recovery])
      for (const m of Object.values(side)) expect(m.calls()).toHaveLength(0);
  });

  it('refuses a batch that is not a list', async () => {
    await expect(checkReplicationBatch({} as never, plan, deps)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('checks a target named twice once', async () => {
    const results = await checkReplicationBatch([DATABASE, DATABASE], plan, deps);

    expect(results).toHaveLength(4);
  });
});

describe('checkReplicationBatch: s3-replication-rule', () => {
  const ruleWith = async (...rules: ReplicationRule[]) => {
    mocks.primary.s3
      .on(GetBucketReplicationCommand)
      .resolves({ ReplicationConfiguration: { Role: 'r', Rules: rules } });
    return result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-rule');
  };

  it.each<[string, ReplicationRule]>([
    ['no Filter', rule({ Filter: undefined })],
    ['an empty Filter', rule({ Filter: {} })],
    ['the first schema’s empty Prefix', rule({ Filter: undefined, Prefix: '' })],
  ])('passes a rule with %s: it covers the whole bucket', async (_, r) => {
    expect(await ruleWith(r)).toMatchObject({ status: 'PASS', observed: 'ReplicateAll' });
  });

  it('fails a rule to another bucket, naming where it replicates', async () => {
    const found = await ruleWith(rule({ Destination: { ...rule().Destination!, Bucket: 'arn:aws:s3:::elsewhere' } }));

    expect(found).toMatchObject({ status: 'FAIL', observed: 'arn:aws:s3:::elsewhere' });
    expect(found.detail).toContain(`no replication rule of ${FILES} replicates to ${DR}`);
  });

  it('fails a tag filter: untagged objects are never replicated', async () => {
    const found = await ruleWith(rule({ Filter: { Tag: { Key: 'replicate', Value: 'yes' } } }));

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain('ReplicateAll selects a tag filter (replicate=yes)');
  });

  it('fails a prefix and tags under And', async () => {
    const found = await ruleWith(rule({ Filter: { And: { Prefix: '', Tags: [{ Key: 'k', Value: 'v' }] } } }));

    expect(found.status).toBe('FAIL');
  });

  it('fails a rule that covers only part of the bucket', async () => {
    const found = await ruleWith(rule({ Filter: { Prefix: 'uploads/' } }));

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain('ReplicateAll selects prefix "uploads/"');
  });

  it('passes a prefix rule when the plan asks for that prefix (or a part of it)', async () => {
    const prefixed = parsePlan({
      buckets: [
        { name: FILES, role: 'files', drBucket: DR, replicationPrefix: 'uploads/images/' },
        { name: 'entmoot-prod-backups', role: 'backups' },
      ],
    });
    mocks.primary.s3
      .on(GetBucketReplicationCommand)
      .resolves({ ReplicationConfiguration: { Role: 'r', Rules: [rule({ Filter: { Prefix: 'uploads/' } })] } });

    const found = result(await checkReplicationBatch([BUCKET], prefixed, deps), 's3-replication-rule');

    expect(found.status).toBe('PASS');
  });

  it('fails a disabled rule', async () => {
    expect(await ruleWith(rule({ Status: 'Disabled' }))).toMatchObject({ status: 'FAIL', observed: 'Disabled' });
  });

  it.each<[string, ReplicationRule, string]>([
    [
      'RTC off',
      rule({ Destination: { ...rule().Destination!, ReplicationTime: { Status: 'Disabled', Time: { Minutes: 15 } } } }),
      'Replication Time Control is off',
    ],
    [
      'metrics off',
      rule({ Destination: { ...rule().Destination!, Metrics: { Status: 'Disabled' } } }),
      'replication metrics are off',
    ],
  ])('fails a covering rule with %s', async (_, r, text) => {
    const found = await ruleWith(r);

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain(text);
  });

  it('passes when one of several covering rules has RTC and metrics', async () => {
    const found = await ruleWith(
      rule({ ID: 'Old', Destination: { ...rule().Destination!, ReplicationTime: undefined } }),
      rule({ ID: 'WithRtc' }),
    );

    expect(found).toMatchObject({ status: 'PASS', observed: 'WithRtc' });
  });

  it('fails a bucket without replication configuration', async () => {
    mocks.primary.s3.on(GetBucketReplicationCommand).rejects(s3Error('ReplicationConfigurationNotFoundError', 404));

    const results = await checkReplicationBatch([BUCKET], plan, deps);

    expect(result(results, 's3-replication-rule').detail).toContain('has no replication configuration');
    expect(result(results, 's3-replication-latency')).toMatchObject({ status: 'WARN', observed: null });
  });

  it('fails a denied read, naming s3:GetReplicationConfiguration', async () => {
    mocks.primary.s3.on(GetBucketReplicationCommand).rejects(s3Error('AccessDenied', 403));

    expect(result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-rule').detail).toContain(
      `needs s3:GetReplicationConfiguration on arn:aws:s3:::${FILES}`,
    );
  });

  it('throws ThrottledError when S3 keeps throttling', async () => {
    mocks.primary.s3.on(GetBucketReplicationCommand).rejects(s3Error('SlowDown', 503));

    await expect(checkReplicationBatch([BUCKET], plan, deps)).rejects.toBeInstanceOf(ThrottledError);
  });
});

describe('checkReplicationBatch: s3-replication-versioning', () => {
  it('fails when the DR bucket’s versioning is suspended, reading it in the recovery region', async () => {
    mocks.recovery.s3.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended' });

    const found = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-versioning');

    expect(found).toMatchObject({ status: 'FAIL', observed: 'Enabled / Suspended' });
    expect(mocks.recovery.s3.commandCalls(GetBucketVersioningCommand)[0].args[0].input).toEqual({ Bucket: DR });
  });

  it('fails when the source was never versioned', async () => {
    mocks.primary.s3.on(GetBucketVersioningCommand).resolves({});

    const found = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-versioning');

    expect(found.detail).toContain(`versioning of ${FILES} is never enabled`);
  });

  it('fails a DR bucket that is not in the recovery region', async () => {
    mocks.recovery.s3.on(GetBucketVersioningCommand).rejects(s3Error('PermanentRedirect', 301));

    const found = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-versioning');

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain(`bucket ${DR} is not in us-west-2`);
  });

  it('fails a denied read, naming s3:GetBucketVersioning', async () => {
    mocks.recovery.s3.on(GetBucketVersioningCommand).rejects(s3Error('AccessDenied', 403));

    const found = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-versioning');

    expect(found.detail).toContain(`needs s3:GetBucketVersioning on arn:aws:s3:::${DR}`);
  });
});

describe('checkReplicationBatch: S3 metrics', () => {
  const latency = (seconds: number) => ({
    ...HEALTHY,
    [seedKey('ReplicationLatency', FILES)]: [
      { minutesAgo: 30, value: 60 },
      { minutesAgo: 15, value: seconds },
    ],
  });

  it.each([
    [7.5 * 60, 'PASS', 7.5],
    [7.5 * 60 + 6, 'WARN', 7.6],
    [15 * 60, 'WARN', 15],
    [15 * 60 + 6, 'FAIL', 15.1],
  ])('grades a largest latency of %i seconds as %s', async (seconds, status, minutes) => {
    seedMetrics(latency(seconds));

    const found = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-latency');

    expect(found).toMatchObject({ status, observed: minutes, threshold: 15 });
  });

  it('warns when no latency was reported for an hour (it is reported even when idle)', async () => {
    seedMetrics({ ...HEALTHY, [seedKey('ReplicationLatency', FILES)]: [] });

    const found = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-latency');

    expect(found).toMatchObject({ status: 'WARN', observed: null });
  });

  it('fails when operations failed to replicate, and passes with no failure data', async () => {
    seedMetrics({
      ...HEALTHY,
      [seedKey('OperationsFailedReplication', FILES)]: [
        { minutesAgo: 30, value: 3 },
        { minutesAgo: 15, value: 2 },
      ],
    });
    const failing = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-failed');
    seedMetrics(HEALTHY);
    const quiet = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-failed');

    expect(failing).toMatchObject({ status: 'FAIL', observed: 5, threshold: 0 });
    expect(quiet).toMatchObject({ status: 'PASS', observed: 0 });
  });

  it('warns when the backlog rose every quarter-hour, and passes one that rose and fell', async () => {
    seedMetrics({
      ...HEALTHY,
      [seedKey('OperationsPendingReplication', FILES)]: [
        { minutesAgo: 60, value: 10 },
        { minutesAgo: 45, value: 40 },
        { minutesAgo: 30, value: 90 },
        { minutesAgo: 15, value: 200 },
      ],
    });
    const growing = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-pending');
    seedMetrics(HEALTHY);
    const flat = result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-pending');

    expect(growing).toMatchObject({ status: 'WARN', observed: 200 });
    expect(growing.detail).toContain('10 → 40 → 90 → 200');
    expect(flat).toMatchObject({ status: 'PASS', observed: 5 });
  });

  it('fails every metric check of a region whose GetMetricData is denied, naming the action', async () => {
    mocks.recovery.cloudWatch.on(GetMetricDataCommand).rejects(cwError('AccessDenied'));

    const results = await checkReplicationBatch([BUCKET, DATABASE], plan, deps);

    for (const [check, target] of [
      ['s3-replication-latency', FILES],
      ['s3-replication-pending', FILES],
      ['rds-replica-lag', 'entmoot-prod-dr-replica'],
    ]) {
      expect(result(results, check, target)).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining('needs cloudwatch:GetMetricData in us-west-2'),
      });
    }
    expect(result(results, 's3-replication-failed').status).toBe('PASS');
  });

  it('throws ThrottledError when CloudWatch keeps throttling', async () => {
    mocks.primary.cloudWatch.on(GetMetricDataCommand).rejects(cwError('Throttling'));

    await expect(checkReplicationBatch([BUCKET], plan, deps)).rejects.toBeInstanceOf(ThrottledError);
  });

  it('does not read metrics of a rule whose metrics are off', async () => {
    mocks.primary.s3.on(GetBucketReplicationCommand).resolves({
      ReplicationConfiguration: {
        Role: 'r',
        Rules: [rule({ Destination: { ...rule().Destination!, Metrics: { Status: 'Disabled' } } })],
      },
    });

    const results = await checkReplicationBatch([BUCKET], plan, deps);

    expect(result(results, 's3-replication-latency')).toMatchObject({
      status: 'WARN',
      detail: 'not measured: replication metrics are off for rule ReplicateAll: enable them',
    });
    expect(mocks.recovery.cloudWatch.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });
});

describe('checkReplicationBatch: s3-replication-sample', () => {
  const sample = async () =>
    result(await checkReplicationBatch([BUCKET], plan, deps), 's3-replication-sample', `s3://${FILES}/uploads/a.png`);

  it.each(['COMPLETED', 'COMPLETE'])('passes %s with equal size and CRC32', async (status) => {
    mocks.primary.s3.on(HeadObjectCommand).resolves(sourceHead({ ReplicationStatus: status as never }));

    expect(await sample()).toMatchObject({ status: 'PASS', observed: status });
  });

  it('passes an object pending for 14 minutes, with a note', async () => {
    mocks.primary.s3
      .on(HeadObjectCommand)
      .resolves(sourceHead({ ReplicationStatus: 'PENDING', LastModified: minutesAgo(14) }));

    const found = await sample();

    expect(found).toMatchObject({ status: 'PASS', observed: 'PENDING' });
    expect(found.detail).toContain('still PENDING replication, within the 15-minute RTC bound');
    expect(mocks.recovery.s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it('fails an object pending for 16 minutes', async () => {
    mocks.primary.s3
      .on(HeadObjectCommand)
      .resolves(sourceHead({ ReplicationStatus: 'PENDING', LastModified: minutesAgo(16) }));

    expect(await sample()).toMatchObject({ status: 'FAIL', observed: 'PENDING' });
  });

  it('fails a FAILED replication', async () => {
    mocks.primary.s3.on(HeadObjectCommand).resolves(sourceHead({ ReplicationStatus: 'FAILED' }));

    expect(await sample()).toMatchObject({ status: 'FAIL', observed: 'FAILED' });
  });

  it('fails an object with no replication status: no rule covers it', async () => {
    mocks.primary.s3.on(HeadObjectCommand).resolves(sourceHead({ ReplicationStatus: undefined }));

    expect((await sample()).detail).toContain('no replication rule covers it');
  });

  it('fails a COMPLETED object missing in the DR bucket', async () => {
    mocks.recovery.s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));

    const found = await sample();

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain(`s3://${DR}/uploads/a.png (version v1) does not exist`);
  });

  it('fails a replica whose checksum differs though the sizes agree', async () => {
    mocks.recovery.s3.on(HeadObjectCommand).resolves(replicaHead({ ChecksumCRC32: 'BBBBBB==' }));

    const found = await sample();

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain('has CRC32 BBBBBB==');
  });

  it('fails a replica of another size', async () => {
    mocks.recovery.s3.on(HeadObjectCommand).resolves(replicaHead({ ContentLength: 1024 }));

    expect((await sample()).status).toBe('FAIL');
  });

  it('never compares ETags: a different ETag with equal size and checksum passes', async () => {
    mocks.primary.s3.on(HeadObjectCommand).resolves(sourceHead({ ETag: '"aaa-2"' }));
    mocks.recovery.s3.on(HeadObjectCommand).resolves(replicaHead({ ETag: '"bbb"' }));

    expect((await sample()).status).toBe('PASS');
  });

  it('compares by size alone when there is no checksum, and says so', async () => {
    mocks.primary.s3.on(HeadObjectCommand).resolves(sourceHead({ ChecksumCRC32: undefined }));
    mocks.recovery.s3.on(HeadObjectCommand).resolves(replicaHead({ ChecksumCRC32: undefined }));

    const found = await sample();

    expect(found.status).toBe('PASS');
    expect(found.detail).toContain('compared by size alone: the object has no stored checksum');
  });

  it('fails a sample key that does not exist in the source', async () => {
    mocks.primary.s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));

    expect((await sample()).detail).toContain('does not exist: name an object that exists in buckets[].sampleKeys');
  });

  it('fails a denied HeadObject, naming s3:GetObject (not the API)', async () => {
    mocks.primary.s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));

    const found = await sample();

    expect(found.detail).toContain(`needs s3:GetObject on arn:aws:s3:::${FILES}/uploads/a.png`);
    expect(found.detail).not.toContain('HeadObject');
  });

  it('fails a sample whose DR bucket does not exist', async () => {
    mocks.recovery.s3.on(HeadObjectCommand).rejects(s3Error('NoSuchBucket', 404));

    expect((await sample()).detail).toBe(
      `bucket ${DR} does not exist in us-west-2 (NoSuchBucket): check the bucket names in the DR plan`,
    );
  });

  it('fails a denied replica read, naming s3:GetObjectVersion', async () => {
    mocks.recovery.s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));

    expect((await sample()).detail).toContain(`needs s3:GetObjectVersion on arn:aws:s3:::${DR}/uploads/a.png`);
  });

  it('reports nothing for a bucket without sample keys: the metrics decide', async () => {
    const noSamples = parsePlan({
      buckets: [
        { name: FILES, role: 'files', drBucket: DR },
        { name: 'entmoot-prod-backups', role: 'backups' },
      ],
    });

    const results = await checkReplicationBatch([BUCKET], noSamples, deps);

    expect(results.filter((r) => r.check === 's3-replication-sample')).toEqual([]);
    expect(mocks.primary.s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });
});

describe('checkReplicationBatch: RDS replicas', () => {
  const replicas = async () => checkReplicationBatch([DATABASE], plan, deps);

  it('fails a missing replica, on both checks, naming the field to fix', async () => {
    mocks.primary.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });

    const results = await replicas();

    expect(result(results, 'rds-replica-status', 'entmoot-prod-replica')).toMatchObject({
      status: 'FAIL',
      observed: null,
    });
    expect(result(results, 'rds-replica-status', 'entmoot-prod-replica').detail).toContain('fix databases[].replica');
    expect(result(results, 'rds-replica-lag', 'entmoot-prod-replica').status).toBe('FAIL');
    expect(result(results, 'rds-replica-status', 'entmoot-prod-dr-replica').status).toBe('PASS');
  });

  it('asks each region only for its replicas, by filter', async () => {
    await replicas();

    expect(mocks.primary.rds.commandCalls(DescribeDBInstancesCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'db-instance-id', Values: ['entmoot-prod-replica'] },
    ]);
    expect(mocks.recovery.rds.commandCalls(DescribeDBInstancesCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'db-instance-id', Values: ['entmoot-prod-dr-replica'] },
    ]);
  });

  it.each([
    ['backing-up', 'WARN'],
    ['modifying', 'WARN'],
    ['stopped', 'FAIL'],
    ['storage-full', 'FAIL'],
    ['incompatible-parameters', 'FAIL'],
  ])('grades a replica that is %s as %s', async (state, status) => {
    mocks.primary.rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ ...REPLICA, DBInstanceStatus: state }] });

    expect(result(await replicas(), 'rds-replica-status', 'entmoot-prod-replica')).toMatchObject({
      status,
      observed: state,
    });
  });

  it('fails a replica of another source', async () => {
    mocks.primary.rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ ...REPLICA, ReadReplicaSourceDBInstanceIdentifier: 'entmoot-staging' }] });

    const found = result(await replicas(), 'rds-replica-status', 'entmoot-prod-replica');

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain('replicates from entmoot-staging, not entmoot-prod');
  });

  it('fails a DR replica whose source ARN is in another region, and one that was promoted', async () => {
    mocks.recovery.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { ...DR_REPLICA, ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:eu-west-1:123456789012:db:entmoot-prod' },
      ],
    });
    const wrongRegion = result(await replicas(), 'rds-replica-status', 'entmoot-prod-dr-replica');
    mocks.recovery.rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ ...DR_REPLICA, ReadReplicaSourceDBInstanceIdentifier: undefined }] });
    const promoted = result(await replicas(), 'rds-replica-status', 'entmoot-prod-dr-replica');

    expect(wrongRegion.status).toBe('FAIL');
    expect(promoted.detail).toContain('replicates from nothing (a standalone instance, perhaps promoted)');
  });

  it('fails a DR replica whose source is given as a bare id (a cross-region source is an ARN)', async () => {
    mocks.recovery.rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ ...DR_REPLICA, ReadReplicaSourceDBInstanceIdentifier: 'entmoot-prod' }] });

    expect(result(await replicas(), 'rds-replica-status', 'entmoot-prod-dr-replica').status).toBe('FAIL');
  });

  const lag = (replica: string, seconds: number[]) => ({
    ...HEALTHY,
    [seedKey('ReplicaLag', replica)]: seconds.map((value, i) => ({ minutesAgo: i + 1, value })),
  });

  it.each([
    // in-region replica: database-failover RPO 5 minutes (WARN past 2.5)
    ['entmoot-prod-replica', 150, 'PASS', 2.5, 5],
    ['entmoot-prod-replica', 156, 'WARN', 2.6, 5],
    ['entmoot-prod-replica', 300, 'WARN', 5, 5],
    ['entmoot-prod-replica', 306, 'FAIL', 5.1, 5],
    // DR replica: region-failure RPO 15 minutes (WARN past 7.5)
    ['entmoot-prod-dr-replica', 450, 'PASS', 7.5, 15],
    ['entmoot-prod-dr-replica', 456, 'WARN', 7.6, 15],
    ['entmoot-prod-dr-replica', 906, 'FAIL', 15.1, 15],
  ])('grades %s lagging %i seconds as %s', async (replica, seconds, status, minutes, rpo) => {
    seedMetrics(lag(replica, [30, seconds, 60]));

    expect(result(await replicas(), 'rds-replica-lag', replica)).toMatchObject({
      status,
      observed: minutes,
      threshold: rpo,
    });
  });

  it('reads the DR replica’s lag in the recovery region', async () => {
    await replicas();

    const asked = mocks.recovery.cloudWatch
      .commandCalls(GetMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricDataQueries!.map((q) => q.MetricStat));
    expect(asked).toEqual([
      {
        Metric: {
          Namespace: 'AWS/RDS',
          MetricName: 'ReplicaLag',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'entmoot-prod-dr-replica' }],
        },
        Period: 60,
        Stat: 'Maximum',
      },
    ]);
  });

  it('fails a negative lag: replication is not running', async () => {
    seedMetrics(lag('entmoot-prod-replica', [-1, 20]));

    const found = result(await replicas(), 'rds-replica-lag', 'entmoot-prod-replica');

    expect(found.status).toBe('FAIL');
    expect(found.detail).toContain('replication is not running');
  });

  it('warns when there is no lag datapoint in the last 5 minutes (older ones do not count)', async () => {
    seedMetrics({ ...HEALTHY, [seedKey('ReplicaLag', 'entmoot-prod-replica')]: [{ minutesAgo: 6, value: 10 }] });

    expect(result(await replicas(), 'rds-replica-lag', 'entmoot-prod-replica')).toMatchObject({
      status: 'WARN',
      observed: null,
    });
  });

  it('fails both replica checks when DescribeDBInstances is denied, naming rds:DescribeDBInstances', async () => {
    mocks.recovery.rds.on(DescribeDBInstancesCommand).rejects(rdsError('AccessDenied'));

    const results = await replicas();

    expect(result(results, 'rds-replica-status', 'entmoot-prod-dr-replica').detail).toContain(
      "the function's role needs rds:DescribeDBInstances in us-west-2",
    );
    expect(result(results, 'rds-replica-lag', 'entmoot-prod-dr-replica').status).toBe('FAIL');
  });

  it('throws ThrottledError when RDS keeps throttling', async () => {
    mocks.primary.rds.on(DescribeDBInstancesCommand).rejects(rdsError('Throttling'));

    await expect(replicas()).rejects.toBeInstanceOf(ThrottledError);
  });
});
