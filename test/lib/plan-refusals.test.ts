import { parsePlan, PlanError } from '../../lib/plan';
import { examplePlanInput } from '../support/plans';

/** The plan's error lines for an input (the example plan with `overrides`), or [] when it is accepted. */
function linesFor(overrides: Record<string, unknown>): string[] {
  try {
    parsePlan({ ...examplePlanInput(), ...overrides });
    return [];
  } catch (error) {
    if (error instanceof PlanError) return error.issues;
    throw error;
  }
}

const exampleDb = () => (examplePlanInput().databases as Record<string, unknown>[])[0]!;
const ARC = (recovery: string) => ({
  dns: {
    control: {
      kind: 'arc',
      clusterEndpoints: [{ region: 'us-west-2', url: 'https://host-aaaaaa.us-west-2.example.com/v1' }],
      recoveryRoutingControlArn: recovery,
      primaryRoutingControlArn:
        'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef/routingcontrol/abcdef0123456789',
    },
  },
});
const BACKUPS = { name: 'entmoot-prod-backups', role: 'backups' };
const query = (sql: string) => ({ backups: { validationQueries: [{ name: 'q', sql }] } });
const QUERY_LINE = (rule: string, sql: string) =>
  `plan.backups.validationQueries[0].sql: must be a read-only SELECT (or WITH) query: ${rule} (got "${sql}")`;
const APPROVER =
  'must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name> or :user/<name>); not a group, an sts session or an ARN without its resource type';

