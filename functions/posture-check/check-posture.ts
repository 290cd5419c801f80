/**
 * The daily posture check: does the live setup match the plan? Databases (retention, Multi-AZ, deletion
 * protection, encryption, IAM database authentication, backups replicated to the recovery region, how recent the
 * latest restorable time is), buckets by role (versioning, lifecycle, default encryption, public-access blocks)
 * and the application's compute and cache. One call checks a batch of targets and shares what it can: one
 * `DescribeDBInstances` with a `db-instance-id` filter for every instance of the batch, one read of the account's
 * public-access block.
 *
 * AWS facts relied on:
 * - RDS API reference, DBInstance: `BackupRetentionPeriod` (days of automated backups, which is also the
 *   point-in-time window), `MultiAZ`, `DeletionProtection`, `StorageEncrypted`, `KmsKeyId` (an ARN),
 *   `IAMDatabaseAuthenticationEnabled`, `LatestRestorableTime` and `DBInstanceAutomatedBackupsReplications`
 *   (`DBInstanceAutomatedBackupsArn`, an ARN in the destination Region). Reading them needs
 *   `rds:DescribeDBInstances`.
 * - S3 API reference: GetBucketLifecycleConfiguration answers `NoSuchLifecycleConfiguration` when the bucket has
 *   none (`s3:GetLifecycleConfiguration`); GetBucketEncryption has default encryption (`s3:GetEncryptionConfiguration`;
 *   since January 2023 every bucket encrypts new objects with SSE-S3 unless configured otherwise);
 *   GetPublicAccessBlock answers `NoSuchPublicAccessBlockConfiguration` when none is set, for a bucket
 *   (`s3:GetBucketPublicAccessBlock`) as for the account (S3 Control, `s3:GetAccountPublicAccessBlock`); S3 applies
 *   the most restrictive of the two, setting by setting. Objects in `GLACIER` or `DEEP_ARCHIVE` must be restored
 *   before a GET (ranged or not) reads them; `GLACIER_IR` reads at once.
 * - Auto Scaling `DescribeAutoScalingGroups`: each instance's `LifecycleState` and `HealthStatus` (`Healthy`) and
 *   `AvailabilityZone`. ECS `ListTasks` (`desiredStatus: RUNNING`) and `DescribeTasks` (100 tasks a call): each
 *   task's `lastStatus`, `healthStatus` and `availabilityZone`. ElastiCache `DescribeReplicationGroups`:
 *   `AutomaticFailover` and `MultiAZ` (`enabled`, `disabled`, and for failover `enabling`/`disabling`).
 */
import { DescribeAutoScalingGroupsCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeTasksCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DescribeReplicationGroupsCommand, type ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type LifecycleRule,
  type PublicAccessBlockConfiguration,
  type S3Client,
  type ServerSideEncryptionByDefault,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  type S3ControlClient,
} from '@aws-sdk/client-s3-control';
import type { DrPlan, PlanBucket, PlanDatabase } from '../../lib/plan';
import { statusForUpperBound, type CheckResult, type CheckStatus } from '../shared/check-result';
import { awsErrorName, InvalidInputError, isAccessDenied, translateAwsError } from '../shared/errors';
import { mapLimit } from '../shared/map-limit';
import { describeInstances, type Instances } from '../shared/describe-instances';
import { paginate } from '../shared/paginate';
import { httpStatus, isS3AccessDenied } from '../shared/s3-errors';
import { MINUTE_MS } from '../shared/time';
import type { PostureTarget } from './targets';

/** What `checkPostureBatch` needs: clients in the plan's primary region, and the clock. */
export interface PostureDeps {
  readonly rds: Pick<RDSClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
  readonly s3Control: Pick<S3ControlClient, 'send'>;
  readonly autoScaling: Pick<AutoScalingClient, 'send'>;
  readonly ecs: Pick<ECSClient, 'send'>;
  readonly elastiCache: Pick<ElastiCacheClient, 'send'>;
  readonly now: () => Date;
}

const MAX_PAGES = 20;
const TASKS_PER_DESCRIBE = 100;
const BUCKET_CONCURRENCY = 8;
const PUBLIC_ACCESS_SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;
/** Classes whose objects must be restored before any GET: a dump there cannot be range-read or restored at once. */
const NEEDS_RESTORE = new Set(['GLACIER', 'DEEP_ARCHIVE']);

type Finding = { readonly status: CheckStatus; readonly text: string };
const worst = (findings: readonly Finding[]): CheckStatus =>
  findings.some((f) => f.status === 'FAIL') ? 'FAIL' : findings.some((f) => f.status === 'WARN') ? 'WARN' : 'PASS';
const round1 = (n: number) => Math.round(n * 10) / 10;

type Resolved =
  | { kind: 'database'; db: PlanDatabase }
  | { kind: 'bucket'; bucket: PlanBucket }
  | { kind: 'application' };

