/**
 * The DR plan: one typed object with everything account-specific or tunable, validated at synth time.
 *
 * Defaults are the seed plan's values (shared/seed/disaster-recovery-plan.md). What the seed plan does not
 * give carries an obviously fake example value (`example.com`, `vpc-00000000000000000`, account
 * `000000000000`) so the default app synthesizes; `exampleValuePaths` lists the fields still at such a value.
 *
 * This module imports zod only (no CDK): Lambda code imports its types, the CDK app and the CLI its schema.
 */
import { z } from 'zod';
import { minimumJanitorMinutes, removalsPerRun, type JanitorBoundPlan } from '../functions/janitor/run-bound';
import { intervalHoursOf } from '../functions/freshness/schedule-interval';
import {
  AWS_REGIONS,
  bucketNameProblem,
  DUMP_RESTORE_TASK_MARGIN_MINUTES,
  fargateProblem,
  scheduleProblem,
  sqlProblem,
} from './plan-rules';

const RDS_ID = /^[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$/;

const rdsIdentifier = z
  .string()
  .max(63, 'must be at most 63 characters (the RDS limit)')
  .regex(RDS_ID, 'must be an RDS identifier: letters, digits and single hyphens, starting with a letter');
/** A string checked by a rule that says why it is wrong (lib/plan-rules.ts); the message leads with `what`. */
const ruled = (what: string, problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found) ctx.addIssue({ code: 'custom', message: `${what}: ${found}`, input: value });
  });
const bucketName = ruled('must be an S3 bucket name', bucketNameProblem);
const region = z
  .string()
  .refine((r) => AWS_REGIONS.includes(r), { message: 'must be an AWS region code such as us-east-1' });
// Parsed by the freshness monitor's own parser: what it cannot bound, EventBridge would refuse or we could not watch.
const schedule = ruled('must be an EventBridge schedule expression', scheduleProblem);
const positiveInt = z.number().int('must be a whole number').positive('must be greater than 0');
const nonNegative = z.number().nonnegative('must be 0 or more');
const iamArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
    'must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name> or :user/<name>); not a group, an sts session or an ARN without its resource type',
  );
/** A KMS key ARN: key policies and grants name keys, never aliases. */
const kmsKeyArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
    'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); an alias cannot be used in key policies or grants',
  );
/** An ARC routing control (its state is what a failover flips), not its control panel or cluster. */
const routingControlArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:route53-recovery-control::\d{12}:controlpanel\/[0-9a-z]+\/routingcontrol\/[0-9a-z]+$/,
    'must be an ARC routing control ARN (…:controlpanel/<id>/routingcontrol/<id>), not a control panel or cluster',
  );
/** CloudFormation's stack name rule; a name outside it is deployed under another name. */
const stackName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
    'must be a CloudFormation stack name: 1-128 letters, digits and hyphens, starting with a letter',
  );
const email = z.email('must be an e-mail address');
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

/** Priorities of the plan's Recovery Targets table. */
export const PRIORITIES = ['Critical', 'High', 'Medium'] as const;
export type Priority = (typeof PRIORITIES)[number];

const target = (title: string, rtoMinutes: number, rpoMinutes: number, priority: Priority, notes: string) =>
  z
    .object({
      title: z.string().min(1).default(title),
      rtoMinutes: positiveInt.default(rtoMinutes),
      rpoMinutes: nonNegative.default(rpoMinutes),
      priority: z.enum(PRIORITIES).default(priority),
      notes: z.string().default(notes),
    })
    .strict()
    .prefault({});

/** The plan's Recovery Targets table, one entry per failure scenario, plus the restore-from-backup target. */
const recoveryTargets = z
  .object({
    singleServerFailure: target('Single server failure', 5, 1, 'Critical', 'Auto-healing via ASG/HPA'),
    azFailure: target('AZ failure (partial)', 15, 5, 'Critical', 'Load balancer redirects traffic'),
    databaseFailover: target('Database failure (failover)', 10, 5, 'Critical', 'Automated promotion of standby'),
    regionFailure: target('Region failure (DR)', 30, 15, 'High', 'Manual failover to backup region'),
    dataCorruption: target('Data corruption', 60, 0, 'High', 'PITR restore to known good state'),
    securityBreach: target('Security breach', 120, 0, 'Critical', 'Rebuild from clean image'),
    cacheFailure: target('Cache layer failure', 3, 0, 'Medium', 'Auto-heal, graceful degradation'),
    storageBucketFailure: target('Storage bucket failure', 30, 60, 'Medium', 'Cross-region replication'),
    restoreFromBackup: target(
      'Restore from backup',
      60,
      1440,
      'High',
      'Test Schedule: backup restoration takes 1 hour',
    ),
  })
  .strict()
  .prefault({});

/** A scenario of the Recovery Targets table. */
export type Scenario = keyof z.infer<typeof recoveryTargets>;

const validationExpectation = z.discriminatedUnion('op', [
  z.object({ op: z.enum(['eq', 'gte', 'gt', 'lte']), value: z.number() }).strict(),
  /** A timestamp at most `hours` before the caller's reference time and at most 5 minutes after it; NULL fails. */
  z.object({ op: z.literal('withinHoursOf'), hours: z.number().positive('must be greater than 0') }).strict(),
]);

const validationQuery = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a snake_case name'),
    /** One read-only query; run in a read-only transaction as a read-only role, and refused here when visibly not. */
    sql: ruled('must be a read-only SELECT (or WITH) query', sqlProblem),
    /** What the single value returned must satisfy; omitted: any value is reported, none fails. */
    expect: validationExpectation.optional(),
  })
  .strict();

/**
 * The plan's validation queries (monthly restore test, database restore, failover checks), fixed where the
 * seed plan's version could not fail: counts expect at least one row, the primary key and the GiST index are
 * read from catalogs a `pg_read_all_data` role sees whole, and the newest modification must be recent.
 */