describe('a plan AWS would refuse', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    [
      'a bucket name formatted as an IP address',
      { buckets: [BACKUPS, { name: '192.168.5.4', role: 'files' }] },
      ['plan.buckets[1].name: must be an S3 bucket name: must not be formatted as an IP address (got "192.168.5.4")'],
    ],
    [
      'a bucket name with two adjacent dots',
      { buckets: [BACKUPS, { name: 'entmoot..files', role: 'files' }] },
      ['plan.buckets[1].name: must be an S3 bucket name: must not hold two adjacent dots (got "entmoot..files")'],
    ],
    [
      'a bucket name with S3’s reserved prefix',
      { buckets: [BACKUPS, { name: 'xn--entmoot', role: 'files' }] },
      [
        'plan.buckets[1].name: must be an S3 bucket name: must not start with "xn--" (reserved by S3) (got "xn--entmoot")',
      ],
    ],
    [
      'a bucket name with an access-point alias suffix',
      { buckets: [BACKUPS, { name: 'entmoot-s3alias', role: 'files' }] },
      [
        'plan.buckets[1].name: must be an S3 bucket name: must not end with "-s3alias" (reserved by S3) (got "entmoot-s3alias")',
      ],
    ],
    [
      'a database name starting with an underscore',
      { databases: [{ ...exampleDb(), databaseName: '_entmoot' }] },
      [
        'plan.databases[0].databaseName: must be an RDS PostgreSQL database name: 1-63 letters, digits and underscores, starting with a letter (got "_entmoot")',
      ],
    ],
    [
      'a stack name CloudFormation would deploy under another name',
      { system: { primaryStackName: 'Entmoot_DR' } },
      [
        'plan.system.primaryStackName: must be a CloudFormation stack name: 1-128 letters, digits and hyphens, starting with a letter (got "Entmoot_DR")',
      ],
    ],
    [
      'a failover switch alarm name longer than CloudWatch allows',
      { dns: { ...examplePlanInput().dns, control: { kind: 'healthCheckAlarm', alarmName: 'a'.repeat(256) } } },
      [
        `plan.dns.control.alarmName: must be at most 255 characters (CloudWatch's alarm-name limit) (got "${'a'.repeat(256)}")`,
      ],
    ],
    [
      'a failover switch metric in a namespace reserved for AWS',
      {
        dns: {
          ...examplePlanInput().dns,
          control: { kind: 'healthCheckAlarm', alarmName: 'edr-primary-region-active', metricNamespace: 'AWS/Route53' },
        },
      },
      [
        'plan.dns.control.metricNamespace: must not start with "AWS/": CloudWatch keeps that prefix for AWS services, and PutMetricData refuses it (got "AWS/Route53")',
      ],
    ],
    [
      'the same stack name twice',
      { system: { primaryStackName: 'EntmootDr', recoveryStackName: 'entmootdr' } },
      [
        'plan.system.recoveryStackName: must differ from system.primaryStackName (both "entmootdr"): the two stacks are deployed side by side',
      ],
    ],
    [
      'a region that is not an AWS region',
      { regions: { primary: 'us-east-3', recovery: 'us-west-2' } },
      ['plan.regions.primary: must be an AWS region code such as us-east-1 (got "us-east-3")'],
    ],
    [
      'an availability zone of another region',
      {
        databases: [
          {
            ...exampleDb(),
            network: {
              ...(exampleDb().network as Record<string, unknown>),
              recovery: { ...(exampleDb().network as any).recovery, availabilityZones: ['us-west-2a', 'us-east-1b'] },
            },
          },
        ],
      },
      [
        'plan.databases[0].network.recovery.availabilityZones[1]: must be an availability zone of regions.recovery us-west-2, such as us-west-2a (got "us-east-1b")',
      ],
    ],
    [
      'an IAM group as approver',
      {
        approvers: [
          { arn: 'arn:aws:iam::123456789012:group/sre', role: 'manager' },
          ...(examplePlanInput().approvers as object[]).slice(1),
        ],
      },
      [`plan.approvers[0].arn: ${APPROVER} (got "arn:aws:iam::123456789012:group/sre")`],
    ],
    [
      'an sts session as approver',
      {
        approvers: [
          { arn: 'arn:aws:sts::123456789012:assumed-role/dr-manager/alice', role: 'manager' },
          ...(examplePlanInput().approvers as object[]).slice(1),
        ],
      },
      [`plan.approvers[0].arn: ${APPROVER} (got "arn:aws:sts::123456789012:assumed-role/dr-manager/alice")`],
    ],
    [
      'an approver ARN without its resource type',
      {
        approvers: [
          { arn: 'arn:aws:iam::123456789012:dr-manager', role: 'manager' },
          ...(examplePlanInput().approvers as object[]).slice(1),
        ],
      },
      [`plan.approvers[0].arn: ${APPROVER} (got "arn:aws:iam::123456789012:dr-manager")`],
    ],
    [
      'one principal as both manager and director',
      {
        approvers: [
          { arn: 'arn:aws:iam::123456789012:role/dr-approver', role: 'manager' },
          { arn: 'arn:aws:iam::123456789012:role/dr-approver', role: 'director' },
        ],
      },
      [
        'plan.approvers[1].role: arn:aws:iam::123456789012:role/dr-approver is already a manager: one principal cannot be both manager and director (a failover needs two people)',
      ],
    ],
    [
      'a KMS alias where a key is required',
      {
        buckets: [
          {
            name: 'entmoot-prod-backups',
            role: 'backups',
            kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/backups',
          },
        ],
      },
      [
        'plan.buckets[0].kmsKeyArn: must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); an alias cannot be used in key policies or grants (got "arn:aws:kms:us-east-1:123456789012:alias/backups")',
      ],
    ],
    [
      'an ARC control panel where a routing control is required',
      ARC('arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef'),
      [
        'plan.dns.control.recoveryRoutingControlArn: must be an ARC routing control ARN (…:controlpanel/<id>/routingcontrol/<id>), not a control panel or cluster (got "arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef")',
      ],
    ],
    [
      'a cron with both day fields set',
      { schedules: { posture: 'cron(0 7 1 * MON *)' } },
      [
        'plan.schedules.posture: must be an EventBridge schedule expression: exactly one of day-of-month and day-of-week must be ? (got "cron(0 7 1 * MON *)")',
      ],
    ],
    [
      'a cron at hour 25',
      { schedules: { janitor: 'cron(0 25 * * ? *)' } },
      [
        'plan.schedules.janitor: must be an EventBridge schedule expression: the hours value "25" is not supported: expected 0-23 (got "cron(0 25 * * ? *)")',
      ],
    ],
    [
      'a malformed rate',
      { schedules: { prober: 'rate(1 minutes)' } },
      [
        'plan.schedules.prober: must be an EventBridge schedule expression: EventBridge wants "minute" for a value of 1 and "minutes" otherwise (got "rate(1 minutes)")',
      ],
    ],
    [
      'no way to reach a person',
      { notifications: { emails: [], contact: '#incidents' } },
      ['plan.notifications: needs at least one e-mail address or a Slack channel: every report must reach a person'],
    ],
    [
      'the same e-mail twice',
      { notifications: { emails: ['sre@entmoot.io', 'SRE@entmoot.io'], contact: '#incidents' } },
      [
        'plan.notifications.emails[1]: "SRE@entmoot.io" is listed twice (addresses ignore case): list each subscriber once',
      ],
    ],
    [
      'a Fargate size Fargate does not offer',
      { workload: { dumpRestore: { cpu: 2048, memoryMiB: 2048 } } },
      [
        'plan.workload.dumpRestore.memoryMiB: must be a memory Fargate accepts with 2048 CPU units: 4096-16384 MiB in steps of 1024 (got 2048)',
      ],
    ],
    [
      'ephemeral storage beyond Fargate’s 200 GiB',
      { workload: { dumpRestore: { ephemeralStorageGiB: 201 } } },
      [
        'plan.workload.dumpRestore.ephemeralStorageGiB: must be at most 200 (Fargate’s largest ephemeral storage) (got 201)',
      ],
    ],
    [
      'a restore deadline shorter than the restore RTO',
      { workload: { dumpRestore: { deadlineMinutes: 59 } } },
      [
        'plan.workload.dumpRestore.deadlineMinutes: must be at least the restoreFromBackup RTO (60 minutes), so a slow restore is measured, not cut off (got 59)',
      ],
    ],
    [
      'a dump restore test whose tasks cannot all run within its workflow timeout',
      { workload: { dumpRestore: { deadlineMinutes: 180 } }, timeouts: { workflowMinutes: { dumpRestoreTest: 189 } } },
      [
        'plan.timeouts.workflowMinutes.dumpRestoreTest: must be at least 190 (1 rounds of 1 databases × (workload.dumpRestore.deadlineMinutes 180 + 10 minutes to start and stop a task)): raise it or workload.dumpRestore.maxConcurrent',
      ],
    ],
    [
      'two statements',
      query('SELECT 1; SELECT 2'),
      [QUERY_LINE('one statement only (a semicolon may only end it)', 'SELECT 1; SELECT 2')],
    ],
    [
      'a data-modifying WITH',
      query('WITH gone AS (DELETE FROM projects RETURNING id) SELECT count(*) FROM gone'),
      [
        QUERY_LINE(
          'no data-modifying statement (DELETE, also inside WITH)',
          'WITH gone AS (DELETE FROM projects RETURNING id) SELECT count(*) FROM gone',
        ),
      ],
    ],
    [
      'SELECT … INTO',
      query('SELECT * INTO copy_of FROM projects'),
      [QUERY_LINE('no SELECT … INTO (it creates a table)', 'SELECT * INTO copy_of FROM projects')],
    ],
    [
      'FOR UPDATE',
      query('SELECT id FROM projects FOR UPDATE'),
      [QUERY_LINE('no row locks (FOR UPDATE)', 'SELECT id FROM projects FOR UPDATE')],
    ],
    [
      'FOR SHARE',
      query('SELECT id FROM projects FOR  share'),
      [QUERY_LINE('no row locks (FOR SHARE)', 'SELECT id FROM projects FOR  share')],
    ],
    [
      'a function that acts',
      query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity'),
      [
        QUERY_LINE(
          'no pg_terminate_backend(), which acts instead of reading',
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity',
        ),
      ],
    ],
    [
      'dblink',
      query("SELECT * FROM dblink_exec('x', 'y')"),
      [QUERY_LINE('no dblink_exec(), which acts instead of reading', "SELECT * FROM dblink_exec('x', 'y')")],
    ],
    [
      'set_config',
      query("SELECT set_config('a', 'b', false)"),
      [QUERY_LINE('no set_config(), which acts instead of reading', "SELECT set_config('a', 'b', false)")],
    ],
    [
      'a large-object function',
      query('SELECT lo_unlink(42)'),
      [QUERY_LINE('no lo_unlink(), which acts instead of reading', 'SELECT lo_unlink(42)')],
    ],
    [
      'a whole number given a fraction',
      { backups: { verification: { maxAgeHours: 1.5 } } },
      ['plan.backups.verification.maxAgeHours: must be a whole number (got 1.5)'],
    ],
    [
      'a fraction given as a percentage',
      { backups: { verification: { warnAtFraction: 80 } } },
      ['plan.backups.verification.warnAtFraction: must be a fraction between 0 and 1, such as 0.8 (got 80)'],
    ],
    [
      'a DNS record in the old string form, showing the new one',
      { dns: { zoneName: 'entmoot.io', records: ['api.entmoot.io'] } },
      [
        'plan.dns.records[0]: a record is now an object naming where it points in each region: write { "name": "api.entmoot.io", "primaryTarget": "<primary load balancer DNS name>", "recoveryTarget": "<recovery load balancer DNS name>" } (got "api.entmoot.io")',
      ],
    ],
    [
      'a DNS record outside the zone',
      {
        dns: {
          zoneName: 'entmoot.io',
          records: [{ name: 'api.other.io', primaryTarget: 'a.elb.test', recoveryTarget: 'b.elb.test' }],
        },
      },
      [
        'plan.dns.records[0].name: "api.other.io" is not in dns.zoneName entmoot.io: its name servers could not answer for it',
      ],
    ],
    [
      'a DNS record with the same target in both regions',
      {
        dns: {
          zoneName: 'entmoot.io',
          records: [{ name: 'api.entmoot.io', primaryTarget: 'a.elb.test', recoveryTarget: 'A.elb.test' }],
        },
      },
      [
        'plan.dns.records[0].recoveryTarget: must differ from primaryTarget (both "A.elb.test"): a failover would change nothing',
      ],
    ],
    [
      'a DNS record target with a trailing dot',
      {
        dns: {
          zoneName: 'entmoot.io',
          records: [{ name: 'api.entmoot.io', primaryTarget: 'a.elb.test.', recoveryTarget: 'b.elb.test' }],
        },
      },
      [
        'plan.dns.records[0].primaryTarget: must be a DNS name such as api.example.com (no trailing dot, no wildcard) (got "a.elb.test.")',
      ],
    ],
    [
      'an unknown kind of DNS control',
      { dns: { control: { kind: 'route53' } } },
      ['plan.dns.control.kind: must be one of "arc", "healthCheckAlarm" (got "route53")'],
    ],
  ])('refuses %s with one line naming the field', (_, overrides, lines) => {
    expect(linesFor(overrides)).toEqual(lines);
  });
});