const resolvedKey = (r: Resolved) =>
  r.kind === 'database' ? `database:${r.db.id}` : r.kind === 'bucket' ? `bucket:${r.bucket.name}` : 'application';

/** Finds every target in the plan (each once), or refuses the batch before any AWS call. */
function resolve(targets: readonly PostureTarget[], plan: DrPlan): Resolved[] {
  if (!Array.isArray(targets))
    throw new InvalidInputError('targets must be a list of { kind: "database" | "bucket" | "application", … }');
  const all = targets.map((target): Resolved => {
    switch (target?.kind) {
      case 'database': {
        const db = plan.databases.find((d) => d.id === target.id);
        if (!db)
          throw new InvalidInputError(
            `id "${String(target.id)}" is not a database of the plan: use one of ${plan.databases.map((d) => d.id).join(', ')}`,
          );
        return { kind: 'database', db };
      }
      case 'bucket': {
        const bucket = plan.buckets.find((b) => b.name === target.bucket);
        if (!bucket)
          throw new InvalidInputError(
            `bucket "${String(target.bucket)}" is not a bucket of the plan: add it to plan.buckets`,
          );
        return { kind: 'bucket', bucket };
      }
      case 'application': {
        const app = plan.application;
        if (!app.autoScalingGroupName && !app.ecsService && !app.cacheReplicationGroupIds.length) {
          throw new InvalidInputError(
            'the plan names no application to check: set application.autoScalingGroupName, application.ecsService or application.cacheReplicationGroupIds',
          );
        }
        return { kind: 'application' };
      }
      default:
        throw new InvalidInputError(
          `kind must be database, bucket or application (got ${JSON.stringify((target as { kind?: unknown })?.kind)})`,
        );
    }
  });
  const seen = new Set<string>();
  return all.filter((r) => !seen.has(resolvedKey(r)) && Boolean(seen.add(resolvedKey(r))));
}

/** Results of several checks on one target that could not be read at all: one FAIL each, with the same reason. */
function allFail(checks: readonly string[], target: string, detail: string): CheckResult[] {
  return checks.map((check) => ({ check, target, status: 'FAIL', observed: null, threshold: null, detail }));
}

const DATABASE_CHECKS = [
  'db-backup-retention',
  'db-multi-az',
  'db-deletion-protection',
  'db-encryption',
  'db-iam-auth',
  'db-backup-replication',
  'db-latest-restorable',
] as const;

function flag(check: string, target: string, ok: boolean, observed: boolean | undefined, detail: string): CheckResult {
  return {
    check,
    target,
    status: ok ? 'PASS' : 'FAIL',
    observed: observed === undefined ? null : String(observed),
    threshold: 'true',
    detail,
  };
}