const DEFAULT_VALIDATION_QUERIES: z.input<typeof validationQuery>[] = [
  { name: 'building_count', sql: 'SELECT COUNT(*) AS building_count FROM buildings', expect: { op: 'gte', value: 1 } },
  { name: 'project_count', sql: 'SELECT COUNT(*) AS project_count FROM projects', expect: { op: 'gte', value: 1 } },
  {
    name: 'optimization_count',
    sql: 'SELECT COUNT(*) AS optimization_count FROM optimizations',
    expect: { op: 'gte', value: 1 },
  },
  {
    name: 'error_count',
    sql: 'SELECT COUNT(*) AS error_count FROM buildings WHERE geom IS NULL AND active = true',
    expect: { op: 'eq', value: 0 },
  },
  {
    name: 'index_count',
    sql: "SELECT COUNT(*) AS index_count FROM pg_indexes WHERE tablename IN ('buildings', 'projects', 'optimizations')",
    expect: { op: 'gt', value: 0 },
  },
  {
    name: 'postgis_works',
    sql: 'SELECT COUNT(*) AS postgis_works FROM (SELECT ST_AsText(geom) FROM buildings LIMIT 1) AS sample',
    expect: { op: 'eq', value: 1 },
  },
  {
    // pg_stat_user_indexes also lists the primary key, so a dropped GiST index still counted 1.
    name: 'building_index_count',
    sql: "SELECT COUNT(*) AS building_index_count FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'buildings' AND indexdef LIKE '%USING gist%'",
    expect: { op: 'gte', value: 1 },
  },
  {
    // information_schema.table_constraints lists only tables the role owns or holds a privilege other than SELECT on: 0 to pg_read_all_data.
    name: 'project_primary_keys',
    sql: "SELECT COUNT(*) AS project_primary_keys FROM pg_constraint WHERE contype = 'p' AND conrelid = 'projects'::regclass",
    expect: { op: 'eq', value: 1 },
  },
  {
    name: 'latest_modification',
    sql: 'SELECT MAX(modified_at) AS latest_modification FROM projects',
    expect: { op: 'withinHoursOf', hours: 24 },
  },
];

const backups = z
  .object({
    /** When RDS takes the daily full backup (the plan: 03:00 UTC). */
    dailyBackupTimeUtc: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM in UTC')
      .default('03:00'),
    retentionDays: positiveInt.default(30),
    pitrWindowDays: positiveInt.default(7),
    verification: z
      .object({
        maxAgeHours: positiveInt.default(24),
        /** A backup older than this fraction of maxAgeHours is a WARN. */
        warnAtFraction: z
          .number()
          .gt(0, 'must be a fraction between 0 and 1, such as 0.8')
          .lt(1, 'must be a fraction between 0 and 1, such as 0.8')
          .default(0.8),
        /** Fewer backups than this is a WARN, as in the plan's script. */
        minBackupCount: positiveInt.default(20),
        minDumpBytes: positiveInt.default(100_000_000),
        /** A dump created more than this before its object was written is a WARN. */
        maxDumpSkewHours: positiveInt.default(24),
      })
      .strict()
      .prefault({}),
    keyLayout: z
      .object({
        /** Prefix under which backups are stored and counted. */
        prefix: z.string().default(''),
        latestDumpKey: z.string().min(1).default('latest.sql'),
        /** Date-sortable key pattern under the prefix, e.g. `daily/{yyyy}/{mm}/{dd}/`; none: newest from the latest-dump key. */
        datePattern: z
          .string()
          .regex(/\{yyyy\}/, 'must contain {yyyy} (and may contain {mm}, {dd}, {hh})')
          .optional(),
      })
      .strict()
      .prefault({}),
    requiredTables: z
      .array(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a table name'))
      .min(1)
      .default(['buildings', 'projects', 'optimizations']),
    validationQueries: z.array(validationQuery).prefault(DEFAULT_VALIDATION_QUERIES),
    /** How the database validator runs its queries. */
    validation: z
      .object({
        /** Each query's `statement_timeout` (restored volumes load lazily: a slow query is a FAIL, not a hang). */
        statementTimeoutSeconds: positiveInt.default(120),
        /** How long connecting (TCP, TLS, authentication) may take. */
        connectTimeoutSeconds: positiveInt.default(15),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const network = z
  .object({
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-…)'),
    availabilityZones: z.array(z.string().min(1)).min(1),
    subnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-…)'))
      .min(1, 'needs at least one subnet'),
    securityGroupId: z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-…)'),
  })
  .strict();

const exampleNetwork = (az: string) => ({
  vpcId: 'vpc-00000000000000000',
  availabilityZones: [`${az}a`, `${az}b`],
  subnetIds: ['subnet-00000000000000000', 'subnet-00000000000000001'],
  securityGroupId: 'sg-00000000000000000',
});

const database = z
  .object({
    id: rdsIdentifier,
    /** Database name inside the instance. */
    databaseName: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
        'must be an RDS PostgreSQL database name: 1-63 letters, digits and underscores, starting with a letter',
      )
      .default('entmoot'),
    port: positiveInt.max(65535).default(5432),
    /** The read-only role for validation (IAM database authentication). */
    validatorUser: z.string().default('dr_validator'),
    /** In-region read replica. */
    replica: rdsIdentifier.optional(),
    /** Cross-region read replica in the recovery region, promoted on regional failover. */
    drReplica: rdsIdentifier.optional(),
    /** Bucket (role `backups`) that holds this database's pg_dump files. */
    backupBucket: bucketName.optional(),
    /** KMS key that encrypts the database's snapshots, when customer-managed. */
    kmsKeyArn: kmsKeyArn.optional(),
    /**
     * Who takes the daily full backups. Omitted: RDS automated backups, whose retention must cover
     * `backups.retentionDays`. `awsBackup`: an AWS Backup plan keeps the dailies, so RDS's own retention need
     * only cover the point-in-time window (`backups.pitrWindowDays`).
     */
    dailyBackupsBy: z
      .enum(['awsBackup'], {
        error: 'must be "awsBackup" (an AWS Backup plan keeps the dailies) or omitted (RDS keeps them)',
      })
      .optional(),
    /** Where a validator Lambda must run to reach the instance, per region role. */
    network: z
      .object({ primary: network, recovery: network })
      .strict()
      .prefault({ primary: exampleNetwork('us-east-1'), recovery: exampleNetwork('us-west-2') }),
  })
  .strict();

const bucket = z
  .object({
    name: bucketName,
    role: z.enum(['files', 'backups']),
    /** The replica bucket in the recovery region, when replicated. */
    drBucket: bucketName.optional(),
    /**
     * The part of the bucket the replication rule must cover (a key prefix such as `uploads/`); omitted: the whole
     * bucket. A rule with a tag filter never counts: untagged objects would not be replicated.
     */
    replicationPrefix: z.string().min(1, 'must not be empty: omit it to require the whole bucket').optional(),
    /** Keys whose replicas the replication check compares; empty: RTC metrics only. */
    sampleKeys: z.array(z.string().min(1)).default([]),
    /** KMS key of SSE-KMS objects, which readers need kms:Decrypt on. */
    kmsKeyArn: kmsKeyArn.optional(),
  })
  .strict();

/** The monthly snapshot restore test: where and how the copies are made. */
const restoreTest = z
  .object({
    /** Databases restored at once (children of the parent run). */
    maxConcurrent: positiveInt.max(40).default(3),
    /** Instance class of the copies; omitted: the source's. */
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class such as db.t4g.medium')
      .optional(),
    /** Parameter group of the copies; omitted: `default.postgres<major>` of the snapshot's engine. */
    parameterGroupName: z.string().min(1).optional(),
    /** Availability zones of the isolated network, in the primary region (at least two, for a DB subnet group); omitted: `<primary>a` and `<primary>b` (synth does no AZ lookup). */
    availabilityZones: z
      .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must be an availability zone such as us-east-1a'))
      .min(2, 'needs at least two availability zones (a DB subnet group spans two)')
      .optional(),
    /** Address range of the isolated network. */
    cidr: z
      .string()
      .regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-8])$/, 'must be an IPv4 CIDR from /16 to /28')
      .default('10.213.0.0/24'),
    /** Whether `rds-db:connect` carries the owner-tag condition (see the nag acknowledgement before turning it off). */
    connectTagCondition: z.boolean().default(true),
  })
  .strict()
  .prefault({});

