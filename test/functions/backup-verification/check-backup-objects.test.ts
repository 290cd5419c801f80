import {
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NotFound,
  S3Client,
  S3ServiceException,
  type _Object,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { checkBackupObjects, countObjectsUpTo } from '../../../functions/backup-verification/check-backup-objects';
import type { CheckResult } from '../../../functions/shared/check-result';
import { ConfigurationError, ThrottledError } from '../../../functions/shared/errors';
import { defaultPlan, parsePlan } from '../../../lib/plan';
import { fakeListing } from '../../support/fake-listing';

const NOW = new Date('2025-11-10T06:00:00Z');
const plan = defaultPlan();
const bucket = plan.buckets.find((b) => b.role === 'backups')!;
const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const deps = { s3, now: () => NOW };

const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const byCheck = (results: CheckResult[], check: string) => results.find((r) => r.check === check);

/** `n` dumps, one a day, the newest `newestHoursAgo` old, under `daily/yyyy/mm/dd/`. */
function dailyDumps(n: number, newestHoursAgo: number, prefix = ''): _Object[] {
  return Array.from({ length: n }, (_, i) => {
    const t = ago(newestHoursAgo + 24 * i);
    const day = t.toISOString().slice(0, 10).replaceAll('-', '/');
    return { Key: `${prefix}daily/${day}/entmoot-prod.dump`, LastModified: t, Size: 250_000_000 };
  });
}

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: `${name}: test`,
  });
}

beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(ListObjectsV2Command).callsFake(fakeListing(dailyDumps(30, 3)));
  s3Mock.on(HeadObjectCommand).resolves({ LastModified: ago(3), ContentLength: 250_000_000 });
});