function databaseResults(db: PlanDatabase, instances: Instances, plan: DrPlan, now: Date): CheckResult[] {
  const where = plan.regions.primary;
  if ('unreadable' in instances)
    return allFail(DATABASE_CHECKS, db.id, `cannot describe ${db.id}: ${instances.unreadable}`);
  const instance = instances.byId.get(db.id.toLowerCase());
  if (!instance) {
    return allFail(DATABASE_CHECKS, db.id, `${db.id} does not exist in ${where}: check databases[].id in the DR plan`);
  }
  const results: CheckResult[] = [];

  const byAwsBackup = db.dailyBackupsBy === 'awsBackup';
  const needed = byAwsBackup ? plan.backups.pitrWindowDays : plan.backups.retentionDays;
  const retention = instance.BackupRetentionPeriod ?? 0;
  const why = byAwsBackup
    ? `the ${needed}-day point-in-time window (AWS Backup keeps the dailies)`
    : `the plan's ${needed}-day backup retention`;
  results.push({
    check: 'db-backup-retention',
    target: db.id,
    status: retention >= needed ? 'PASS' : 'FAIL',
    observed: retention,
    threshold: needed,
    detail:
      retention >= needed
        ? `${db.id} keeps automated backups ${retention} days, covering ${why}`
        : retention === 0
          ? `${db.id} has automated backups turned off (retention 0): no snapshot and no point-in-time recovery; set the backup retention to at least ${needed} days`
          : `${db.id} keeps automated backups ${retention} days, less than ${why}: raise the backup retention to ${needed}${byAwsBackup ? '' : ', or set databases[].dailyBackupsBy to "awsBackup" if an AWS Backup plan keeps the dailies'}`,
  });

  results.push(
    flag(
      'db-multi-az',
      db.id,
      instance.MultiAZ === true,
      instance.MultiAZ,
      instance.MultiAZ
        ? `${db.id} is Multi-AZ`
        : `${db.id} is not Multi-AZ: an AZ failure takes it down until a replica is promoted; enable Multi-AZ`,
    ),
  );
  results.push(
    flag(
      'db-deletion-protection',
      db.id,
      instance.DeletionProtection === true,
      instance.DeletionProtection,
      instance.DeletionProtection
        ? `${db.id} has deletion protection`
        : `${db.id} has no deletion protection: one API call can delete it; enable deletion protection`,
    ),
  );

  const encryption: Finding[] = [];
  if (!instance.StorageEncrypted)
    encryption.push({
      status: 'FAIL',
      text: `${db.id} is not encrypted at rest: encryption can only be set by restoring an encrypted copy`,
    });
  else if (db.kmsKeyArn && instance.KmsKeyId !== db.kmsKeyArn)
    encryption.push({
      status: 'FAIL',
      text: `${db.id} is encrypted with ${instance.KmsKeyId ?? 'an unknown key'}, not databases[].kmsKeyArn ${db.kmsKeyArn}: fix the plan or the instance`,
    });
  results.push({
    check: 'db-encryption',
    target: db.id,
    status: worst(encryption),
    observed: instance.StorageEncrypted ? (instance.KmsKeyId ?? 'encrypted') : 'unencrypted',
    threshold: db.kmsKeyArn ?? 'encrypted',
    detail: encryption.length
      ? encryption.map((f) => f.text).join('; ')
      : `${db.id} is encrypted at rest${db.kmsKeyArn ? ` with ${db.kmsKeyArn}` : ''}`,
  });

  const iamAuth = (id: string, found: DBInstance | undefined, role: string): CheckResult => {
    if (!found) {
      return {
        check: 'db-iam-auth',
        target: id,
        status: 'FAIL',
        observed: null,
        threshold: 'true',
        detail: `${role} ${id} of ${db.id} does not exist in ${where}: the validator cannot log in to it`,
      };
    }
    const on = found.IAMDatabaseAuthenticationEnabled === true;
    return flag(
      'db-iam-auth',
      id,
      on,
      found.IAMDatabaseAuthenticationEnabled,
      on
        ? `${role} ${id} accepts IAM database authentication (the validator logs in with it)`
        : `${role} ${id} has IAM database authentication off: the validator cannot log in; enable it (a modification applied without downtime)`,
    );
  };
  results.push(iamAuth(db.id, instance, 'source'));
  if (db.replica) results.push(iamAuth(db.replica, instances.byId.get(db.replica.toLowerCase()), 'in-region replica'));

  const recovery = plan.regions.recovery;
  const replications = (instance.DBInstanceAutomatedBackupsReplications ?? [])
    .map((r) => r.DBInstanceAutomatedBackupsArn ?? '')
    .filter(Boolean);
  const toRecovery = replications.find((arn) => arn.split(':')[3] === recovery);
  results.push({
    check: 'db-backup-replication',
    target: db.id,
    status: toRecovery ? 'PASS' : 'FAIL',
    observed: replications.length ? replications.map((arn) => arn.split(':')[3] ?? arn).join(', ') : null,
    threshold: recovery,
    detail: toRecovery
      ? `automated backups of ${db.id} are replicated to ${recovery} (${toRecovery})`
      : `automated backups of ${db.id} are not replicated to ${recovery}${replications.length ? ` (only to ${replications.join(', ')})` : ''}: start cross-Region automated backup replication to ${recovery}, or a region failure leaves no point-in-time restore there`,
  });

  const rpo = plan.recoveryTargets.regionFailure.rpoMinutes;
  const warnAt = plan.posture.latestRestorableWarnMinutes;
  const latest = instance.LatestRestorableTime;
  if (!latest) {
    results.push({
      check: 'db-latest-restorable',
      target: db.id,
      status: 'FAIL',
      observed: null,
      threshold: rpo,
      detail: `${db.id} reports no latest restorable time: point-in-time recovery is not possible; check that automated backups are on`,
    });
  } else {
    const minutes = (now.getTime() - latest.getTime()) / MINUTE_MS;
    const status = statusForUpperBound(minutes, warnAt, rpo);
    results.push({
      check: 'db-latest-restorable',
      target: db.id,
      status,
      observed: round1(minutes),
      threshold: rpo,
      detail: `${db.id} can be restored up to ${latest.toISOString()}, ${round1(minutes)} minutes ago${
        status === 'PASS'
          ? ''
          : status === 'WARN'
            ? `: past ${warnAt} minutes (posture.latestRestorableWarnMinutes); transaction-log archiving is falling behind`
            : `: beyond the region-failure RPO of ${rpo} minutes; transaction logs are not being archived, check the instance's RDS events`
      }`,
    });
  }
  return results;
}

const BUCKET_CHECKS = ['bucket-versioning', 'bucket-lifecycle', 'bucket-encryption', 'bucket-public-access'] as const;

/** A bucket-level read failure that stops every check of the bucket: it does not exist, or not in this region. */
class BucketMissing extends Error {}

/** Reads one S3 setting: its value, `undefined` for the not-found error named, or a denial naming the action. */
async function readSetting<T>(
  read: () => Promise<T>,
  notFound: string | undefined,
  action: string,
  bucket: string,
): Promise<{ value?: T } | { denied: string }> {
  try {
    return { value: await read() };
  } catch (error) {
    const name = awsErrorName(error);
    if (notFound && name === notFound) return {};
    if (name === 'NoSuchBucket')
      throw new BucketMissing(`bucket ${bucket} does not exist (NoSuchBucket): check buckets[].name in the DR plan`);
    // A client of one region reaching a bucket elsewhere gets a 301 PermanentRedirect or AuthorizationHeaderMalformed.
    if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || httpStatus(error) === 301)
      throw new BucketMissing(
        `bucket ${bucket} is not in regions.primary: the plan's buckets must be in the primary region`,
      );
    if (isS3AccessDenied(error))
      return { denied: `reading it was denied: the function's role needs ${action} on arn:aws:s3:::${bucket}` };
    translateAwsError(error, action, `arn:aws:s3:::${bucket}`);
  }
}