const polling = z
  .object({
    /** Seconds between polls of an RDS status. */
    rdsPollSeconds: positiveInt.default(30),
    /** Seconds between polls while waiting for a deletion. */
    deletePollSeconds: positiveInt.default(30),
    /** Most minutes to wait for a deletion to finish. */
    maxDeleteWaitMinutes: positiveInt.default(60),
    /** Most hours to wait for a cross-region replica to be built. */
    maxReplicaBuildHours: positiveInt.default(12),
    /** Most minutes to wait for a replica promotion. */
    maxPromotionMinutes: positiveInt.default(30),
    /**
     * Most minutes a point-in-time recovery waits for its copy to become available. Passing the scenario's RTO is
     * measured (a FAIL), not a reason to stop; this bound must stay below `timeouts.workflowMinutes.pointInTimeRecovery`.
     */
    maxRestoreMinutes: positiveInt.default(180),
  })
  .strict()
  .prefault({});

const timeouts = z
  .object({
    /** Timeout of a Lambda task. */
    lambdaTaskSeconds: positiveInt.max(900, 'must be at most 900 (the Lambda limit)').default(300),
    /** Timeout of an SDK-integration task. */
    sdkTaskSeconds: positiveInt.default(60),
    /** Timeout of each workflow, by workflow. */
    workflowMinutes: z
      .object({
        janitor: positiveInt.default(120),
        backupVerification: positiveInt.default(60),
        snapshotRestoreTest: positiveInt.default(240),
        /** One database's snapshot restore test (a child of snapshotRestoreTest). */
        snapshotRestoreTestDb: positiveInt.default(180),
        dumpRestoreTest: positiveInt.default(360),
        pointInTimeRecovery: positiveInt.default(240),
        regionalFailover: positiveInt.default(240),
        failoverDrill: positiveInt.default(900),
        databaseFailover: positiveInt.default(120),
        /** The hourly replication check: below its interval, so runs never overlap. */
        replicationCheck: positiveInt.default(30),
        /** The daily posture check. */
        postureCheck: positiveInt.default(60),
        /** The daily failover readiness check: every call it makes is bounded in seconds. */
        failoverReadiness: positiveInt.default(30),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const fleet = z
  .object({
    /**
     * Targets one Lambda call of the replication and posture checks examines (statemachines/check-fleet.ts): calls
     * in a batch are shared (one GetMetricData of up to 500 queries, one DescribeDBInstances filtered by id).
     */
    batchSize: positiveInt
      .max(100, 'must be at most 100 (a DescribeDBInstances filter takes at most 100 ids)')
      .default(25),
    /** Lambda calls (targets or batches) a fleet check runs at once, the weekly verification's included. */
    maxConcurrency: positiveInt.max(40, 'must be at most 40: higher only adds throttling').default(5),
  })
  .strict()
  .prefault({});

const schedules = z
  .object({
    backupVerification: schedule.default('cron(0 6 ? * MON *)'),
    replicationCheck: schedule.default('rate(1 hour)'),
    consistencyCheck: schedule.default('rate(1 hour)'),
    posture: schedule.default('cron(0 7 * * ? *)'),
    readiness: schedule.default('cron(30 7 * * ? *)'),
    snapshotRestoreTest: schedule.default('cron(0 5 1 * ? *)'),
    dumpRestoreTest: schedule.default('cron(0 8 1 * ? *)'),
    failoverDrill: schedule.default('cron(0 14 ? 1,4,7,10 TUE#2 *)'),
    prober: schedule.default('rate(1 minute)'),
    freshness: schedule.default('cron(0 9 * * ? *)'),
    janitor: schedule.default('cron(0 4 * * ? *)'),
  })
  .strict()
  .prefault({});

const approver = z.object({ arn: iamArn, role: z.enum(['manager', 'director']) }).strict();

const dnsControl = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('arc'),
      /** The ARC cluster's regional endpoints, tried in turn. */
      clusterEndpoints: z
        .array(z.object({ region, url: httpsUrl }).strict())
        .min(1, 'needs at least one cluster endpoint'),
      /** Routing control that sends traffic to the recovery region when ON. */
      recoveryRoutingControlArn: routingControlArn,
      /** Routing control that sends traffic to the primary region when ON. */
      primaryRoutingControlArn: routingControlArn,
    })
    .strict(),
  z
    .object({
      kind: z.literal('healthCheckAlarm'),
      /** Alarm in the recovery region that a Route 53 health check watches; driven with PutMetricData. */
      alarmName: z.string().min(1).max(255, "must be at most 255 characters (CloudWatch's alarm-name limit)"),
      metricNamespace: z
        .string()
        .min(1)
        .refine(
          (ns) => !ns.startsWith('AWS/'),
          'must not start with "AWS/": CloudWatch keeps that prefix for AWS services, and PutMetricData refuses it',
        )
        .default('EntmootDR/Failover'),
      metricName: z.string().min(1).default('PrimaryRegionActive'),
      /**
       * Whether the recovery stack creates the alarm and the Route 53 health check on it. False: both exist already,
       * and readiness cannot verify the health check's settings without us-east-1 (a WARN, unverified).
       */
      createdByStack: z.boolean().default(true),
    })
    .strict(),
]);