describe('checkBackupObjects with the latest-dump key', () => {
  it('passes a 3-hour-old 250 MB latest.sql and 30 backups, counting with one call of MaxKeys 20', async () => {
    const results = await checkBackupObjects(bucket, plan, deps);

    expect(results).toEqual([
      {
        check: 'backup-age',
        target: 's3://entmoot-prod-backups/',
        status: 'PASS',
        observed: 3,
        threshold: 24,
        detail: expect.stringContaining('latest.sql'),
      },
      {
        check: 'backup-count',
        target: 's3://entmoot-prod-backups/',
        status: 'PASS',
        observed: 20,
        threshold: 20,
        detail: expect.stringContaining(
          'at least 20 backups under s3://entmoot-prod-backups/ (counting stopped there; 1 ListObjectsV2 call)',
        ),
      },
      {
        check: 'dump-size',
        target: 's3://entmoot-prod-backups/latest.sql',
        status: 'PASS',
        observed: 250_000_000,
        threshold: 100_000_000,
        detail: expect.any(String),
      },
    ]);
    const lists = s3Mock.commandCalls(ListObjectsV2Command);
    expect(lists).toHaveLength(1);
    expect(lists[0].args[0].input).toMatchObject({ Bucket: 'entmoot-prod-backups', MaxKeys: 20 });
    expect(s3Mock.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'entmoot-prod-backups',
      Key: 'latest.sql',
    });
  });

  it('counts 100,000 objects with one call when the threshold is 20', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .callsFake(
        fakeListing(Array.from({ length: 100_000 }, (_, i) => ({ Key: `k${String(i).padStart(6, '0')}`, Size: 1 }))),
      );

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'backup-count')).toMatchObject({ status: 'PASS', observed: 20 });
    expect(s3Mock.commandCalls(ListObjectsV2Command)).toHaveLength(1);
  });

  it('warns when the latest dump is 20 hours old', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ LastModified: ago(20), ContentLength: 250_000_000 });

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'backup-age')).toMatchObject({ status: 'WARN', observed: 20 });
  });

  it('passes at exactly 19.2 hours and warns at exactly 24 hours', async () => {
    s3Mock
      .on(HeadObjectCommand)
      .resolvesOnce({ LastModified: ago(19.2), ContentLength: 250_000_000 })
      .resolvesOnce({ LastModified: ago(24), ContentLength: 250_000_000 });

    const first = await checkBackupObjects(bucket, plan, deps);
    const second = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(first, 'backup-age')).toMatchObject({ status: 'PASS', observed: 19.2 });
    expect(byCheck(second, 'backup-age')).toMatchObject({ status: 'WARN', observed: 24 });
  });

  it('fails when the latest dump is 24.1 hours old', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ LastModified: ago(24.1), ContentLength: 250_000_000 });

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'backup-age')).toMatchObject({
      status: 'FAIL',
      observed: 24.1,
      detail: expect.stringContaining('older than 24 hours'),
    });
  });

  it('fails age and size when latest.sql does not exist', async () => {
    s3Mock.on(HeadObjectCommand).rejects(new NotFound({ message: 'NotFound', $metadata: { httpStatusCode: 404 } }));

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'backup-age')).toMatchObject({
      status: 'FAIL',
      observed: null,
      detail: expect.stringMatching(/^s3:\/\/entmoot-prod-backups\/latest\.sql does not exist/),
    });
    expect(byCheck(results, 'dump-size')).toMatchObject({ status: 'FAIL', observed: null });
    expect(byCheck(results, 'backup-count')).toMatchObject({ status: 'PASS' });
  });

  it('fails a 50 MB dump, giving both sizes in bytes and MB', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ LastModified: ago(3), ContentLength: 50_000_000 });

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'dump-size')).toMatchObject({
      status: 'FAIL',
      observed: 50_000_000,
      detail: expect.stringContaining('is 50000000 bytes (50.0 MB), below 100000000 bytes (100.0 MB)'),
    });
  });

  it('passes a dump of exactly 100,000,000 bytes', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ LastModified: ago(3), ContentLength: 100_000_000 });

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'dump-size')).toMatchObject({ status: 'PASS', observed: 100_000_000 });
  });

  it('warns when fewer than 20 backups exist, as the plan script does', async () => {
    s3Mock.on(ListObjectsV2Command).callsFake(fakeListing(dailyDumps(7, 3)));

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'backup-count')).toMatchObject({
      status: 'WARN',
      observed: 7,
      detail: expect.stringContaining(
        'only 7 backups under s3://entmoot-prod-backups/, fewer than 20 (1 ListObjectsV2 call)',
      ),
    });
  });

  it('does not count folder placeholders as backups', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .callsFake(fakeListing([{ Key: 'daily/', Size: 0 }, { Key: 'daily/2025/', Size: 0 }, ...dailyDumps(3, 3)]));

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'backup-count')).toMatchObject({ status: 'WARN', observed: 3 });
  });

  it('fails every check naming s3:ListBucket when listing is denied', async () => {
    s3Mock.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 403));

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['backup-age', 'FAIL'],
      ['backup-count', 'FAIL'],
      ['dump-size', 'FAIL'],
    ]);
    expect(results.every((r) => r.detail.includes('needs s3:ListBucket on arn:aws:s3:::entmoot-prod-backups'))).toBe(
      true,
    );
  });

  it('fails age and size naming s3:GetObject when HeadObject answers 403', async () => {
    s3Mock.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(byCheck(results, 'backup-age')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('needs s3:GetObject on arn:aws:s3:::entmoot-prod-backups/latest.sql'),
    });
    expect(byCheck(results, 'dump-size')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('s3:GetObject'),
    });
  });

  it('fails every check when the bucket does not exist', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .rejects(
        new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } }),
      );

    const results = await checkBackupObjects(bucket, plan, deps);

    expect(results).toHaveLength(3);
    expect(
      results.every(
        (r) => r.status === 'FAIL' && r.detail.startsWith('bucket entmoot-prod-backups does not exist (NoSuchBucket)'),
      ),
    ).toBe(true);
  });

  it('throws ThrottledError when S3 keeps answering SlowDown', async () => {
    s3Mock.on(ListObjectsV2Command).rejects(s3Error('SlowDown', 503));

    await expect(checkBackupObjects(bucket, plan, deps)).rejects.toThrow(ThrottledError);
  });

  it('throws ThrottledError when HeadObject keeps being throttled', async () => {
    s3Mock.on(HeadObjectCommand).rejects(s3Error('ThrottlingException', 400));

    await expect(checkBackupObjects(bucket, plan, deps)).rejects.toMatchObject({
      name: 'ThrottledError',
      message: expect.stringContaining('s3:GetObject'),
    });
  });
});