/** The key prefix a lifecycle rule selects, and whether a tag or size filter narrows it further. */
function lifecycleScope(rule: LifecycleRule): { prefix: string; narrowed: boolean } {
  const f = rule.Filter;
  if (!f) return { prefix: rule.Prefix ?? '', narrowed: false };
  const and = f.And;
  const narrowed = Boolean(
    f.Tag ||
      f.ObjectSizeGreaterThan !== undefined ||
      f.ObjectSizeLessThan !== undefined ||
      and?.Tags?.length ||
      and?.ObjectSizeGreaterThan !== undefined ||
      and?.ObjectSizeLessThan !== undefined,
  );
  return { prefix: and?.Prefix ?? f.Prefix ?? '', narrowed };
}

const ruleName = (rule: LifecycleRule) => `rule ${rule.ID ?? '(no id)'}`;

/** Enabled rules that reach some of `prefix`'s objects, and those that reach all of them. */
function rulesFor(rules: readonly LifecycleRule[], prefix: string) {
  const enabled = rules.filter((r) => r.Status === 'Enabled');
  const overlapping = enabled.filter((r) => {
    const s = lifecycleScope(r);
    return s.prefix.startsWith(prefix) || prefix.startsWith(s.prefix);
  });
  const covering = overlapping.filter((r) => {
    const s = lifecycleScope(r);
    return !s.narrowed && prefix.startsWith(s.prefix);
  });
  return { overlapping, covering };
}

/** Findings on deletion: sooner than `minDays` FAILs, later (or never) than `expectedDays` WARNs. */
function expiryFindings(
  overlapping: readonly LifecycleRule[],
  covering: readonly LifecycleRule[],
  what: string,
  days: (r: LifecycleRule) => number | undefined,
  minDays: number,
  expectedDays: number,
  field: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const r of overlapping) {
    const d = days(r);
    if (d !== undefined && d < minDays)
      findings.push({
        status: 'FAIL',
        text: `${ruleName(r)} deletes ${what} after ${d} days, sooner than the plan's ${minDays}`,
      });
  }
  if (findings.length) return findings;
  const covered = covering.map(days).filter((d): d is number => d !== undefined);
  if (!covered.length)
    findings.push({
      status: 'WARN',
      text: `${what} never expire (the plan: ${expectedDays} days, ${field}): they are kept and billed forever`,
    });
  else if (Math.min(...covered) > expectedDays)
    findings.push({
      status: 'WARN',
      text: `${what} are kept ${Math.min(...covered)} days, longer than the plan's ${expectedDays} (${field})`,
    });
  return findings;
}