/** A DNS name as the plan gives it: labels of letters, digits and hyphens, no trailing dot. */
const hostName = z
  .string()
  .max(253, 'must be at most 253 characters (the DNS limit)')
  .regex(
    /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$/,
    'must be a DNS name such as api.example.com (no trailing dot, no wildcard)',
  );

/** The record shape, shown to whoever still writes the old string form. */
const RECORD_EXAMPLE =
  '{ "name": "api.example.com", "primaryTarget": "<primary load balancer DNS name>", "recoveryTarget": "<recovery load balancer DNS name>" }';

const dnsRecord = z.preprocess(
  (value, ctx) => {
    if (typeof value !== 'string') return value;
    ctx.addIssue({
      code: 'custom',
      message: `a record is now an object naming where it points in each region: write ${RECORD_EXAMPLE.replace('api.example.com', value)}`,
      input: value,
    });
    return z.NEVER;
  },
  z
    .object({
      /** The record that clients resolve, in `dns.zoneName`. */
      name: hostName,
      /** What the record points at while the primary region serves: a CNAME's target or an alias's target name. */
      primaryTarget: hostName,
      /** What it points at after a regional failover. */
      recoveryTarget: hostName,
    })
    .strict(),
);

const dns = z
  .object({
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{4,32}$/, 'must be a Route 53 hosted zone id (Z…)')
      .default('Z00000000000000000000'),
    zoneName: z.string().min(1).default('example.com'),
    /**
     * The records a regional failover moves, each with its target in either region. Failover readiness asks the
     * zone's name servers for each and expects `primaryTarget`.
     */
    records: z
      .array(dnsRecord)
      .min(1)
      .default([
        { name: 'api.example.com', primaryTarget: 'api-primary.example.com', recoveryTarget: 'api-dr.example.com' },
      ]),
    control: dnsControl.default({
      kind: 'healthCheckAlarm',
      alarmName: 'edr-primary-region-active',
      metricNamespace: 'EntmootDR/Failover',
      metricName: 'PrimaryRegionActive',
      createdByStack: true,
    }),
  })
  .strict()
  .superRefine((dns, ctx) => {
    const zone = dns.zoneName.toLowerCase().replace(/\.$/, '');
    dns.records.forEach((record, i) => {
      const name = record.name.toLowerCase();
      if (name !== zone && !name.endsWith(`.${zone}`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['records', i, 'name'],
          message: `"${record.name}" is not in dns.zoneName ${dns.zoneName}: its name servers could not answer for it`,
        });
      }
      if (record.primaryTarget.toLowerCase() === record.recoveryTarget.toLowerCase()) {
        ctx.addIssue({
          code: 'custom',
          path: ['records', i, 'recoveryTarget'],
          message: `must differ from primaryTarget (both "${record.recoveryTarget}"): a failover would change nothing`,
        });
      }
    });
  })
  .prefault({});

/** Storage classes the posture check counts as archive (Glacier): ranged reads and restores of the last two fail. */
const GLACIER_CLASSES = ['GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'] as const;

