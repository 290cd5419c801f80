import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AccountModel } from '../../support/account/model';

const NOW = new Date('2025-11-10T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
let restore: () => void = () => undefined;
afterEach(() => restore());

function setup() {
  const model = new AccountModel({ now: NOW });
  model.addBucket('src', 'us-east-1', { versioned: true });
  model.addBucket('dst', 'us-west-2', { versioned: true });
  restore = model.wireSdkMocks();
  return {
    model,
    east: new S3Client({ region: 'us-east-1', maxAttempts: 1 }),
    west: new S3Client({ region: 'us-west-2', maxAttempts: 1 }),
  };
}

describe('the account model’s S3 configuration reads', () => {
  it('answers S3’s not-found errors for a bucket with no replication, lifecycle or public access block', async () => {
    const { east } = setup();

    const errors = await Promise.all(
      [
        new GetBucketReplicationCommand({ Bucket: 'src' }),
        new GetBucketLifecycleConfigurationCommand({ Bucket: 'src' }),
        new GetPublicAccessBlockCommand({ Bucket: 'src' }),
      ].map((c) =>
        east.send(c as never).then(
          () => 'answered',
          (e: Error) => e.name,
        ),
      ),
    );

    expect(errors).toEqual([
      'ReplicationConfigurationNotFoundError',
      'NoSuchLifecycleConfiguration',
      'NoSuchPublicAccessBlockConfiguration',
    ]);
  });

  it('returns what a test configured, SSE-S3 by default, and versioning from the bucket', async () => {
    const { model, east } = setup();
    model.addBucket('plain', 'us-east-1');
    const rule = { ID: 'all', Status: 'Enabled', Filter: {}, Destination: { Bucket: 'arn:aws:s3:::dst' } };
    model.s3.configure('src', { replication: { Role: 'arn:aws:iam::123456789012:role/r', Rules: [rule] } });

    const replication = await east.send(new GetBucketReplicationCommand({ Bucket: 'src' }));
    const encryption = await east.send(new GetBucketEncryptionCommand({ Bucket: 'src' }));
    const versioning = await Promise.all(
      ['src', 'plain'].map((b) => east.send(new GetBucketVersioningCommand({ Bucket: b }))),
    );

    expect(replication.ReplicationConfiguration?.Rules).toEqual([rule]);
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(versioning.map((v) => v.Status)).toEqual(['Enabled', undefined]);
  });

  it('refuses a configuration read aimed at a bucket of another region', async () => {
    const { model, east } = setup();

    await expect(east.send(new GetBucketVersioningCommand({ Bucket: 'dst' }))).rejects.toMatchObject({
      name: 'PermanentRedirect',
    });
    expect(model.refusals).toHaveLength(1);
  });
});

describe('the account model’s object replication', () => {
  it('copies the version with its id and checksum, and reports COMPLETED at the source and REPLICA at the copy', async () => {
    const { model, east, west } = setup();
    const put = model.putObject('src', 'health/probe.txt', 'ok', { checksumSHA256: true });
    model.s3.replicate('src', 'health/probe.txt', 'dst');

    const source = await east.send(
      new HeadObjectCommand({ Bucket: 'src', Key: 'health/probe.txt', ChecksumMode: 'ENABLED' }),
    );
    const replica = await west.send(
      new HeadObjectCommand({
        Bucket: 'dst',
        Key: 'health/probe.txt',
        VersionId: put.VersionId,
        ChecksumMode: 'ENABLED',
      }),
    );

    expect([source.ReplicationStatus, replica.ReplicationStatus]).toEqual(['COMPLETED', 'REPLICA']);
    expect(replica.ChecksumSHA256).toBe(source.ChecksumSHA256);
  });

  it('leaves no copy for a PENDING or FAILED replication, and no status where no rule applied', async () => {
    const { model, east, west } = setup();
    model.putObject('src', 'a', 'x');
    model.putObject('src', 'b', 'y');
    model.s3.replicate('src', 'a', 'dst', 'FAILED');

    const a = await east.send(new HeadObjectCommand({ Bucket: 'src', Key: 'a' }));
    const b = await east.send(new HeadObjectCommand({ Bucket: 'src', Key: 'b' }));

    expect([a.ReplicationStatus, b.ReplicationStatus]).toEqual(['FAILED', undefined]);
    await expect(west.send(new HeadObjectCommand({ Bucket: 'dst', Key: 'a' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('fails a PutObject with If-Match when the ETag is stale or the object absent, and writes when it matches', async () => {
    const { east } = setup();
    const first = await east.send(new PutObjectCommand({ Bucket: 'src', Key: 's.json', Body: '1', IfNoneMatch: '*' }));

    const stale = east.send(new PutObjectCommand({ Bucket: 'src', Key: 's.json', Body: '2', IfMatch: '"other"' }));
    const absent = east.send(new PutObjectCommand({ Bucket: 'src', Key: 'none.json', Body: '2', IfMatch: first.ETag }));

    await expect(stale).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(absent).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await expect(
      east.send(new PutObjectCommand({ Bucket: 'src', Key: 's.json', Body: '2', IfMatch: first.ETag })),
    ).resolves.toMatchObject({ ETag: expect.any(String) });
  });
});

describe('the account model’s CloudWatch GetMetricData', () => {
  const latency = {
    namespace: 'AWS/S3',
    metricName: 'ReplicationLatency',
    dimensions: { SourceBucket: 'src', DestinationBucket: 'dst', RuleId: 'all' },
  };
  const query = (id: string, dimensions: Record<string, string>, stat = 'Maximum') => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/S3',
        MetricName: 'ReplicationLatency',
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 900,
      Stat: stat,
    },
  });

  it('aggregates seeded datapoints per period, newest first, only in the metric’s region and for its whole dimension set', async () => {
    const model = new AccountModel({ now: NOW });
    restore = model.wireSdkMocks();
    model.cloudwatch.seedDatapoints('us-west-2', latency, [
      { at: minutesAgo(50), value: 30 },
      { at: minutesAgo(46), value: 90 },
      { at: minutesAgo(5), value: 60 },
    ]);
    const input = {
      StartTime: minutesAgo(60),
      EndTime: NOW,
      MetricDataQueries: [query('m0', latency.dimensions), query('m1', { SourceBucket: 'src' })],
    };

    const west = await new CloudWatchClient({ region: 'us-west-2', maxAttempts: 1 }).send(
      new GetMetricDataCommand(input),
    );
    const east = await new CloudWatchClient({ region: 'us-east-1', maxAttempts: 1 }).send(
      new GetMetricDataCommand(input),
    );

    expect(west.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([
      ['m0', [60, 90]],
      ['m1', []],
    ]);
    expect(east.MetricDataResults?.[0]?.Values).toEqual([]);
  });

  it('refuses more than 500 queries in one call', async () => {
    const model = new AccountModel({ now: NOW });
    restore = model.wireSdkMocks();
    const queries = Array.from({ length: 501 }, (_, i) => query(`m${i}`, latency.dimensions));

    await expect(
      new CloudWatchClient({ region: 'us-west-2', maxAttempts: 1 }).send(
        new GetMetricDataCommand({ StartTime: minutesAgo(60), EndTime: NOW, MetricDataQueries: queries }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('the account model’s automated backup replications', () => {
  it('lists the replicated automated backups of an instance that replicates them, and none otherwise', async () => {
    const model = new AccountModel({ now: NOW });
    restore = model.wireSdkMocks();
    model.addDbInstance('us-east-1', { id: 'replicated', backupReplicationRegion: 'us-west-2' });
    model.addDbInstance('us-east-1', { id: 'local' });

    const out = await new RDSClient({ region: 'us-east-1', maxAttempts: 1 }).send(new DescribeDBInstancesCommand({}));

    const byId = Object.fromEntries(
      (out.DBInstances ?? []).map((i) => [i.DBInstanceIdentifier, i.DBInstanceAutomatedBackupsReplications]),
    );
    expect(byId.replicated).toEqual([
      { DBInstanceAutomatedBackupsArn: expect.stringMatching(/^arn:aws:rds:us-west-2:123456789012:auto-backup:/) },
    ]);
    expect(byId.local).toEqual([]);
  });
});
