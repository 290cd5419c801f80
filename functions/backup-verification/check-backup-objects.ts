/**
 * Weekly backup verification, bucket side: the age of the newest dump, the number of backups and the size of
 * the latest dump in a bucket with role `backups` — without walking the whole bucket as the plan's
 * `aws s3 ls --recursive | wc -l` does.
 *
 * S3 facts this relies on (S3 API reference):
 * - ListObjectsV2 returns keys in UTF-8 binary (key) order, at most 1,000 per call (`MaxKeys`), and starts
 *   listing after `StartAfter`; `KeyCount` is the number of keys in the response. Key order is not time
 *   order, so the newest backup comes from the latest-dump key (`HeadObject` → `LastModified`,
 *   `ContentLength`) or from a date-sortable key layout.
 * - A HEAD request has no body, so its errors are only `404 Not Found` / `403 Forbidden`; a missing key answers
 *   403 rather than 404 when the caller lacks `s3:ListBucket`. HeadObject needs `s3:GetObject`.
 */
import { HeadObjectCommand, ListObjectsV2Command, type _Object, type S3Client } from '@aws-sdk/client-s3';
import type { DrPlan, PlanBucket } from '../../lib/plan';
import { statusForUpperBound, type CheckResult } from '../shared/check-result';
import { awsErrorName, ConfigurationError, translateAwsError } from '../shared/errors';
import { isObjectMissing, isS3AccessDenied } from '../shared/s3-errors';
import { HOUR_MS } from '../shared/time';
import { paginate } from '../shared/paginate';

/** What `checkBackupObjects` needs: an S3 client that reaches the bucket, and the clock. */
export interface BackupObjectsDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly now: () => Date;
}

/** ListObjectsV2's largest page. */
const MAX_KEYS = 1000;

/** Most ListObjectsV2 pages the count check reads: a million keys, far beyond any count threshold of the plan. */
const MAX_COUNT_PAGES = 1000;
/** Most ListObjectsV2 calls the date-layout lookup may make: a bound on cost, far above the usual one call. */
export const MAX_DATE_LOOKUP_CALLS = 20;
const MB = 1_000_000;

/** A bucket-level failure that stops every check of the bucket. */
class BucketUnreadable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Turns a ListObjectsV2 failure into a bucket-level reason, or throws (throttling, anything unexpected). */
function listFailure(error: unknown, bucket: string): never {
  if (awsErrorName(error) === 'NoSuchBucket') {
    throw new BucketUnreadable(`bucket ${bucket} does not exist (NoSuchBucket): check buckets[].name in the DR plan`);
  }
  if (isS3AccessDenied(error)) {
    throw new BucketUnreadable(
      `listing s3://${bucket} was denied: the function's role needs s3:ListBucket on arn:aws:s3:::${bucket}`,
    );
  }
  translateAwsError(error, 's3:ListBucket', `s3://${bucket}`);
}

/** Result of `countObjectsUpTo`. */
export interface ObjectCount {
  /** Objects counted (never more than `limit`). */
  readonly count: number;
  /** ListObjectsV2 calls made. */
  readonly calls: number;
  /** Whether counting stopped because `limit` was reached (more objects may exist). */
  readonly reachedLimit: boolean;
}

/**
 * Counts the objects under `prefix`, stopping at `limit`: each ListObjectsV2 asks only for what is still
 * needed (`MaxKeys` = min(1000, limit − counted)), so a limit below 1,000 costs one call whatever the bucket
 * holds. Folder placeholders (keys ending in `/`) are not backups and are not counted.
 * Errors are the SDK's own (the caller decides what they mean).
 */
export async function countObjectsUpTo(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  prefix: string,
  limit: number,
): Promise<ObjectCount> {
  let count = 0;
  let calls = 0;
  // Stops as soon as the threshold is reached; folder markers are not counted, so the bound allows for them.
  const pages = paginate({
    fetch: (token) =>
      s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix || undefined,
          MaxKeys: Math.min(MAX_KEYS, limit - count),
          ContinuationToken: token,
        }),
      ),
    next: (out) => (out.IsTruncated ? out.NextContinuationToken : undefined),
    maxPages: MAX_COUNT_PAGES,
    what: `s3:ListBucket of s3://${bucket}/${prefix}`,
  });
  for await (const out of pages) {
    calls++;
    count += (out.Contents ?? []).filter((o) => o.Key && !o.Key.endsWith('/')).length;
    if (count >= limit) break;
  }
  return { count: Math.min(count, limit), calls, reachedLimit: count >= limit };
}

const TOKENS = ['{yyyy}', '{mm}', '{dd}', '{hh}'] as const;

function fill(pattern: string, t: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return pattern
    .replaceAll('{yyyy}', String(t.getUTCFullYear()))
    .replaceAll('{mm}', pad(t.getUTCMonth() + 1))
    .replaceAll('{dd}', pad(t.getUTCDate()))
    .replaceAll('{hh}', pad(t.getUTCHours()));
}

