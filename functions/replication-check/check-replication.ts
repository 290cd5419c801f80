/**
 * The hourly replication check: is the DR copy of each replicated bucket and each replicated database really
 * there? One call checks a batch of targets and shares what it can: one `GetMetricData` per region for every
 * metric of the batch (up to 500 queries a call), one `DescribeDBInstances` per region with a `db-instance-id`
 * filter naming every replica of the batch.
 *
 * AWS facts relied on:
 * - S3 API reference, GetBucketReplication: a rule has `Status`, `Destination.Bucket` (the destination's ARN),
 *   `Destination.ReplicationTime` (`Status`, `Time.Minutes`: 15 is the only value S3 Replication Time Control
 *   accepts) and `Destination.Metrics`; it selects objects by `Filter` (`Prefix`, `Tag`, `And`, `Not`) or, in the
 *   first schema version, by `Prefix`. A bucket without replication answers `ReplicationConfigurationNotFoundError`.
 *   Reading it needs `s3:GetReplicationConfiguration`.
 * - S3 User Guide, replication metrics: `ReplicationLatency` and `OperationsPendingReplication` (namespace
 *   `AWS/S3`, dimensions `SourceBucket`, `DestinationBucket`, `RuleId`) are reported in the destination's Region,
 *   `OperationsFailedReplication` in the source's. Latency is reported even when nothing is being replicated;
 *   failures only when some occur.
 * - S3 API reference, HeadObject: `x-amz-replication-status` is `PENDING`, `COMPLETED` (the SDK's enum also
 *   has `COMPLETE`), `FAILED` or, on a destination, `REPLICA`; absent when no rule applies to the object.
 *   Checksums are returned only with `ChecksumMode: ENABLED`. Replication keeps an object's version id and its
 *   checksums; ETags are no content hash under SSE-KMS or multipart, so they are never compared. HeadObject
 *   needs `s3:GetObject` (`s3:GetObjectVersion` with a `VersionId`), and with checksum mode on an SSE-KMS object,
 *   `kms:Decrypt` on its key.
 * - RDS API reference: `DBInstance.ReadReplicaSourceDBInstanceIdentifier` is the source's id in its Region and
 *   its ARN across Regions. `ReplicaLag` (`AWS/RDS`, dimension `DBInstanceIdentifier`, seconds) is published in
 *   the replica's Region; -1 means replication is not running.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { RDSClient } from '@aws-sdk/client-rds';
import {
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type ReplicationConfiguration,
  type ReplicationRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { DrPlan, PlanBucket, PlanDatabase } from '../../lib/plan';
import { statusForUpperBound, type CheckResult, type CheckStatus } from '../shared/check-result';
import { awsErrorName, InvalidInputError, isAccessDenied, translateAwsError } from '../shared/errors';
import { readMetrics, type Datapoint, type MetricQuery } from '../shared/metric-data';
import { mapLimit } from '../shared/map-limit';
import { describeInstances, type Instances } from '../shared/describe-instances';
import { httpStatus, isObjectMissing, isS3AccessDenied } from '../shared/s3-errors';
import { MINUTE_MS } from '../shared/time';
import type { ReplicationTarget } from './targets';

/** The clients the replication check needs in one region. */
export interface ReplicationRegionClients {
  readonly s3: Pick<S3Client, 'send'>;
  readonly cloudWatch: Pick<CloudWatchClient, 'send'>;
  readonly rds: Pick<RDSClient, 'send'>;
}

/** What `checkReplicationBatch` needs: clients in the plan's primary and recovery regions, and the clock. */
export interface ReplicationDeps {
  /** Clients in `plan.regions.primary` (source buckets, in-region replicas). */
  readonly primary: ReplicationRegionClients;
  /** Clients in `plan.regions.recovery` (DR buckets, cross-region replicas). */
  readonly recovery: ReplicationRegionClients;
  readonly now: () => Date;
}

/** S3 Replication Time Control's one threshold, in minutes: replication within 15 minutes. */
const RTC_MINUTES = 15;
/** Latency above this fraction of the RTC threshold is a WARN. */
const LATENCY_WARN_FRACTION = 0.5;
/** The window the S3 metrics are read over, and their period (a quarter-hour: four periods an hour). */
const S3_WINDOW_MS = 60 * MINUTE_MS;
const S3_PERIOD_SECONDS = 900;
/** The window `ReplicaLag` is read over, at one-minute datapoints. */
const LAG_WINDOW_MS = 5 * MINUTE_MS;
/** Buckets whose configuration is read at once (three calls each, plus sample keys). */
const BUCKET_CONCURRENCY = 8;

/** RDS statuses that pass with time: a replica in one of them WARNs; any other status but `available` FAILs. */
const TRANSITIONS = new Set([
  'backing-up',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'converting-to-vpc',
  'creating',
  'maintenance',
  'modifying',
  'moving-to-vpc',
  'rebooting',
  'renaming',
  'resetting-master-credentials',
  'starting',
  'storage-config-upgrade',
  'storage-optimization',
  'upgrading',
]);