/** The daily posture check: what the live setup must show beyond the plan's backup settings. */
const posture = z
  .object({
    /** A database whose `LatestRestorableTime` is older than this is a WARN (older than the region-failure RPO, a FAIL). */
    latestRestorableWarnMinutes: positiveInt.default(10),
    /** Lifecycle each bucket role must show (the seed plan's object storage: versions 30 days, Glacier at 30, gone at 365). */
    buckets: z
      .object({
        files: z
          .object({
            /** Days noncurrent versions are kept (`NoncurrentVersionExpiration`). */
            noncurrentVersionDays: positiveInt.default(30),
            /** Days after which current objects move to a Glacier class. */
            archiveAfterDays: positiveInt.default(30),
            /** Storage classes that count as the archive. */
            archiveStorageClasses: z
              .array(
                z.enum(GLACIER_CLASSES, { error: `must be a Glacier storage class: ${GLACIER_CLASSES.join(', ')}` }),
              )
              .min(1)
              .default([...GLACIER_CLASSES]),
            /** Days after which current objects expire. */
            expireAfterDays: positiveInt.default(365),
          })
          .strict()
          .prefault({}),
        backups: z
          .object({
            /**
             * Days after which backups expire; omitted: `backups.retentionDays`. Expiring sooner than
             * `backups.retentionDays` is always a FAIL.
             */
            expireAfterDays: positiveInt.optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const WORKFLOWS = [
  'databaseFailover',
  'regionalFailover',
  'pointInTimeRecovery',
  'backupVerification',
  'snapshotRestoreTest',
] as const;

/** The DR plan schema. Parse with `parsePlan`, never directly, to get readable errors. */
export const drPlanSchema = z
  .object({
    /** AWS account the stacks deploy to (an example until set). */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .default('000000000000'),
    system: z
      .object({
        /** Prefix of every physical name the system creates: `<prefix>-<purpose>-<source>-<yyyymmddhhmm>`. */
        namePrefix: z
          .string()
          .regex(/^[a-z][a-z0-9]{1,9}$/, 'must be 2-10 lower-case letters or digits, starting with a letter')
          .default('edr'),
        /** Prefix of the tag keys `<prefix>:owner`, `<prefix>:execution`, `<prefix>:lifecycle`. */
        tagPrefix: z
          .string()
          .regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be lower-case letters, digits, hyphens')
          .default('entmoot-dr'),
        primaryStackName: stackName.default('EntmootDrPrimary'),
        recoveryStackName: stackName.default('EntmootDrRecovery'),
        /** Service name used in notifications. */
        serviceName: z.string().min(1).default('Entmoot API'),
      })
      .strict()
      .prefault({}),
    regions: z
      .object({ primary: region.default('us-east-1'), recovery: region.default('us-west-2') })
      .strict()
      .prefault({}),
    recoveryTargets,
    backups,
    databases: z
      .array(database)
      .min(1, 'needs at least one database')
      .prefault([
        {
          id: 'entmoot-prod',
          replica: 'entmoot-prod-replica',
          drReplica: 'entmoot-prod-dr-replica',
          backupBucket: 'entmoot-prod-backups',
          network: { primary: exampleNetwork('us-east-1'), recovery: exampleNetwork('us-west-2') },
        },
      ]),
    buckets: z.array(bucket).prefault([
      { name: 'entmoot-prod-files', role: 'files', drBucket: 'entmoot-prod-files-us-west-2' },
      { name: 'entmoot-prod-backups', role: 'backups' },
    ]),
    restoreTest,
    polling,
    timeouts,
    fleet,
    janitor: z
      .object({
        /** An ephemeral resource whose run is over is removed once older than this. */
        minAgeHours: positiveInt.default(24),
        /** Emergency snapshots (lifecycle `rotating`) kept per database. */
        keepEmergencySnapshots: positiveInt.default(5),
      })
      .strict()
      .prefault({}),
    evidence: z
      .object({
        retentionDays: positiveInt.default(400),
        objectLock: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    workload: z
      .object({
        consistency: z
          .object({
            /** Largest relative row-count difference between primary and replica, in percent. */
            rowCountTolerancePercent: nonNegative.default(1),
            /** Largest replica lag accepted, in seconds. */
            maxReplicaLagSeconds: positiveInt.default(300),
          })
          .strict()
          .prefault({}),
        dumpRestore: z
          .object({
            /** Databases restored at once by the dump restore test (one Fargate task each). */
            maxConcurrent: positiveInt.max(40).default(1),
            /**
             * Minutes one restore task may run: the runner ends itself at this deadline (exit 3), and the workflow's
             * task waits this long plus a margin. At least the `restoreFromBackup` RTO, so a slow restore is
             * measured as too slow rather than cut off.
             */
            deadlineMinutes: positiveInt.max(1440).default(120),
            cpu: z
              .union([z.literal(1024), z.literal(2048), z.literal(4096), z.literal(8192), z.literal(16384)])
              .default(2048),
            memoryMiB: positiveInt.default(8192),
            /** The task's disk: the dump file and the throwaway server's data both live there. */
            ephemeralStorageGiB: positiveInt
              .min(21, 'must be at least 21 (Fargate’s smallest ephemeral storage)')
              .max(200, 'must be at most 200 (Fargate’s largest ephemeral storage)')
              .default(100),
            /** PostgreSQL major of the dumps (the restore task's client must be at least this). */
            postgresMajor: positiveInt.min(12).max(18).default(15),
            /**
             * Extensions that exist only on RDS: pg_restore's errors about them (CREATE EXTENSION, COMMENT ON
             * EXTENSION, their objects) are WARNs of the dump restore test, never a bad backup.
             */
            ignorableExtensions: z
              .array(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be an extension name such as aws_s3'))
              .default(['aws_commons', 'aws_s3', 'aws_lambda', 'rds_tools']),
          })
          .strict()
          .prefault({}),
        prober: z
          .object({
            /** Whether the region prober may start a regional failover on its own (approvals still apply). */
            mayStartFailover: z.boolean().default(false),
            /** Consecutive failed probes before the region is considered down. */
            failureThreshold: positiveInt.default(3),
          })
          .strict()
          .prefault({}),
        databaseFailover: z
          .object({
            /** Whether the follow-up may recreate the in-region replica. */
            recreateReplica: z.boolean().default(false),
          })
          .strict()
          .prefault({}),
        /** Failover drill: stop when the source's replication slot lag passes this many bytes. */
        drillMaxSlotLagBytes: positiveInt.default(5_000_000_000),
      })
      .strict()
      .prefault({}),
    schedules,
    freshness: z
      .object({
        /** Hours added to a job's interval before it is overdue. */
        graceHours: positiveInt.default(6),
      })
      .strict()
      .prefault({}),
    notifications: z
      .object({
        emails: z.array(email).default(['oncall@example.com']),
        slack: z
          .object({
            workspaceId: z.string().regex(/^[A-Z0-9]{9,}$/, 'must be a Slack workspace (team) id such as T0123ABCD'),
            channelId: z.string().regex(/^[A-Z0-9]{9,}$/, 'must be a Slack channel id such as C0123ABCD'),
          })
          .strict()
          .optional(),
        /** The template's last line: who to ask. */
        contact: z.string().min(1).default('#incidents on Slack, oncall@example.com'),
        /** Minutes until the next update promised in a notification. */
        nextUpdateMinutes: positiveInt.default(30),
      })
      .strict()
      .prefault({}),
    approvals: z
      .object({
        /** How long an approval request stays open: the gate's task timeout, below its workflow's timeout. */
        timeoutMinutes: positiveInt.default(60),
      })
      .strict()
      .prefault({}),
    approvers: z.array(approver).default([
      { arn: 'arn:aws:iam::000000000000:role/example-dr-manager', role: 'manager' },
      { arn: 'arn:aws:iam::000000000000:role/example-dr-director', role: 'director' },
    ]),
    dns,
    health: z
      .object({
        url: httpsUrl.default('https://api-dr.example.com/health'),
        /** Secrets Manager secret (name) holding the health endpoint's bearer token. */
        tokenSecretName: z.string().min(1).default('entmoot/token'),
      })
      .strict()
      .prefault({}),
    /** CloudWatch alarms that start a workflow through the alarm router. */
    alarmWorkflows: z
      .array(
        z
          .object({ alarmName: z.string().min(1), workflow: z.enum(WORKFLOWS), database: rdsIdentifier.optional() })
          .strict(),
      )
      .default([]),
    application: z
      .object({
        autoScalingGroupName: z.string().min(1).optional(),
        ecsService: z
          .object({ cluster: z.string().min(1), service: z.string().min(1) })
          .strict()
          .optional(),
        /** ElastiCache replication groups whose automatic failover and Multi-AZ the posture check reads. */
        cacheReplicationGroupIds: z.array(z.string().min(1)).default([]),
        /**
         * Replaced by `cacheReplicationGroupIds` (automatic failover and Multi-AZ are settings of a replication
         * group, not of a cluster); accepted here only so that synth can name the new field.
         */
        cacheClusterIds: z.unknown().optional(),
        /** Fewest healthy instances (ASG `InService` and `Healthy`) or running tasks (ECS, not `UNHEALTHY`). */
        minHealthyInstances: positiveInt.default(3),
        /** Fewest availability zones those instances or tasks must span. */
        minAvailabilityZones: positiveInt.default(2),
        /** Application alarms whose actions the drill disables and re-enables. */
        drillMutedAlarms: z
          .array(z.string().min(1))
          .default(['entmoot-api-cpu-high', 'entmoot-db-cpu-high', 'entmoot-api-errors-high']),
      })
      .strict()
      .superRefine((application, ctx) => {
        if (application.cacheClusterIds !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['cacheClusterIds'],
            message:
              'was replaced by application.cacheReplicationGroupIds: list the replication group ids there (automatic failover and Multi-AZ are replication-group settings) and remove cacheClusterIds',
          });
        }
      })
      .prefault({}),
    posture,
  })
  .strict()
  .superRefine((plan, ctx) => {
    if (plan.regions.primary === plan.regions.recovery) {
      ctx.addIssue({ code: 'custom', path: ['regions', 'recovery'], message: 'must differ from regions.primary' });
    }
    refuseWhatAwsWould(plan, ctx);
    const longest = Math.max(...Object.values(plan.timeouts.workflowMinutes));
    if (plan.janitor.minAgeHours * 60 <= longest) {
      ctx.addIssue({
        code: 'custom',
        path: ['janitor', 'minAgeHours'],
        message: `must be longer than the longest workflow timeout (${longest} minutes): set at least ${Math.floor(longest / 60) + 1}`,
      });
    }
    if (plan.polling.maxRestoreMinutes >= plan.timeouts.workflowMinutes.pointInTimeRecovery) {
      ctx.addIssue({
        code: 'custom',
        path: ['polling', 'maxRestoreMinutes'],
        message: `must be below timeouts.workflowMinutes.pointInTimeRecovery (${plan.timeouts.workflowMinutes.pointInTimeRecovery}), which also covers validation and the report: lower it or raise that timeout`,
      });
    }
    plan.restoreTest.availabilityZones?.forEach((az, i) => {
      if (!az.startsWith(plan.regions.primary))
        ctx.addIssue({
          code: 'custom',
          path: ['restoreTest', 'availabilityZones', i],
          message: `"${az}" is not in the primary region ${plan.regions.primary}: name zones such as ${plan.regions.primary}a`,
        });
    });
    refuseOverlappingRuns(plan, ctx);
    const rounds = Math.ceil(plan.databases.length / plan.restoreTest.maxConcurrent);
    const needed = rounds * plan.timeouts.workflowMinutes.snapshotRestoreTestDb;
    if (plan.timeouts.workflowMinutes.snapshotRestoreTest < needed) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeouts', 'workflowMinutes', 'snapshotRestoreTest'],
        message: `must be at least ${needed} (${rounds} rounds of ${plan.restoreTest.maxConcurrent} databases × snapshotRestoreTestDb ${plan.timeouts.workflowMinutes.snapshotRestoreTestDb} minutes): raise it or restoreTest.maxConcurrent`,
      });
    }
    const dump = plan.workload.dumpRestore;
    const rto = plan.recoveryTargets.restoreFromBackup.rtoMinutes;
    if (dump.deadlineMinutes < rto) {
      ctx.addIssue({
        code: 'custom',
        path: ['workload', 'dumpRestore', 'deadlineMinutes'],
        message: `must be at least the restoreFromBackup RTO (${rto} minutes), so a slow restore is measured, not cut off (got ${dump.deadlineMinutes})`,
      });
    }
    const dumped = plan.databases.filter((db) => db.backupBucket).length;
    const dumpRounds = Math.ceil(dumped / dump.maxConcurrent);
    const perTask = dump.deadlineMinutes + DUMP_RESTORE_TASK_MARGIN_MINUTES;
    if (plan.timeouts.workflowMinutes.dumpRestoreTest < dumpRounds * perTask) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeouts', 'workflowMinutes', 'dumpRestoreTest'],
        message: `must be at least ${dumpRounds * perTask} (${dumpRounds} rounds of ${dump.maxConcurrent} databases × (workload.dumpRestore.deadlineMinutes ${dump.deadlineMinutes} + ${DUMP_RESTORE_TASK_MARGIN_MINUTES} minutes to start and stop a task)): raise it or workload.dumpRestore.maxConcurrent`,
      });
    }
    const ids = new Map<string, string>();
    plan.databases.forEach((db, i) => {
      for (const [field, id] of [
        ['id', db.id],
        ['replica', db.replica],
        ['drReplica', db.drReplica],
      ] as const) {
        if (!id) continue;
        if (id.toLowerCase().startsWith(`${plan.system.namePrefix}-`)) {
          ctx.addIssue({
            code: 'custom',
            path: ['databases', i, field],
            message: `"${id}" starts with "${plan.system.namePrefix}-", the system.namePrefix of what this system creates (its IAM grants creation and deletion under that prefix): rename the instance in the plan or change system.namePrefix`,
          });
        }
        const seen = ids.get(id);
        if (seen) {
          ctx.addIssue({
            code: 'custom',
            path: ['databases', i, field],
            message: `"${id}" is already used by ${seen}: every instance id must be unique`,
          });
        }
        ids.set(id, `databases[${i}].${field}`);
      }
      if (db.backupBucket && !plan.buckets.some((b) => b.name === db.backupBucket && b.role === 'backups')) {
        ctx.addIssue({
          code: 'custom',
          path: ['databases', i, 'backupBucket'],
          message: `"${db.backupBucket}" must be listed in buckets with role "backups"`,
        });
      }
    });
    const backupsExpiry = plan.posture.buckets.backups.expireAfterDays;
    if (backupsExpiry !== undefined && backupsExpiry < plan.backups.retentionDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['posture', 'buckets', 'backups', 'expireAfterDays'],
        message: `must be at least backups.retentionDays (${plan.backups.retentionDays}): backups that expire sooner break the retention the plan promises`,
      });
    }
    const names = new Set<string>();
    plan.buckets.forEach((b, i) => {
      if (b.replicationPrefix !== undefined && !b.drBucket) {
        ctx.addIssue({
          code: 'custom',
          path: ['buckets', i, 'replicationPrefix'],
          message: 'applies only to a replicated bucket: set drBucket too, or remove replicationPrefix',
        });
      }
      if (names.has(b.name))
        ctx.addIssue({ code: 'custom', path: ['buckets', i, 'name'], message: `"${b.name}" is listed twice` });
      names.add(b.name);
    });
    const queryNames = new Set<string>();
    plan.backups.validationQueries.forEach((q, i) => {
      if (queryNames.has(q.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['backups', 'validationQueries', i, 'name'],
          message: `"${q.name}" is used twice`,
        });
      }
      queryNames.add(q.name);
    });
    for (const role of ['manager', 'director'] as const) {
      if (!plan.approvers.some((a) => a.role === role)) {
        ctx.addIssue({
          code: 'custom',
          path: ['approvers'],
          message: `needs at least one approver with role "${role}" (a regional failover needs both)`,
        });
      }
    }
    plan.alarmWorkflows.forEach((a, i) => {
      if (a.database && !plan.databases.some((db) => db.id === a.database)) {
        ctx.addIssue({
          code: 'custom',
          path: ['alarmWorkflows', i, 'database'],
          message: `"${a.database}" is not one of the plan's databases`,
        });
      }
    });
  });