/** The start (UTC) of the layout's finest period (hour, day, month or year) that contains `t`. */
function periodStart(pattern: string, t: Date): Date {
  const y = t.getUTCFullYear();
  if (pattern.includes('{hh}')) return new Date(Date.UTC(y, t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()));
  if (pattern.includes('{dd}')) return new Date(Date.UTC(y, t.getUTCMonth(), t.getUTCDate()));
  if (pattern.includes('{mm}')) return new Date(Date.UTC(y, t.getUTCMonth(), 1));
  return new Date(Date.UTC(y, 0, 1));
}

/** A regular expression matching keys of the layout (`daily/{yyyy}/{mm}/{dd}/` → `^daily/\d{4}/\d{2}/\d{2}/`). */
function layoutRegex(prefix: string, pattern: string): RegExp {
  const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let source = escapeRegex(prefix + pattern);
  for (const token of TOKENS) source = source.replaceAll(escapeRegex(token), token === '{yyyy}' ? '\\d{4}' : '\\d{2}');
  return new RegExp(`^${source}`);
}

/** The newest object of a date-sortable layout, and what finding it cost. */
export interface DatedLookup {
  readonly newest?: _Object;
  readonly calls: number;
  /** The oldest time the lookup covered (start of the period `maxAgeHours × 2` before now). */
  readonly since: Date;
  /** Whether the call bound stopped the listing before the end of the layout. */
  readonly capped: boolean;
}

/**
 * Finds the newest backup of a date-sortable layout without walking the bucket: lists only keys of the
 * layout after the period that starts `searchHours` before now (`Prefix` = the layout's fixed start,
 * `StartAfter` = that period's key prefix). With one backup a day that is one call; the call count is bounded
 * by `MAX_DATE_LOOKUP_CALLS`. Keys sort by date because the layout's fields are fixed-width numbers (UTC).
 */
export async function findNewestDated(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  prefix: string,
  pattern: string,
  now: Date,
  searchHours: number,
): Promise<DatedLookup> {
  const positions = TOKENS.map((t) => pattern.indexOf(t)).filter((i) => i >= 0);
  if (positions.some((p, i) => i > 0 && p < positions[i - 1])) {
    throw new ConfigurationError(
      `backups.keyLayout.datePattern "${pattern}" is not date-sortable: write its fields in the order {yyyy}, {mm}, {dd}, {hh}`,
    );
  }
  const since = periodStart(pattern, new Date(now.getTime() - searchHours * HOUR_MS));
  const fixed = prefix + pattern.slice(0, pattern.indexOf('{'));
  // Cut after the last field so keys of the `since` period itself sort after StartAfter.
  const lastField = Math.max(...TOKENS.map((t) => pattern.lastIndexOf(t) + (pattern.includes(t) ? t.length : 0)));
  const startAfter = prefix + fill(pattern.slice(0, lastField), since);
  const matches = layoutRegex(prefix, pattern);
  let newest: _Object | undefined;
  let calls = 0;
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: fixed || undefined,
        ...(token ? { ContinuationToken: token } : { StartAfter: startAfter }),
        MaxKeys: MAX_KEYS,
      }),
    );
    calls++;
    for (const o of out.Contents ?? []) {
      if (!o.Key || !o.LastModified || o.Key.endsWith('/') || !matches.test(o.Key)) continue;
      if (!newest?.LastModified || o.LastModified.getTime() > newest.LastModified.getTime()) newest = o;
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token && calls < MAX_DATE_LOOKUP_CALLS);
  return { newest, calls, since, capped: Boolean(token) };
}

interface Head {
  readonly key: string;
  readonly lastModified?: Date;
  readonly size?: number;
}

/** HeadObject of the latest-dump key: its facts, or a FAIL reason shared by the age and size checks. */
async function headLatest(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  key: string,
): Promise<Head | { missing: string }> {
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, lastModified: out.LastModified, size: out.ContentLength };
  } catch (error) {
    if (isObjectMissing(error))
      return {
        missing: `s3://${bucket}/${key} does not exist: check the dump job and backups.keyLayout.latestDumpKey`,
      };
    if (isS3AccessDenied(error)) {
      return {
        missing: `reading s3://${bucket}/${key} was denied: the function's role needs s3:GetObject on arn:aws:s3:::${bucket}/${key} (and s3:ListBucket, without which a missing key also answers 403)`,
      };
    }
    if (awsErrorName(error) === 'NoSuchBucket')
      throw new BucketUnreadable(`bucket ${bucket} does not exist (NoSuchBucket): check buckets[].name in the DR plan`);
    translateAwsError(error, 's3:GetObject', `s3://${bucket}/${key}`);
  }
}

function hours(ms: number): number {
  return Math.round((ms / HOUR_MS) * 10) / 10;
}

/**
 * The weekly object checks of one backups bucket: `backup-age` (newest dump, from the latest-dump key or the
 * date-sortable layout), `backup-count` (at least `minBackupCount` objects under the prefix; fewer is a WARN,
 * as in the plan's script) and `dump-size` (latest dump at least `minDumpBytes`). A missing bucket, key or
 * permission is a FAIL naming it; persistent throttling throws `ThrottledError`.
 */
