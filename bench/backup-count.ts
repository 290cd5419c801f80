/**
 * Benchmark: ListObjectsV2 calls of the backup-count and newest-backup lookups against a bucket of 100,000
 * backup objects, next to what the plan's `aws s3 ls s3://entmoot-prod-backups --recursive | wc -l` costs
 * (it lists everything, 1,000 keys a call). The bucket is in memory behind aws-sdk-client-mock on a real
 * S3Client; the numbers are API calls, not times.
 *
 * Run alone: `npx tsx bench/backup-count.ts`.
 */
import { HeadObjectCommand, ListObjectsV2Command, S3Client, type _Object } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  checkBackupObjects,
  countObjectsUpTo,
  findNewestDated,
} from '../functions/backup-verification/check-backup-objects';
import { parsePlan } from '../lib/plan';
import { fakeListing, LIST_PAGE_LIMIT } from '../test/support/fake-listing';

const OBJECTS = 100_000;
const NOW = new Date('2025-11-10T06:00:00Z');
const HOUR_MS = 3_600_000;

/** 100,000 dumps, four a day (every 6 hours), newest 3 hours before NOW, under `daily/yyyy/mm/dd/`. */
function makeBucket(): _Object[] {
  const objects: _Object[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    const t = new Date(NOW.getTime() - (3 + 6 * i) * HOUR_MS);
    const iso = t.toISOString();
    objects.push({
      Key: `daily/${iso.slice(0, 10).replaceAll('-', '/')}/entmoot-prod-${iso.slice(11, 13)}00.dump`,
      LastModified: t,
      Size: 250_000_000,
    });
  }
  return objects.sort((a, b) => (a.Key! < b.Key! ? -1 : a.Key! > b.Key! ? 1 : 0));
}

/** Runs the benchmark and returns its numbers. */
export async function benchBackupCount(): Promise<Record<string, unknown>> {
  const objects = makeBucket();
  const s3 = new S3Client({ region: 'us-east-1' });
  const mock = mockClient(s3);
  try {
    mock.on(ListObjectsV2Command).callsFake(fakeListing(objects));
    mock
      .on(HeadObjectCommand)
      .resolves({ LastModified: new Date(NOW.getTime() - 3 * HOUR_MS), ContentLength: 250_000_000 });
    const plan = parsePlan({ backups: { keyLayout: { datePattern: 'daily/{yyyy}/{mm}/{dd}/' } } });
    const { minBackupCount: threshold, maxAgeHours } = plan.backups.verification;
    const bucket = 'entmoot-prod-backups';

    const counted = await countObjectsUpTo(s3, bucket, '', threshold);
    const full = await countObjectsUpTo(s3, bucket, '', Number.MAX_SAFE_INTEGER);
    const newest = await findNewestDated(s3, bucket, '', 'daily/{yyyy}/{mm}/{dd}/', NOW, maxAgeHours * 2);

    mock.resetHistory();
    const results = await checkBackupObjects({ name: bucket, role: 'backups', sampleKeys: [] }, plan, {
      s3,
      now: () => NOW,
    });
    const checkCalls = {
      listObjectsV2: mock.commandCalls(ListObjectsV2Command).length,
      headObject: mock.commandCalls(HeadObjectCommand).length,
    };

    return {
      objects: OBJECTS,
      threshold,
      listCallsByCheck: counted.calls,
      countReported: counted.reachedLimit ? `at least ${counted.count}` : counted.count,
      listCallsByScript: Math.ceil(OBJECTS / LIST_PAGE_LIMIT),
      listCallsToCountEverything: full.calls,
      newestLookupCalls: newest.calls,
      newestKey: newest.newest?.Key,
      checkBackupObjectsCalls: checkCalls,
      checkStatuses: Object.fromEntries(results.map((r) => [r.check, r.status])),
    };
  } finally {
    mock.restore();
  }
}

if (require.main === module) {
  benchBackupCount().then(
    (numbers) => console.log(JSON.stringify(numbers, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