/** The parts of a parsed plan that `refuseWhatAwsWould` reads (structural, so the schema's type is not circular). */
interface AwsCheckedPlan extends JanitorBoundPlan {
  readonly system: { readonly primaryStackName: string; readonly recoveryStackName: string };
  readonly regions: { readonly primary: string; readonly recovery: string };
  readonly databases: readonly {
    readonly network: Record<'primary' | 'recovery', { readonly availabilityZones: readonly string[] }>;
  }[];
  readonly approvers: readonly { readonly arn: string; readonly role: string }[];
  readonly notifications: { readonly emails: readonly string[]; readonly slack?: unknown };
  readonly workload: { readonly dumpRestore: { readonly cpu: number; readonly memoryMiB: number } };
}

/** Scheduled jobs whose whole run must end before the next starts: schedule field and timeout field. */
const NON_OVERLAPPING_JOBS = [
  ['replicationCheck', 'replicationCheck'],
  ['posture', 'postureCheck'],
  ['readiness', 'failoverReadiness'],
] as const;

/**
 * A job whose timeout reaches its interval would overlap the next run: two replication checks comparing and
 * announcing the same hour. Refused, naming both fields.
 */
function refuseOverlappingRuns(
  plan: {
    readonly schedules: Record<(typeof NON_OVERLAPPING_JOBS)[number][0], string>;
    readonly timeouts: { readonly workflowMinutes: Record<(typeof NON_OVERLAPPING_JOBS)[number][1], number> };
  },
  ctx: z.RefinementCtx,
): void {
  for (const [job, timeout] of NON_OVERLAPPING_JOBS) {
    const expression = plan.schedules[job];
    if (scheduleProblem(expression)) continue; // reported on its own field
    const intervalMinutes = Math.round(intervalHoursOf(expression) * 60);
    const minutes = plan.timeouts.workflowMinutes[timeout];
    if (minutes >= intervalMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeouts', 'workflowMinutes', timeout],
        message: `must be below the interval of schedules.${job} "${expression}" (${intervalMinutes} minutes), or runs overlap: set at most ${intervalMinutes - 1} (got ${minutes})`,
      });
    }
  }
}