type Resolved = { kind: 'bucket'; bucket: PlanBucket & { drBucket: string } } | { kind: 'database'; db: PlanDatabase };

/**
 * Whether S3 answered that the bucket lives in another region: a client of one region reaching a bucket elsewhere
 * gets a 301 `PermanentRedirect` (HEAD: a bare 301) or `AuthorizationHeaderMalformed`.
 */
function isInOtherRegion(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || httpStatus(error) === 301;
}

const notInRegion = (bucket: string, where: string) =>
  `bucket ${bucket} is not in ${where}: source buckets must be in regions.primary and DR buckets in regions.recovery`;

const resolvedKey = (r: Resolved) => (r.kind === 'bucket' ? `bucket:${r.bucket.name}` : `database:${r.db.id}`);

/** Finds every target in the plan (each once), or refuses the batch before any AWS call. */
function resolve(targets: readonly ReplicationTarget[], plan: DrPlan): Resolved[] {
  if (!Array.isArray(targets))
    throw new InvalidInputError('targets must be a list of { kind: "bucket", bucket } or { kind: "database", id }');
  const all = targets.map((target): Resolved => {
    switch (target?.kind) {
      case 'bucket': {
        const bucket = plan.buckets.find((b) => b.name === target.bucket);
        if (!bucket?.drBucket) {
          throw new InvalidInputError(
            `bucket "${String(target.bucket)}" is not a replicated bucket of the plan: name a bucket of plan.buckets that has a drBucket`,
          );
        }
        return { kind: 'bucket', bucket: { ...bucket, drBucket: bucket.drBucket } };
      }
      case 'database': {
        const db = plan.databases.find((d) => d.id === target.id);
        if (!db || !(db.replica || db.drReplica)) {
          throw new InvalidInputError(
            `database "${String(target.id)}" is not a replicated database of the plan: name a database of plan.databases that has a replica or drReplica`,
          );
        }
        return { kind: 'database', db };
      }
      default:
        throw new InvalidInputError(
          `kind must be bucket or database (got ${JSON.stringify((target as { kind?: unknown })?.kind)})`,
        );
    }
  });
  const seen = new Set<string>();
  return all.filter((r) => !seen.has(resolvedKey(r)) && Boolean(seen.add(resolvedKey(r))));
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const worst = (statuses: CheckStatus[]): CheckStatus =>
  statuses.includes('FAIL') ? 'FAIL' : statuses.includes('WARN') ? 'WARN' : 'PASS';

/** A bucket's replication rule as read, or why it could not be read. */
type RuleReading = { rules: ReplicationRule[] } | { notConfigured: true } | { unreadable: string };

async function readRules(s3: Pick<S3Client, 'send'>, bucket: string, where: string): Promise<RuleReading> {
  try {
    const out = await s3.send(new GetBucketReplicationCommand({ Bucket: bucket }));
    const config: ReplicationConfiguration | undefined = out.ReplicationConfiguration;
    return { rules: config?.Rules ?? [] };
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'ReplicationConfigurationNotFoundError') return { notConfigured: true };
    if (name === 'NoSuchBucket')
      return {
        unreadable: `bucket ${bucket} does not exist in ${where} (NoSuchBucket): check buckets[].name in the DR plan`,
      };
    if (isInOtherRegion(error)) return { unreadable: notInRegion(bucket, where) };
    if (isS3AccessDenied(error)) {
      return {
        unreadable: `reading the replication configuration of ${bucket} was denied: the function's role needs s3:GetReplicationConfiguration on arn:aws:s3:::${bucket}`,
      };
    }
    translateAwsError(error, 's3:GetReplicationConfiguration', `arn:aws:s3:::${bucket}`);
  }
}

/** The key prefix a rule selects, or why it selects less than a prefix (a tag or an exclusion). */
function ruleScope(rule: ReplicationRule): { prefix: string } | { narrower: string } {
  const filter = rule.Filter;
  if (!filter) return { prefix: rule.Prefix ?? '' };
  if (filter.Tag) return { narrower: `a tag filter (${filter.Tag.Key}=${filter.Tag.Value})` };
  if (filter.And?.Tags?.length)
    return { narrower: `a tag filter (${filter.And.Tags.map((t) => `${t.Key}=${t.Value}`).join(', ')})` };
  if (filter.Not && (filter.Not.Prefix !== undefined || filter.Not.Tag || filter.Not.Or))
    return { narrower: 'an exclusion filter (Not)' };
  return { prefix: filter.And?.Prefix ?? filter.Prefix ?? '' };
}

const scopeText = (prefix: string) => (prefix ? `prefix "${prefix}"` : 'the whole bucket');

/** What the rule check decided, and the rule whose metrics the metric checks read. */
interface RuleVerdict {
  readonly result: CheckResult;
  /** The enabled rule to the DR bucket that covers the required scope (metrics are read by its id). */
  readonly rule?: ReplicationRule;
}