function lifecycleResult(
  bucket: PlanBucket,
  reading: { value?: LifecycleRule[] } | { denied: string },
  plan: DrPlan,
): CheckResult {
  const base = { check: 'bucket-lifecycle', target: bucket.name };
  if ('denied' in reading) {
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      threshold: null,
      detail: `cannot read the lifecycle of ${bucket.name}: ${reading.denied}`,
    };
  }
  const rules = reading.value ?? [];
  const findings: Finding[] = [];
  const dateExpiries = rules.filter((r) => r.Status === 'Enabled' && r.Expiration?.Date);
  for (const r of dateExpiries)
    findings.push({
      status: 'FAIL',
      text: `${ruleName(r)} deletes every object it selects on ${r.Expiration?.Date?.toISOString().slice(0, 10)}, whatever its age`,
    });
  let threshold: string;
  if (bucket.role === 'files') {
    const want = plan.posture.buckets.files;
    threshold = `noncurrent ${want.noncurrentVersionDays} d, archive (${want.archiveStorageClasses.join('/')}) at ${want.archiveAfterDays} d, expire at ${want.expireAfterDays} d`;
    const { overlapping, covering } = rulesFor(rules, '');
    findings.push(
      ...expiryFindings(
        overlapping,
        covering,
        'current objects',
        (r) => r.Expiration?.Days,
        want.expireAfterDays,
        want.expireAfterDays,
        'posture.buckets.files.expireAfterDays',
      ),
      ...expiryFindings(
        overlapping,
        covering,
        'noncurrent versions',
        (r) => r.NoncurrentVersionExpiration?.NoncurrentDays,
        want.noncurrentVersionDays,
        want.noncurrentVersionDays,
        'posture.buckets.files.noncurrentVersionDays',
      ),
    );
    const archive = covering.flatMap((r) =>
      (r.Transitions ?? [])
        .filter((t) => t.StorageClass && (want.archiveStorageClasses as readonly string[]).includes(t.StorageClass))
        .map((t) => ({ rule: r, days: t.Days, storageClass: t.StorageClass })),
    );
    const atPlan = archive.find((a) => a.days === want.archiveAfterDays);
    if (!atPlan) {
      findings.push(
        archive.length
          ? {
              status: 'WARN',
              text: `current objects move to ${archive.map((a) => `${a.storageClass} at ${a.days ?? 'a date, not an age'}${a.days === undefined ? '' : ' days'}`).join(', ')}, not at the plan's ${want.archiveAfterDays} days`,
            }
          : {
              status: 'WARN',
              text: `current objects are never moved to a Glacier class (the plan: after ${want.archiveAfterDays} days)`,
            },
      );
    }
  } else {
    const retention = plan.backups.retentionDays;
    const expected = plan.posture.buckets.backups.expireAfterDays ?? retention;
    const { prefix, latestDumpKey } = plan.backups.keyLayout;
    threshold = `nothing expires before ${retention} d; expire at ${expected} d; ${prefix}${latestDumpKey} never in GLACIER/DEEP_ARCHIVE`;
    const { overlapping, covering } = rulesFor(rules, prefix);
    findings.push(
      ...expiryFindings(
        overlapping,
        covering,
        'backups',
        (r) => r.Expiration?.Days,
        retention,
        expected,
        'posture.buckets.backups.expireAfterDays',
      ),
    );
    for (const r of overlapping) {
      const d = r.NoncurrentVersionExpiration?.NoncurrentDays;
      if (d !== undefined && d < retention)
        findings.push({
          status: 'FAIL',
          text: `${ruleName(r)} deletes noncurrent versions (overwritten backups) after ${d} days, sooner than the plan's ${retention}`,
        });
    }
    const latestKey = prefix + latestDumpKey;
    const reachesLatest = rules.filter((r) => r.Status === 'Enabled' && latestKey.startsWith(lifecycleScope(r).prefix));
    for (const r of overlapping) {
      for (const t of r.Transitions ?? []) {
        if (!t.StorageClass || !NEEDS_RESTORE.has(t.StorageClass)) continue;
        findings.push(
          reachesLatest.includes(r)
            ? {
                status: 'FAIL',
                text: `${ruleName(r)} moves ${latestKey} to ${t.StorageClass} after ${t.Days ?? '(a date)'} days: ranged reads and restores of the latest dump fail until it is restored; exclude it or use GLACIER_IR`,
              }
            : {
                status: 'WARN',
                text: `${ruleName(r)} moves backups to ${t.StorageClass} after ${t.Days ?? '(a date)'} days: they must be restored before pg_restore can read them`,
              },
        );
      }
    }
  }
  const status = worst(findings);
  return {
    ...base,
    status,
    observed: rules.length
      ? `${rules.filter((r) => r.Status === 'Enabled').length} enabled rule(s)`
      : 'no lifecycle configuration',
    threshold,
    detail: findings.length
      ? `${bucket.name} (${bucket.role}): ${findings.map((f) => `${f.status}: ${f.text}`).join('; ')}`
      : `${bucket.name} (${bucket.role}) has the plan's lifecycle`,
  };
}

function versioningResult(
  bucket: PlanBucket,
  reading: { value?: string } | { denied: string },
  plan: DrPlan,
): CheckResult {
  const base = { check: 'bucket-versioning', target: bucket.name, threshold: 'Enabled' };
  if ('denied' in reading)
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      detail: `cannot read the versioning of ${bucket.name}: ${reading.denied}`,
    };
  const state = reading.value ?? 'never enabled';
  if (state === 'Enabled') return { ...base, status: 'PASS', observed: state, detail: `${bucket.name} is versioned` };
  return bucket.role === 'files'
    ? {
        ...base,
        status: 'FAIL',
        observed: state,
        detail: `versioning of ${bucket.name} is ${state}: an overwrite or delete loses the file for good; enable versioning (the plan keeps noncurrent versions ${plan.posture.buckets.files.noncurrentVersionDays} days)`,
      }
    : {
        ...base,
        status: 'WARN',
        observed: state,
        detail: `versioning of ${bucket.name} is ${state}: an overwritten latest dump cannot be recovered; enable versioning`,
      };
}