/** Cross-field rules AWS would enforce at deploy (or that would make a deployed plan misbehave). */
function refuseWhatAwsWould(plan: AwsCheckedPlan, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const { primaryStackName, recoveryStackName } = plan.system;
  if (primaryStackName.toLowerCase() === recoveryStackName.toLowerCase()) {
    issue(
      ['system', 'recoveryStackName'],
      `must differ from system.primaryStackName (both "${recoveryStackName}"): the two stacks are deployed side by side`,
    );
  }
  plan.databases.forEach((db, i) => {
    for (const role of ['primary', 'recovery'] as const) {
      const region = plan.regions[role];
      // An unknown region is reported once, on its own field.
      if (!AWS_REGIONS.includes(region)) continue;
      db.network[role].availabilityZones.forEach((az, k) => {
        if (!new RegExp(`^${region}[a-z]$`).test(az)) {
          issue(
            ['databases', i, 'network', role, 'availabilityZones', k],
            `must be an availability zone of regions.${role} ${region}, such as ${region}a (got "${az}")`,
          );
        }
      });
    }
  });
  const roleOf = new Map<string, string>();
  plan.approvers.forEach((a, i) => {
    const seen = roleOf.get(a.arn);
    if (seen && seen !== a.role) {
      issue(
        ['approvers', i, 'role'],
        `${a.arn} is already a ${seen}: one principal cannot be both manager and director (a failover needs two people)`,
      );
    }
    if (!seen) roleOf.set(a.arn, a.role);
  });
  const { emails, slack } = plan.notifications;
  if (emails.length === 0 && !slack) {
    issue(['notifications'], 'needs at least one e-mail address or a Slack channel: every report must reach a person');
  }
  const addresses = new Set<string>();
  emails.forEach((email, i) => {
    const key = email.toLowerCase();
    if (addresses.has(key)) {
      issue(
        ['notifications', 'emails', i],
        `"${email}" is listed twice (addresses ignore case): list each subscriber once`,
      );
    }
    addresses.add(key);
  });
  if (removalsPerRun(plan) < 1) {
    issue(
      ['timeouts', 'workflowMinutes', 'janitor'],
      `must leave room for one wave of removals (each may take up to polling.maxDeleteWaitMinutes and its delete retries): set at least ${minimumJanitorMinutes(plan)} (got ${plan.timeouts.workflowMinutes.janitor})`,
    );
  }
  const { cpu, memoryMiB } = plan.workload.dumpRestore;
  const fargate = fargateProblem(cpu, memoryMiB);
  if (fargate) issue(['workload', 'dumpRestore', 'memoryMiB'], `${fargate} (got ${memoryMiB})`);
}