function ruleVerdict(bucket: PlanBucket & { drBucket: string }, reading: RuleReading): RuleVerdict {
  const required = bucket.replicationPrefix ?? '';
  const base = {
    check: 's3-replication-rule',
    target: bucket.name,
    threshold: `${scopeText(required)} to arn:aws:s3:::${bucket.drBucket}, RTC ${RTC_MINUTES} min, metrics on`,
  };
  const fail = (detail: string, observed: string | null = null): RuleVerdict => ({
    result: { ...base, status: 'FAIL', observed, detail },
  });
  if ('unreadable' in reading) return fail(reading.unreadable);
  if ('notConfigured' in reading) {
    return fail(
      `${bucket.name} has no replication configuration (ReplicationConfigurationNotFoundError): add a rule replicating ${scopeText(required)} to ${bucket.drBucket} with Replication Time Control`,
    );
  }
  const toDr = reading.rules.filter((r) => (r.Destination?.Bucket ?? '').endsWith(`:::${bucket.drBucket}`));
  if (!toDr.length) {
    const elsewhere = [...new Set(reading.rules.map((r) => r.Destination?.Bucket ?? 'no destination'))];
    return fail(
      `no replication rule of ${bucket.name} replicates to ${bucket.drBucket}${elsewhere.length ? ` (rules replicate to ${elsewhere.join(', ')})` : ''}: point a rule at arn:aws:s3:::${bucket.drBucket} or fix buckets[].drBucket`,
      elsewhere.join(', ') || null,
    );
  }
  const enabled = toDr.filter((r) => r.Status === 'Enabled');
  if (!enabled.length) {
    return fail(
      `the replication rule${toDr.length > 1 ? 's' : ''} of ${bucket.name} to ${bucket.drBucket} (${toDr.map((r) => r.ID ?? 'no id').join(', ')}) ${toDr.length > 1 ? 'are' : 'is'} Disabled: nothing is replicated; enable ${toDr.length > 1 ? 'one' : 'it'}`,
      'Disabled',
    );
  }
  const covering = enabled.filter((r) => {
    const scope = ruleScope(r);
    return 'prefix' in scope && required.startsWith(scope.prefix);
  });
  if (!covering.length) {
    const why = enabled
      .map((r) => {
        const scope = ruleScope(r);
        return `${r.ID ?? 'no id'} selects ${'narrower' in scope ? scope.narrower : scopeText(scope.prefix)}`;
      })
      .join('; ');
    return fail(
      `no enabled rule of ${bucket.name} to ${bucket.drBucket} covers ${scopeText(required)} (${why}): objects outside the rule are never replicated; widen the rule's filter${required ? '' : ' or set buckets[].replicationPrefix'}`,
      why,
    );
  }
  const settings = (r: ReplicationRule) => {
    const missing: string[] = [];
    const rtc = r.Destination?.ReplicationTime;
    if (rtc?.Status !== 'Enabled') missing.push('Replication Time Control is off');
    else if (rtc.Time?.Minutes !== RTC_MINUTES)
      missing.push(`Replication Time Control is ${rtc.Time?.Minutes ?? 'no'} minutes, not ${RTC_MINUTES}`);
    if (r.Destination?.Metrics?.Status !== 'Enabled') missing.push('replication metrics are off');
    return missing;
  };
  const complete = covering.find((r) => settings(r).length === 0);
  if (complete) {
    return {
      rule: complete,
      result: {
        ...base,
        status: 'PASS',
        observed: complete.ID ?? 'no id',
        detail: `rule ${complete.ID ?? '(no id)'} replicates ${scopeText(ruleScopePrefix(complete))} of ${bucket.name} to ${bucket.drBucket} with Replication Time Control (${RTC_MINUTES} min) and metrics`,
      },
    };
  }
  const rule = covering[0];
  return {
    rule,
    result: {
      ...base,
      status: 'FAIL',
      observed: rule.ID ?? 'no id',
      detail: `rule ${rule.ID ?? '(no id)'} of ${bucket.name} to ${bucket.drBucket}: ${settings(rule).join(', ')}: enable Replication Time Control (${RTC_MINUTES} minutes) and replication metrics, or replication has no time bound and no metrics to check`,
    },
  };
}

function ruleScopePrefix(rule: ReplicationRule): string {
  const scope = ruleScope(rule);
  return 'prefix' in scope ? scope.prefix : '';
}

type VersioningReading = { status: string } | { problem: string };

async function readVersioning(s3: Pick<S3Client, 'send'>, bucket: string, where: string): Promise<VersioningReading> {
  try {
    const out = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return { status: out.Status ?? 'never enabled' };
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchBucket')
      return { problem: `${bucket} does not exist in ${where} (NoSuchBucket): check the bucket names in the DR plan` };
    if (isInOtherRegion(error)) return { problem: notInRegion(bucket, where) };
    if (isS3AccessDenied(error)) {
      return {
        problem: `reading the versioning of ${bucket} in ${where} was denied: the function's role needs s3:GetBucketVersioning on arn:aws:s3:::${bucket}`,
      };
    }
    translateAwsError(error, 's3:GetBucketVersioning', `arn:aws:s3:::${bucket}`);
  }
}