function encryptionResult(
  bucket: PlanBucket,
  reading: { value?: ServerSideEncryptionByDefault[] } | { denied: string },
): CheckResult {
  const base = {
    check: 'bucket-encryption',
    target: bucket.name,
    threshold: bucket.kmsKeyArn ?? 'encrypted (SSE-S3 or SSE-KMS)',
  };
  if ('denied' in reading)
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      detail: `cannot read the default encryption of ${bucket.name}: ${reading.denied}`,
    };
  const rule = reading.value?.[0];
  const algorithm = rule?.SSEAlgorithm ?? 'AES256';
  const observed = rule ? `${algorithm}${rule.KMSMasterKeyID ? ` ${rule.KMSMasterKeyID}` : ''}` : 'AES256 (S3 default)';
  if (!bucket.kmsKeyArn) {
    return {
      ...base,
      status: 'PASS',
      observed,
      detail: `${bucket.name} encrypts new objects by default (${observed})`,
    };
  }
  const keyId = bucket.kmsKeyArn.split('/').at(-1);
  const isKms = algorithm.startsWith('aws:kms');
  const key = rule?.KMSMasterKeyID;
  const sameKey = key === bucket.kmsKeyArn || key === keyId;
  if (isKms && sameKey)
    return {
      ...base,
      status: 'PASS',
      observed,
      detail: `${bucket.name} encrypts new objects with SSE-KMS and ${bucket.kmsKeyArn}`,
    };
  return {
    ...base,
    status: 'FAIL',
    observed,
    detail: `${bucket.name} encrypts new objects with ${observed}, not SSE-KMS with buckets[].kmsKeyArn ${bucket.kmsKeyArn}: set the bucket's default encryption to that key, or fix the plan${isKms && !key ? ' (no key id means the AWS-managed aws/s3 key)' : ''}`,
  };
}

type AccountBlock = { value?: PublicAccessBlockConfiguration } | { denied: string };

function publicAccessResult(
  bucket: PlanBucket,
  reading: { value?: PublicAccessBlockConfiguration } | { denied: string },
  account: AccountBlock,
): CheckResult {
  const base = { check: 'bucket-public-access', target: bucket.name, threshold: PUBLIC_ACCESS_SETTINGS.join(', ') };
  const bucketBlock = 'value' in reading ? reading.value : undefined;
  const accountBlock = 'value' in account ? account.value : undefined;
  const off = PUBLIC_ACCESS_SETTINGS.filter((s) => bucketBlock?.[s] !== true && accountBlock?.[s] !== true);
  if (!off.length) {
    return {
      ...base,
      status: 'PASS',
      observed: 'all four on',
      detail: `all four public-access blocks apply to ${bucket.name} (bucket or account level)`,
    };
  }
  const unknown = [
    'denied' in reading ? `the bucket's block (${reading.denied})` : '',
    'denied' in account ? `the account's block (${account.denied})` : '',
  ].filter(Boolean);
  return {
    ...base,
    status: 'FAIL',
    observed: `off: ${off.join(', ')}`,
    detail: `${off.join(', ')} ${off.length > 1 ? 'are' : 'is'} on neither for ${bucket.name} nor for the account${unknown.length ? `, or could not be read: ${unknown.join('; ')}` : ''}: turn on all four public-access blocks`,
  };
}

async function bucketResults(
  bucket: PlanBucket,
  plan: DrPlan,
  deps: PostureDeps,
  account: () => Promise<AccountBlock>,
): Promise<CheckResult[]> {
  const name = bucket.name;
  try {
    const [versioning, lifecycle, encryption, publicAccess] = await Promise.all([
      readSetting(
        async (): Promise<string | undefined> =>
          (await deps.s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status,
        undefined,
        's3:GetBucketVersioning',
        name,
      ),
      readSetting(
        async () => (await deps.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name }))).Rules ?? [],
        'NoSuchLifecycleConfiguration',
        's3:GetLifecycleConfiguration',
        name,
      ),
      readSetting(
        async () =>
          (
            (await deps.s3.send(new GetBucketEncryptionCommand({ Bucket: name }))).ServerSideEncryptionConfiguration
              ?.Rules ?? []
          )
            .map((r) => r.ApplyServerSideEncryptionByDefault)
            .filter((r): r is ServerSideEncryptionByDefault => Boolean(r)),
        'ServerSideEncryptionConfigurationNotFoundError',
        's3:GetEncryptionConfiguration',
        name,
      ),
      readSetting(
        async () =>
          (await deps.s3.send(new GetPublicAccessBlockCommand({ Bucket: name }))).PublicAccessBlockConfiguration,
        'NoSuchPublicAccessBlockConfiguration',
        's3:GetBucketPublicAccessBlock',
        name,
      ),
    ]);
    const off = PUBLIC_ACCESS_SETTINGS.some((s) => !('value' in publicAccess) || publicAccess.value?.[s] !== true);
    return [
      versioningResult(bucket, versioning, plan),
      lifecycleResult(bucket, lifecycle, plan),
      encryptionResult(bucket, encryption),
      publicAccessResult(bucket, publicAccess, off ? await account() : {}),
    ];
  } catch (error) {
    if (!(error instanceof BucketMissing)) throw error;
    return allFail(BUCKET_CHECKS, name, error.message);
  }
}