describe('a plan at the limits', () => {
  it('is accepted with 63-character identifiers, read-only WITH queries, comments and a trailing semicolon', () => {
    const id = `a${'b'.repeat(62)}`;
    const bucket = `b${'c'.repeat(61)}d`;
    const lines = linesFor({
      databases: [{ ...exampleDb(), id, backupBucket: bucket, databaseName: `e${'f'.repeat(62)}` }],
      buckets: [{ name: bucket, role: 'backups' }],
      system: { primaryStackName: `P${'x'.repeat(127)}`, recoveryStackName: 'EntmootDrRecovery' },
      backups: {
        validationQueries: [
          { name: 'with_query', sql: 'WITH recent AS (SELECT * FROM projects) SELECT count(*) FROM recent;' },
          {
            name: 'commented',
            sql: "-- FOR UPDATE; DELETE\nSELECT count(*) /* ; */ FROM projects WHERE name <> 'a;b';",
          },
          { name: 'constraints', sql: "SELECT count(*) FROM pg_constraint WHERE contype = 'f'" },
          { name: 'postgis', sql: 'SELECT postgis_version()' },
          { name: 'fresh', sql: "SELECT max(modified_at) > now() - interval '24 hours' FROM projects" },
          { name: 'updated_rows', sql: 'SELECT count(updated_at) AS last_update FROM projects' },
        ],
      },
    });

    expect(lines).toEqual([]);
  });
});