function versioningResult(
  bucket: PlanBucket & { drBucket: string },
  source: VersioningReading,
  replica: VersioningReading,
): CheckResult {
  const base = { check: 's3-replication-versioning', target: bucket.name, threshold: 'Enabled' };
  const problems: string[] = [];
  for (const [name, reading] of [
    [bucket.name, source],
    [bucket.drBucket, replica],
  ] as const) {
    if ('problem' in reading) problems.push(reading.problem);
    else if (reading.status !== 'Enabled') problems.push(`versioning of ${name} is ${reading.status}`);
  }
  const observed = [source, replica].map((r) => ('status' in r ? r.status : 'unknown')).join(' / ');
  if (problems.length) {
    return {
      ...base,
      status: 'FAIL',
      observed,
      detail: `${problems.join('; ')}: replication needs versioning enabled on both ${bucket.name} and ${bucket.drBucket}`,
    };
  }
  return {
    ...base,
    status: 'PASS',
    observed,
    detail: `versioning is enabled on ${bucket.name} and ${bucket.drBucket}`,
  };
}

type Head = HeadObjectCommandOutput;
const CHECKSUMS = ['ChecksumCRC64NVME', 'ChecksumCRC32C', 'ChecksumCRC32', 'ChecksumSHA256', 'ChecksumSHA1'] as const;

async function head(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  key: string,
  versionId: string | undefined,
  where: string,
): Promise<{ head: Head } | { missing: true } | { denied: string } | { noBucket: string }> {
  try {
    return {
      head: await s3.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, ChecksumMode: 'ENABLED' }),
      ),
    };
  } catch (error) {
    if (awsErrorName(error) === 'NoSuchBucket')
      return {
        noBucket: `bucket ${bucket} does not exist in ${where} (NoSuchBucket): check the bucket names in the DR plan`,
      };
    if (isInOtherRegion(error)) return { noBucket: notInRegion(bucket, where) };
    if (isObjectMissing(error)) return { missing: true };
    if (isS3AccessDenied(error)) {
      const action = versionId ? 's3:GetObjectVersion' : 's3:GetObject';
      return {
        denied: `the function's role needs ${action} on arn:aws:s3:::${bucket}/${key} (and s3:ListBucket on arn:aws:s3:::${bucket}, without which a missing key also answers 403; and kms:Decrypt on the object's key if it is SSE-KMS encrypted, which reading its checksum needs)`,
      };
    }
    translateAwsError(error, versionId ? 's3:GetObjectVersion' : 's3:GetObject', `s3://${bucket}/${key}`);
  }
}