/** The account's public-access block, read once per batch and only when a bucket's own block leaves a gap. */
function accountBlockReader(plan: DrPlan, deps: PostureDeps): () => Promise<AccountBlock> {
  let read: Promise<AccountBlock> | undefined;
  return () => {
    read ??= (async (): Promise<AccountBlock> => {
      try {
        const out = await deps.s3Control.send(new GetAccountPublicAccessBlockCommand({ AccountId: plan.account }));
        return { value: out.PublicAccessBlockConfiguration };
      } catch (error) {
        if (awsErrorName(error) === 'NoSuchPublicAccessBlockConfiguration') return {};
        if (isS3AccessDenied(error))
          return { denied: `the function's role needs s3:GetAccountPublicAccessBlock on account ${plan.account}` };
        translateAwsError(error, 's3:GetAccountPublicAccessBlock', `account ${plan.account}`);
      }
    })();
    return read;
  };
}

interface Capacity {
  readonly healthy: number;
  readonly zones: Set<string>;
}

function capacityResult(
  target: string,
  what: string,
  capacity: Capacity | { problem: string },
  plan: DrPlan,
): CheckResult {
  const { minHealthyInstances: min, minAvailabilityZones: minZones } = plan.application;
  const base = { check: 'compute-capacity', target, threshold: `${min} in ${minZones} zones` };
  if ('problem' in capacity) return { ...base, status: 'FAIL', observed: null, detail: capacity.problem };
  const zones = [...capacity.zones].sort();
  const ok = capacity.healthy >= min && zones.length >= minZones;
  return {
    ...base,
    status: ok ? 'PASS' : 'FAIL',
    observed: capacity.healthy,
    detail: `${target} has ${capacity.healthy} healthy ${what} in ${zones.length} zone${zones.length === 1 ? '' : 's'} (${zones.join(', ') || 'none'})${
      ok
        ? ''
        : `: the plan needs at least ${min} (application.minHealthyInstances) in at least ${minZones} zones (application.minAvailabilityZones), or one more failure takes the service down`
    }`,
  };
}

async function autoScalingCapacity(
  deps: PostureDeps,
  name: string,
  where: string,
): Promise<Capacity | { problem: string }> {
  try {
    const out = await deps.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
    const group = out.AutoScalingGroups?.[0];
    if (!group)
      return {
        problem: `Auto Scaling group ${name} does not exist in ${where}: check application.autoScalingGroupName`,
      };
    const healthy = (group.Instances ?? []).filter(
      (i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy',
    );
    return { healthy: healthy.length, zones: new Set(healthy.map((i) => i.AvailabilityZone ?? 'unknown')) };
  } catch (error) {
    if (isAccessDenied(error))
      return {
        problem: `cannot describe ${name}: the function's role needs autoscaling:DescribeAutoScalingGroups in ${where}`,
      };
    translateAwsError(error, 'autoscaling:DescribeAutoScalingGroups', where);
  }
}

async function ecsCapacity(
  deps: PostureDeps,
  cluster: string,
  service: string,
  where: string,
): Promise<Capacity | { problem: string }> {
  let action = 'ecs:ListTasks';
  try {
    const arns: string[] = [];
    const pages = paginate({
      fetch: (token) =>
        deps.ecs.send(
          new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING', nextToken: token }),
        ),
      next: (out) => out.nextToken,
      maxPages: MAX_PAGES,
      what: `ecs:ListTasks of ${cluster}/${service}`,
    });
    for await (const page of pages) arns.push(...(page.taskArns ?? []));
    action = 'ecs:DescribeTasks';
    const zones = new Set<string>();
    let healthy = 0;
    for (let i = 0; i < arns.length; i += TASKS_PER_DESCRIBE) {
      const out = await deps.ecs.send(
        new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + TASKS_PER_DESCRIBE) }),
      );
      for (const task of out.tasks ?? []) {
        if (task.lastStatus !== 'RUNNING' || task.healthStatus === 'UNHEALTHY') continue;
        healthy++;
        zones.add(task.availabilityZone ?? 'unknown');
      }
    }
    return { healthy, zones };
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'ClusterNotFoundException' || name === 'ServiceNotFoundException')
      return {
        problem: `ECS service ${service} of cluster ${cluster} does not exist in ${where} (${name}): check application.ecsService`,
      };
    if (isAccessDenied(error))
      return {
        problem: `cannot list the tasks of ${cluster}/${service}: the function's role needs ${action} in ${where}`,
      };
    translateAwsError(error, action, `${cluster}/${service}`);
  }
}