/** The validated DR plan, every default filled in. */
export type DrPlan = z.output<typeof drPlanSchema>;
/** A DR plan as a user writes it: every field optional where a default exists. */
export type DrPlanInput = z.input<typeof drPlanSchema>;
/** One database of the plan. */
export type PlanDatabase = DrPlan['databases'][number];
/** One bucket of the plan. */
export type PlanBucket = DrPlan['buckets'][number];
/** One validation query of the plan. */
type ValidationQuery = DrPlan['backups']['validationQueries'][number];
/** What a validation query's value must satisfy. */
export type ValidationExpectation = NonNullable<ValidationQuery['expect']>;

/** A plan that failed validation; `issues` are one line each, naming the field path and what is expected. */
export class PlanError extends Error {
  constructor(public readonly issues: string[]) {
    super(`The DR plan is invalid:\n${issues.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'PlanError';
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`),
    'plan',
  );
}

/** What a person reads for a value given: strings quoted, numbers as they are, other JSON by its kind. */
function given(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (typeof input === 'string') return `"${input}"`;
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  return input === null ? 'null' : Array.isArray(input) ? 'a list' : 'an object';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = pathText(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
    case 'invalid_type':
      if (issue.expected === 'int') return `${where}: must be a whole number (got ${given(issue.input)})`;
      return `${where}: expected ${issue.expected}, got ${issue.input === undefined ? 'nothing' : Array.isArray(issue.input) ? 'array' : issue.input === null ? 'null' : typeof issue.input}`;
    case 'invalid_union': {
      const union = issue as { discriminator?: string; options?: unknown[]; input?: unknown };
      if (union.discriminator && union.options) {
        const kind = (union.input as Record<string, unknown> | undefined)?.[union.discriminator];
        return `${where}: must be one of ${union.options.map((o) => `"${String(o)}"`).join(', ')} (got ${given(kind)})`;
      }
      return `${where}: ${issue.message}: check the "kind" field and its companions`;
    }
    default:
      return `${where}: ${issue.message}${'input' in issue && (typeof issue.input === 'string' || typeof issue.input === 'number') ? ` (got ${given(issue.input)})` : ''}`;
  }
}

/** Validates a plan (as written by a user) and fills in defaults; throws `PlanError` naming each bad field. */
export function parsePlan(input: unknown): DrPlan {
  const result = drPlanSchema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) throw new PlanError(result.error.issues.map(describeIssue));
  return result.data;
}

/** The seed plan's values, with example values for what the seed plan does not give. */
export function defaultPlan(): DrPlan {
  return parsePlan({});
}

const EXAMPLE_PATTERNS: RegExp[] = [
  /example\.(com|org|net)\b/,
  /\b(vpc|subnet|sg)-0{8,}\d?\b/,
  /::0{12}:/,
  /^0{12}$/,
  /^Z0{10,}$/,
  /example-dr-/,
];

/** Paths of fields whose value is still one of the obviously fake examples (for synth warnings). */
export function exampleValuePaths(plan: DrPlan): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      if (EXAMPLE_PATTERNS.some((p) => p.test(value))) found.push(pathText(path));
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, [...path, i]);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    }
  };
  walk(plan, []);
  return found;
}