async function sampleResult(
  bucket: PlanBucket & { drBucket: string },
  key: string,
  plan: DrPlan,
  deps: ReplicationDeps,
  now: Date,
): Promise<CheckResult> {
  const url = `s3://${bucket.name}/${key}`;
  const base = { check: 's3-replication-sample', target: url, threshold: 'COMPLETED' };
  const result = (status: CheckStatus, observed: string | null, detail: string): CheckResult => ({
    ...base,
    status,
    observed,
    detail,
  });
  const source = await head(deps.primary.s3, bucket.name, key, undefined, plan.regions.primary);
  if ('noBucket' in source) return result('FAIL', null, source.noBucket);
  if ('denied' in source) return result('FAIL', null, `reading ${url} was denied: ${source.denied}`);
  if ('missing' in source) {
    return result('FAIL', null, `sample key ${url} does not exist: name an object that exists in buckets[].sampleKeys`);
  }
  const status = source.head.ReplicationStatus as string | undefined;
  if (status === undefined) {
    return result(
      'FAIL',
      null,
      `${url} has no replication status: no replication rule covers it (or it was written before replication was enabled: replicate it with S3 Batch Replication)`,
    );
  }
  if (status === 'FAILED')
    return result(
      'FAIL',
      status,
      `replication of ${url} FAILED: check the replication role's permissions (and KMS grants) on ${bucket.drBucket}`,
    );
  if (status === 'REPLICA') {
    return result(
      'FAIL',
      status,
      `${url} is itself a replica written by another bucket's replication, which S3 does not replicate onward: name a key written to ${bucket.name}`,
    );
  }
  if (status === 'PENDING') {
    const written = source.head.LastModified;
    const minutes = written ? (now.getTime() - written.getTime()) / MINUTE_MS : Number.POSITIVE_INFINITY;
    if (minutes <= RTC_MINUTES) {
      return result(
        'PASS',
        status,
        `${url} was written ${round1(minutes)} minutes ago and is still PENDING replication, within the ${RTC_MINUTES}-minute RTC bound`,
      );
    }
    return result(
      'FAIL',
      status,
      `${url} has been PENDING replication for ${written ? `${round1(minutes)} minutes` : 'an unknown time'}, beyond the ${RTC_MINUTES}-minute RTC bound: check OperationsPendingReplication and the replication role`,
    );
  }
  if (status !== 'COMPLETED' && status !== 'COMPLETE')
    return result('FAIL', status, `${url} has the unknown replication status ${status}`);

  const versionId = source.head.VersionId && source.head.VersionId !== 'null' ? source.head.VersionId : undefined;
  const replicaUrl = `s3://${bucket.drBucket}/${key}`;
  const replica = await head(deps.recovery.s3, bucket.drBucket, key, versionId, plan.regions.recovery);
  if ('noBucket' in replica) return result('FAIL', status, replica.noBucket);
  if ('denied' in replica) return result('FAIL', status, `reading ${replicaUrl} was denied: ${replica.denied}`);
  if ('missing' in replica) {
    return result(
      'FAIL',
      status,
      `${url} is marked ${status} but ${replicaUrl}${versionId ? ` (version ${versionId})` : ''} does not exist: the replica was deleted or replication goes elsewhere`,
    );
  }
  const sourceSize = source.head.ContentLength;
  const replicaSize = replica.head.ContentLength;
  if (sourceSize !== replicaSize) {
    return result(
      'FAIL',
      status,
      `${replicaUrl} is ${replicaSize ?? 'unknown'} bytes, ${url} is ${sourceSize ?? 'unknown'} bytes: the replica differs from its source`,
    );
  }
  const algorithm = CHECKSUMS.find((c) => source.head[c] !== undefined && replica.head[c] !== undefined);
  if (algorithm) {
    const name = algorithm.replace('Checksum', '');
    if (source.head[algorithm] !== replica.head[algorithm]) {
      return result(
        'FAIL',
        status,
        `${replicaUrl} has ${name} ${replica.head[algorithm]}, ${url} has ${source.head[algorithm]} (sizes equal): the replica's content differs from its source`,
      );
    }
    return result('PASS', status, `${replicaUrl} exists with the size (${sourceSize} bytes) and ${name} of ${url}`);
  }
  const without = CHECKSUMS.some((c) => source.head[c] !== undefined)
    ? `the replica reports no checksum of the source's algorithm`
    : 'the object has no stored checksum';
  return result(
    'PASS',
    status,
    `${replicaUrl} exists with the size of ${url} (${sourceSize} bytes); compared by size alone: ${without}`,
  );
}

/** The metric queries of one bucket's rule: latency and pending in the destination's region, failed in the source's. */
function s3Queries(bucket: PlanBucket & { drBucket: string }, ruleId: string) {
  const dimensions = { SourceBucket: bucket.name, DestinationBucket: bucket.drBucket, RuleId: ruleId };
  const q = (metricName: string, stat: MetricQuery['stat']): MetricQuery => ({
    namespace: 'AWS/S3',
    metricName,
    dimensions,
    period: S3_PERIOD_SECONDS,
    stat,
  });
  return {
    latency: q('ReplicationLatency', 'Maximum'),
    pending: q('OperationsPendingReplication', 'Maximum'),
    failed: q('OperationsFailedReplication', 'Sum'),
  };
}

/** Datapoints of one metric, or why none could be read. */
type Series = { points: Datapoint[] } | { unreadable: string };