async function cacheResult(deps: PostureDeps, id: string, where: string): Promise<CheckResult> {
  const base = { check: 'cache-failover', target: id, threshold: 'AutomaticFailover enabled, MultiAZ enabled' };
  try {
    const out = await deps.elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
    const group = out.ReplicationGroups?.[0];
    if (!group) throw Object.assign(new Error(id), { name: 'ReplicationGroupNotFoundFault' });
    const failover = group.AutomaticFailover ?? 'disabled';
    const multiAz = group.MultiAZ ?? 'disabled';
    const findings: Finding[] = [];
    if (failover !== 'enabled')
      findings.push({ status: failover === 'enabling' ? 'WARN' : 'FAIL', text: `automatic failover is ${failover}` });
    if (multiAz !== 'enabled') findings.push({ status: 'FAIL', text: `Multi-AZ is ${multiAz}` });
    return {
      ...base,
      status: worst(findings),
      observed: `AutomaticFailover ${failover}, MultiAZ ${multiAz}`,
      detail: findings.length
        ? `cache replication group ${id}: ${findings.map((f) => f.text).join(', ')}: a node failure is an outage until it is replaced; enable automatic failover and Multi-AZ`
        : `cache replication group ${id} has automatic failover and Multi-AZ`,
    };
  } catch (error) {
    if (awsErrorName(error) === 'ReplicationGroupNotFoundFault')
      return {
        ...base,
        status: 'FAIL',
        observed: null,
        detail: `cache replication group ${id} does not exist in ${where}: check application.cacheReplicationGroupIds`,
      };
    if (isAccessDenied(error))
      return {
        ...base,
        status: 'FAIL',
        observed: null,
        detail: `cannot describe ${id}: the function's role needs elasticache:DescribeReplicationGroups in ${where}`,
      };
    translateAwsError(error, 'elasticache:DescribeReplicationGroups', where);
  }
}

async function applicationResults(plan: DrPlan, deps: PostureDeps): Promise<CheckResult[]> {
  const where = plan.regions.primary;
  const app = plan.application;
  const results: CheckResult[] = [];
  if (app.autoScalingGroupName) {
    const name = app.autoScalingGroupName;
    results.push(
      capacityResult(name, 'instances (InService, Healthy)', await autoScalingCapacity(deps, name, where), plan),
    );
  }
  if (app.ecsService) {
    const { cluster, service } = app.ecsService;
    results.push(
      capacityResult(
        `${cluster}/${service}`,
        'tasks (RUNNING, not UNHEALTHY)',
        await ecsCapacity(deps, cluster, service, where),
        plan,
      ),
    );
  }
  for (const id of app.cacheReplicationGroupIds) results.push(await cacheResult(deps, id, where));
  return results;
}

/**
 * Checks a batch of posture targets in the primary region: databases (with their in-region replica's IAM
 * authentication), buckets by role, and the application's compute and cache. A target the plan does not name is
 * refused (`InvalidInputError`) before any AWS call; a denied permission is a FAIL naming the IAM action; a missing
 * lifecycle or public-access configuration is a finding; persistent throttling throws `ThrottledError`.
 */
export async function checkPostureBatch(
  targets: readonly PostureTarget[],
  plan: DrPlan,
  deps: PostureDeps,
): Promise<CheckResult[]> {
  const resolved = resolve(targets, plan);
  const where = plan.regions.primary;
  const dbs = resolved.flatMap((r) => (r.kind === 'database' ? [r.db] : []));
  const buckets = resolved.flatMap((r) => (r.kind === 'bucket' ? [r.bucket] : []));
  const ids = dbs.flatMap((db) => (db.replica ? [db.id, db.replica] : [db.id]));
  const account = accountBlockReader(plan, deps);

  const [instances, bucketSets, application] = await Promise.all([
    ids.length ? describeInstances(deps.rds, ids, where) : Promise.resolve<Instances>({ byId: new Map() }),
    mapLimit(buckets, BUCKET_CONCURRENCY, (bucket) => bucketResults(bucket, plan, deps, account)),
    resolved.some((r) => r.kind === 'application') ? applicationResults(plan, deps) : Promise.resolve([]),
  ]);
  const now = deps.now();
  const byKey = new Map<string, CheckResult[]>();
  for (const db of dbs) byKey.set(`database:${db.id}`, databaseResults(db, instances, plan, now));
  for (const [i, b] of buckets.entries()) byKey.set(`bucket:${b.name}`, bucketSets[i]);
  byKey.set('application', application);
  return resolved.flatMap((r) => byKey.get(resolvedKey(r)) ?? []);
}