describe('checkBackupObjects with a date-sortable layout', () => {
  const dated = parsePlan({ backups: { keyLayout: { prefix: 'db/', datePattern: 'daily/{yyyy}/{mm}/{dd}/' } } });

  it('finds the newest of three years of daily dumps with one listing call and no HeadObject', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .callsFake(
        fakeListing([...dailyDumps(1100, 5, 'db/'), { Key: 'db/latest.sql', LastModified: ago(400), Size: 1 }]),
      );

    const results = await checkBackupObjects(bucket, dated, deps);

    expect(byCheck(results, 'backup-age')).toMatchObject({
      target: 's3://entmoot-prod-backups/db/',
      status: 'PASS',
      observed: 5,
      detail: expect.stringContaining(
        's3://entmoot-prod-backups/db/daily/2025/11/10/entmoot-prod.dump was written 2025-11-10T01:00:00.000Z, 5 hours ago (1 ListObjectsV2 call)',
      ),
    });
    expect(byCheck(results, 'dump-size')).toMatchObject({
      target: 's3://entmoot-prod-backups/db/daily/2025/11/10/entmoot-prod.dump',
      status: 'PASS',
      observed: 250_000_000,
    });
    const lookups = s3Mock.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.StartAfter !== undefined);
    expect(lookups).toHaveLength(1);
    expect(lookups[0].args[0].input).toMatchObject({
      Prefix: 'db/daily/',
      StartAfter: 'db/daily/2025/11/08',
      MaxKeys: 1000,
    });
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it('warns when the newest dated dump, from yesterday, is 22 hours old', async () => {
    s3Mock.on(ListObjectsV2Command).callsFake(fakeListing(dailyDumps(40, 22, 'db/')));

    const results = await checkBackupObjects(bucket, dated, deps);

    expect(byCheck(results, 'backup-age')).toMatchObject({
      status: 'WARN',
      observed: 22,
      detail: expect.stringContaining('daily/2025/11/09/'),
    });
  });

  it('fails when no dated dump exists in the last 48 hours', async () => {
    s3Mock.on(ListObjectsV2Command).callsFake(fakeListing(dailyDumps(40, 80, 'db/')));

    const results = await checkBackupObjects(bucket, dated, deps);

    expect(byCheck(results, 'backup-age')).toMatchObject({
      status: 'FAIL',
      observed: null,
      detail: expect.stringContaining(
        'no backup matching db/daily/{yyyy}/{mm}/{dd}/ under s3://entmoot-prod-backups since 2025-11-08T00:00:00.000Z',
      ),
    });
    expect(byCheck(results, 'dump-size')).toMatchObject({ status: 'FAIL' });
  });

  it('rejects a layout whose fields are not in date order', async () => {
    const unsortable = parsePlan({ backups: { keyLayout: { datePattern: '{dd}-{mm}-{yyyy}/' } } });

    await expect(checkBackupObjects(bucket, unsortable, deps)).rejects.toThrow(ConfigurationError);
  });
});

describe('countObjectsUpTo', () => {
  it('asks only for what is still needed, page by page, and stops at the limit', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .callsFake(
        fakeListing(Array.from({ length: 5000 }, (_, i) => ({ Key: `b/${String(i).padStart(5, '0')}`, Size: 1 }))),
      );

    const counted = await countObjectsUpTo(s3, 'entmoot-prod-backups', 'b/', 2500);

    expect(counted).toEqual({ count: 2500, calls: 3, reachedLimit: true });
    expect(s3Mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.MaxKeys)).toEqual([1000, 1000, 500]);
  });

  it('reports every object and no limit reached when fewer exist', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .callsFake(
        fakeListing(Array.from({ length: 1500 }, (_, i) => ({ Key: `b/${String(i).padStart(5, '0')}`, Size: 1 }))),
      );

    const counted = await countObjectsUpTo(s3, 'entmoot-prod-backups', 'b/', 2500);

    expect(counted).toEqual({ count: 1500, calls: 2, reachedLimit: false });
  });
});