function metricResults(
  bucket: PlanBucket & { drBucket: string },
  verdict: RuleVerdict,
  series: { latency?: Series; pending?: Series; failed?: Series },
  plan: DrPlan,
): CheckResult[] {
  const latencyBase = { check: 's3-replication-latency', target: bucket.name, threshold: RTC_MINUTES };
  const pendingBase = {
    check: 's3-replication-pending',
    target: bucket.name,
    threshold: 'not rising every quarter-hour',
  };
  const failedBase = { check: 's3-replication-failed', target: bucket.name, threshold: 0 };
  const rule = verdict.rule;
  if (!rule?.ID || rule.Destination?.Metrics?.Status !== 'Enabled') {
    const why = !rule
      ? `no enabled rule replicates ${bucket.name} to ${bucket.drBucket} (see s3-replication-rule)`
      : !rule.ID
        ? `rule of ${bucket.name} to ${bucket.drBucket} has no id to read its metrics by`
        : `replication metrics are off for rule ${rule.ID}: enable them`;
    const none = { status: 'WARN' as const, observed: null, detail: `not measured: ${why}` };
    return [
      { ...latencyBase, ...none },
      { ...pendingBase, ...none },
      { ...failedBase, ...none },
    ];
  }
  const { recovery, primary } = plan.regions;
  const results: CheckResult[] = [];
  const latency = series.latency;
  if (!latency || 'unreadable' in latency) {
    results.push({ ...latencyBase, status: 'FAIL', observed: null, detail: latency?.unreadable ?? 'not read' });
  } else if (!latency.points.length) {
    results.push({
      ...latencyBase,
      status: 'WARN',
      observed: null,
      detail: `no ReplicationLatency of rule ${rule.ID} (${bucket.name} → ${bucket.drBucket}) in ${recovery} in the last hour, though S3 reports it even when idle: check that the rule's metrics are on and the rule is replicating`,
    });
  } else {
    const minutes = Math.max(...latency.points.map((p) => p.value)) / 60;
    const status = statusForUpperBound(minutes, RTC_MINUTES * LATENCY_WARN_FRACTION, RTC_MINUTES);
    const verdictText =
      status === 'PASS'
        ? `within half the ${RTC_MINUTES}-minute RTC bound`
        : status === 'WARN'
          ? `past half the ${RTC_MINUTES}-minute RTC bound: watch the backlog`
          : `beyond the ${RTC_MINUTES}-minute RTC bound: objects written now may be missing in ${recovery} after a region failure; check OperationsPendingReplication and the replication role`;
    results.push({
      ...latencyBase,
      status,
      observed: round1(minutes),
      detail: `largest ReplicationLatency of ${bucket.name} → ${bucket.drBucket} in the last hour was ${round1(minutes)} minutes, ${verdictText}`,
    });
  }

  const pending = series.pending;
  if (!pending || 'unreadable' in pending) {
    results.push({ ...pendingBase, status: 'FAIL', observed: null, detail: pending?.unreadable ?? 'not read' });
  } else {
    const values = pending.points.map((p) => p.value);
    const rising = values.length >= 3 && values.every((v, i) => i === 0 || v > values[i - 1]);
    const newest = values.at(-1) ?? 0;
    results.push({
      ...pendingBase,
      status: rising ? 'WARN' : 'PASS',
      observed: newest,
      detail: rising
        ? `OperationsPendingReplication of ${bucket.name} → ${bucket.drBucket} rose every quarter-hour of the last hour (${values.join(' → ')}): replication is falling behind; check the replication role, KMS limits and the destination`
        : values.length
          ? `OperationsPendingReplication of ${bucket.name} → ${bucket.drBucket} over the last hour: ${values.join(', ')} (not rising every quarter-hour)`
          : `no operations pending replication of ${bucket.name} → ${bucket.drBucket} in the last hour`,
    });
  }

  const failed = series.failed;
  if (!failed || 'unreadable' in failed) {
    results.push({ ...failedBase, status: 'FAIL', observed: null, detail: failed?.unreadable ?? 'not read' });
  } else {
    const total = failed.points.reduce((sum, p) => sum + p.value, 0);
    results.push({
      ...failedBase,
      status: total > 0 ? 'FAIL' : 'PASS',
      observed: total,
      detail:
        total > 0
          ? `${total} operations of ${bucket.name} → ${bucket.drBucket} failed to replicate in the last hour (OperationsFailedReplication in ${primary}): check the replication role's permissions, KMS grants and S3 event notifications for s3:Replication:OperationFailedReplication`
          : `no failed replication of ${bucket.name} → ${bucket.drBucket} in the last hour (no OperationsFailedReplication data means none failed)`,
    });
  }
  return results;
}

/** Whether `source` (an id in-region, an ARN across regions) names `db` in `region`. */
function namesSource(source: string | undefined, db: string, region: string, crossRegion: boolean): boolean {
  if (!source) return false;
  if (!source.startsWith('arn:')) return !crossRegion && source.toLowerCase() === db.toLowerCase();
  const parts = source.split(':');
  return parts[3] === region && parts[5] === 'db' && (parts[6] ?? '').toLowerCase() === db.toLowerCase();
}

interface ReplicaSpec {
  readonly db: PlanDatabase;
  readonly id: string;
  readonly region: string;
  readonly crossRegion: boolean;
  readonly rpoMinutes: number;
  readonly rpoName: string;
}

function replicaSpecs(db: PlanDatabase, plan: DrPlan): ReplicaSpec[] {
  const specs: ReplicaSpec[] = [];
  if (db.replica) {
    specs.push({
      db,
      id: db.replica,
      region: plan.regions.primary,
      crossRegion: false,
      rpoMinutes: plan.recoveryTargets.databaseFailover.rpoMinutes,
      rpoName: 'database-failover',
    });
  }
  if (db.drReplica) {
    specs.push({
      db,
      id: db.drReplica,
      region: plan.regions.recovery,
      crossRegion: true,
      rpoMinutes: plan.recoveryTargets.regionFailure.rpoMinutes,
      rpoName: 'region-failure',
    });
  }
  return specs;
}