export async function checkBackupObjects(
  bucket: PlanBucket,
  plan: DrPlan,
  deps: BackupObjectsDeps,
): Promise<CheckResult[]> {
  const { maxAgeHours, warnAtFraction, minBackupCount, minDumpBytes } = plan.backups.verification;
  const { prefix, latestDumpKey, datePattern } = plan.backups.keyLayout;
  const name = bucket.name;
  const where = `s3://${name}/${prefix}`;
  const ageBase = { check: 'backup-age', target: where, threshold: maxAgeHours };
  const countBase = { check: 'backup-count', target: where, threshold: minBackupCount };
  const sizeBase = { check: 'dump-size', target: `s3://${name}/${prefix}${latestDumpKey}`, threshold: minDumpBytes };
  const now = deps.now();

  try {
    const count = await countObjectsUpTo(deps.s3, name, prefix, minBackupCount).catch((e: unknown) =>
      listFailure(e, name),
    );
    const countResult: CheckResult = count.reachedLimit
      ? {
          ...countBase,
          status: 'PASS',
          observed: count.count,
          detail: `at least ${minBackupCount} backups under ${where} (counting stopped there; ${count.calls} ListObjectsV2 call${count.calls === 1 ? '' : 's'})`,
        }
      : {
          ...countBase,
          status: 'WARN',
          observed: count.count,
          detail: `only ${count.count} backups under ${where}, fewer than ${minBackupCount} (${count.calls} ListObjectsV2 call${count.calls === 1 ? '' : 's'}): check the dump schedule and the bucket's lifecycle rules`,
        };

    let newest: Head | { missing: string };
    let lookupNote = '';
    if (datePattern) {
      const found = await findNewestDated(deps.s3, name, prefix, datePattern, now, maxAgeHours * 2).catch(
        (e: unknown) => listFailure(e, name),
      );
      lookupNote = ` (${found.calls} ListObjectsV2 call${found.calls === 1 ? '' : 's'}${found.capped ? `, stopped at the bound of ${MAX_DATE_LOOKUP_CALLS}: newer objects may exist` : ''})`;
      newest = found.newest?.Key
        ? { key: found.newest.Key, lastModified: found.newest.LastModified, size: found.newest.Size }
        : {
            missing: `no backup matching ${prefix}${datePattern} under s3://${name} since ${found.since.toISOString()}${lookupNote}: check the dump job`,
          };
    } else {
      newest = await headLatest(deps.s3, name, prefix + latestDumpKey);
    }

    let ageResult: CheckResult;
    let sizeResult: CheckResult;
    if ('missing' in newest) {
      ageResult = { ...ageBase, status: 'FAIL', observed: null, detail: newest.missing };
      sizeResult = { ...sizeBase, status: 'FAIL', observed: null, detail: newest.missing };
    } else {
      const url = `s3://${name}/${newest.key}`;
      if (!newest.lastModified) {
        ageResult = { ...ageBase, status: 'FAIL', observed: null, detail: `${url} has no LastModified time` };
      } else {
        const ageMs = now.getTime() - newest.lastModified.getTime();
        const status = statusForUpperBound(ageMs / HOUR_MS, maxAgeHours * warnAtFraction, maxAgeHours);
        const advice =
          status === 'FAIL'
            ? `: older than ${maxAgeHours} hours, check the dump job`
            : status === 'WARN'
              ? `: past ${Math.round(warnAtFraction * 100)}% of the ${maxAgeHours}-hour limit`
              : '';
        ageResult = {
          ...ageBase,
          status,
          observed: hours(ageMs),
          detail: `newest backup ${url} was written ${newest.lastModified.toISOString()}, ${hours(ageMs)} hours ago${lookupNote}${advice}`,
        };
      }
      const size = newest.size;
      if (size === undefined) {
        sizeResult = { ...sizeBase, target: url, status: 'FAIL', observed: null, detail: `${url} reports no size` };
      } else {
        const ok = size >= minDumpBytes;
        sizeResult = {
          ...sizeBase,
          target: url,
          status: ok ? 'PASS' : 'FAIL',
          observed: size,
          detail: ok
            ? `${url} is ${size} bytes (${(size / MB).toFixed(1)} MB), at least ${minDumpBytes} bytes (${(minDumpBytes / MB).toFixed(1)} MB)`
            : `${url} is ${size} bytes (${(size / MB).toFixed(1)} MB), below ${minDumpBytes} bytes (${(minDumpBytes / MB).toFixed(1)} MB): the dump may be truncated or empty, check the dump job's log`,
        };
      }
    }
    return [ageResult, countResult, sizeResult];
  } catch (error) {
    if (!(error instanceof BucketUnreadable)) throw error;
    const fail = { status: 'FAIL' as const, observed: null, detail: error.reason };
    return [
      { ...ageBase, ...fail },
      { ...countBase, ...fail },
      { ...sizeBase, ...fail },
    ];
  }
}