describe('a plan the point-in-time recovery would refuse', () => {
  it('refuses a plan instance named under the system prefix, which the recovery may create and delete', () => {
    const lines = linesFor({ databases: [{ ...exampleDb(), id: 'edr-pitr-orders' }] });

    expect(lines).toEqual([
      'plan.databases[0].id: "edr-pitr-orders" starts with "edr-", the system.namePrefix of what this system creates (its IAM grants creation and deletion under that prefix): rename the instance in the plan or change system.namePrefix',
    ]);
  });

  it('refuses a replica named under the system prefix too', () => {
    const lines = linesFor({ databases: [{ ...exampleDb(), drReplica: 'EDR-dr-copy' }] });

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^plan\.databases\[0\]\.drReplica: "EDR-dr-copy" starts with "edr-"/);
  });

  it('refuses a restore wait as long as the recovery workflow’s timeout, and accepts one minute less', () => {
    const at = (maxRestoreMinutes: number) =>
      linesFor({
        polling: { maxRestoreMinutes },
        timeouts: { workflowMinutes: { pointInTimeRecovery: 240 } },
      });

    expect(at(240)).toEqual([
      'plan.polling.maxRestoreMinutes: must be below timeouts.workflowMinutes.pointInTimeRecovery (240), which also covers validation and the report: lower it or raise that timeout',
    ]);
    expect(at(239)).toEqual([]);
  });
});