function replicaResults(spec: ReplicaSpec, instances: Instances, lag: Series | undefined, plan: DrPlan): CheckResult[] {
  const kind = spec.crossRegion ? 'DR replica' : 'replica';
  const statusBase = { check: 'rds-replica-status', target: spec.id, threshold: 'available' };
  const lagBase = { check: 'rds-replica-lag', target: spec.id, threshold: spec.rpoMinutes };
  if ('unreadable' in instances) {
    const fail = {
      status: 'FAIL' as const,
      observed: null,
      detail: `cannot describe ${kind} ${spec.id}: ${instances.unreadable}`,
    };
    return [
      { ...statusBase, ...fail },
      { ...lagBase, ...fail },
    ];
  }
  const instance = instances.byId.get(spec.id.toLowerCase());
  if (!instance) {
    return [
      {
        ...statusBase,
        status: 'FAIL',
        observed: null,
        detail: `${kind} ${spec.id} of ${spec.db.id} does not exist in ${spec.region}: recreate it or fix databases[].${spec.crossRegion ? 'drReplica' : 'replica'} in the DR plan`,
      },
      {
        ...lagBase,
        status: 'FAIL',
        observed: null,
        detail: `not measured: ${kind} ${spec.id} does not exist in ${spec.region}`,
      },
    ];
  }
  const state = instance.DBInstanceStatus ?? 'unknown';
  const findings: { status: CheckStatus; text: string }[] = [];
  if (state !== 'available') {
    findings.push(
      TRANSITIONS.has(state)
        ? { status: 'WARN', text: `is ${state} (a transition; it should return to available)` }
        : { status: 'FAIL', text: `is ${state}: it cannot take over; check its RDS events` },
    );
  }
  const source = instance.ReadReplicaSourceDBInstanceIdentifier;
  if (!namesSource(source, spec.db.id, plan.regions.primary, spec.crossRegion)) {
    const expected = spec.crossRegion ? `the ARN of ${spec.db.id} in ${plan.regions.primary}` : spec.db.id;
    findings.push({
      status: 'FAIL',
      text: source
        ? `replicates from ${source}, not ${expected}`
        : `replicates from nothing (a standalone instance, perhaps promoted), not ${expected}`,
    });
  }
  const statusResult: CheckResult = {
    ...statusBase,
    status: worst(findings.map((f) => f.status)),
    observed: state,
    detail: findings.length
      ? `${kind} ${spec.id} in ${spec.region} ${findings.map((f) => f.text).join('; ')}`
      : `${kind} ${spec.id} in ${spec.region} is available and replicates from ${spec.db.id}`,
  };

  let lagResult: CheckResult;
  if (!lag || 'unreadable' in lag) {
    lagResult = { ...lagBase, status: 'FAIL', observed: null, detail: lag?.unreadable ?? 'not read' };
  } else if (!lag.points.length) {
    lagResult = {
      ...lagBase,
      status: 'WARN',
      observed: null,
      detail: `no ReplicaLag of ${kind} ${spec.id} in ${spec.region} in the last 5 minutes: check that the instance is running and publishing metrics`,
    };
  } else {
    const seconds = Math.max(...lag.points.map((p) => p.value));
    const minutes = seconds / 60;
    if (lag.points.some((p) => p.value < 0)) {
      lagResult = {
        ...lagBase,
        status: 'FAIL',
        observed: round1(Math.min(...lag.points.map((p) => p.value)) / 60),
        detail: `ReplicaLag of ${kind} ${spec.id} was negative in the last 5 minutes: replication is not running; check the replica's RDS events and the source's replication slot`,
      };
    } else {
      const status = statusForUpperBound(minutes, spec.rpoMinutes / 2, spec.rpoMinutes);
      const verdict =
        status === 'PASS'
          ? `within half the ${spec.rpoName} RPO of ${spec.rpoMinutes} minutes`
          : status === 'WARN'
            ? `past half the ${spec.rpoName} RPO of ${spec.rpoMinutes} minutes`
            : `beyond the ${spec.rpoName} RPO of ${spec.rpoMinutes} minutes: a failover now would lose more data than the plan allows; check the source's write load and the replica's instance class`;
      lagResult = {
        ...lagBase,
        status,
        observed: round1(minutes),
        detail: `largest ReplicaLag of ${kind} ${spec.id} in the last 5 minutes was ${round1(minutes)} minutes (${seconds} s), ${verdict}`,
      };
    }
  }
  return [statusResult, lagResult];
}

/** A request for one metric, in one region, read later together with the rest of the batch. */
interface Pending {
  readonly query: MetricQuery;
  /** Only datapoints at or after this time count. */
  readonly since: Date;
  series?: Series;
}

/** Reads every queued metric of a region in shared `GetMetricData` calls; a denial becomes every series' reason. */
async function readQueued(
  cloudWatch: Pick<CloudWatchClient, 'send'>,
  queued: Pending[],
  start: Date,
  end: Date,
  where: string,
): Promise<void> {
  if (!queued.length) return;
  try {
    const points = await readMetrics(
      cloudWatch,
      queued.map((p) => p.query),
      start,
      end,
      where,
    );
    queued.forEach((p, i) => {
      p.series = { points: points[i].filter((d) => d.time.getTime() >= p.since.getTime()) };
    });
  } catch (error) {
    if (!isAccessDenied(error)) translateAwsError(error, 'cloudwatch:GetMetricData', where);
    for (const p of queued)
      p.series = {
        unreadable: `reading metrics in ${where} was denied: the function's role needs cloudwatch:GetMetricData in ${where}`,
      };
  }
}

/**
 * Checks a batch of replication targets: for each replicated bucket the rule, versioning, the rule's RTC metrics
 * over the last hour and each sample key; for each replicated database its replicas' state, source and lag. A
 * target the plan does not name is refused (`InvalidInputError`) before any AWS call; a denied permission is a
 * FAIL naming the IAM action; persistent throttling throws `ThrottledError`.
 */
export async function checkReplicationBatch(
  targets: readonly ReplicationTarget[],
  plan: DrPlan,
  deps: ReplicationDeps,
): Promise<CheckResult[]> {
  const resolved = resolve(targets, plan);
  const now = deps.now();
  const { primary, recovery } = plan.regions;
  const buckets = resolved.flatMap((r) => (r.kind === 'bucket' ? [r.bucket] : []));
  const dbs = resolved.flatMap((r) => (r.kind === 'database' ? [r.db] : []));

  // Configuration of every bucket (rule and versioning), a few buckets at a time.
  const configs = await mapLimit(buckets, BUCKET_CONCURRENCY, async (bucket) => {
    const [rules, sourceVersioning, replicaVersioning] = await Promise.all([
      readRules(deps.primary.s3, bucket.name, primary),
      readVersioning(deps.primary.s3, bucket.name, primary),
      readVersioning(deps.recovery.s3, bucket.drBucket, recovery),
    ]);
    return { bucket, verdict: ruleVerdict(bucket, rules), sourceVersioning, replicaVersioning };
  });

  // Every metric of the batch, queued per region and read in shared calls.
  const queue: Record<'primary' | 'recovery', Pending[]> = { primary: [], recovery: [] };
  const hourAgo = new Date(now.getTime() - S3_WINDOW_MS);
  const lagSince = new Date(now.getTime() - LAG_WINDOW_MS);
  const bucketSeries = configs.map(({ bucket, verdict }) => {
    const id = verdict.rule?.ID;
    if (!id || verdict.rule?.Destination?.Metrics?.Status !== 'Enabled') return {};
    const q = s3Queries(bucket, id);
    const latency: Pending = { query: q.latency, since: hourAgo };
    const pending: Pending = { query: q.pending, since: hourAgo };
    const failed: Pending = { query: q.failed, since: hourAgo };
    queue.recovery.push(latency, pending);
    queue.primary.push(failed);
    return { latency, pending, failed };
  });
  const specs = dbs.flatMap((db) => replicaSpecs(db, plan));
  const lagQueries = specs.map((spec) => {
    const pending: Pending = {
      query: {
        namespace: 'AWS/RDS',
        metricName: 'ReplicaLag',
        dimensions: { DBInstanceIdentifier: spec.id },
        period: 60,
        stat: 'Maximum',
      },
      since: lagSince,
    };
    queue[spec.crossRegion ? 'recovery' : 'primary'].push(pending);
    return pending;
  });

  const inRegionIds = specs.filter((s) => !s.crossRegion).map((s) => s.id);
  const crossRegionIds = specs.filter((s) => s.crossRegion).map((s) => s.id);
  const noInstances: Instances = { byId: new Map() };
  const [primaryInstances, recoveryInstances] = await Promise.all([
    inRegionIds.length ? describeInstances(deps.primary.rds, inRegionIds, primary) : noInstances,
    crossRegionIds.length ? describeInstances(deps.recovery.rds, crossRegionIds, recovery) : noInstances,
    readQueued(deps.primary.cloudWatch, queue.primary, hourAgo, now, primary),
    readQueued(deps.recovery.cloudWatch, queue.recovery, hourAgo, now, recovery),
  ]);

  const samples = await mapLimit(configs, BUCKET_CONCURRENCY, async ({ bucket }) => {
    const results: CheckResult[] = [];
    for (const key of bucket.sampleKeys) results.push(await sampleResult(bucket, key, plan, deps, now));
    return results;
  });

  const byTarget = new Map<string, CheckResult[]>();
  configs.forEach((c, i) => {
    const s = bucketSeries[i];
    byTarget.set(`bucket:${c.bucket.name}`, [
      c.verdict.result,
      versioningResult(c.bucket, c.sourceVersioning, c.replicaVersioning),
      ...metricResults(
        c.bucket,
        c.verdict,
        { latency: s.latency?.series, pending: s.pending?.series, failed: s.failed?.series },
        plan,
      ),
      ...samples[i],
    ]);
  });
  specs.forEach((spec, i) => {
    const key = `database:${spec.db.id}`;
    const instances = spec.crossRegion ? recoveryInstances : primaryInstances;
    byTarget.set(key, [...(byTarget.get(key) ?? []), ...replicaResults(spec, instances, lagQueries[i].series, plan)]);
  });
  return resolved.flatMap((r) => byTarget.get(resolvedKey(r)) ?? []);
}
