import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPlan, exampleValuePaths, parsePlan, PlanError } from '../../lib/plan';
import { loadPlan } from '../../lib/plan-loader';
import { configuredPlan, EXAMPLE_PLAN_PATH } from '../support/plans';

function issuesOf(input: unknown): string[] {
  try {
    parsePlan(input);
  } catch (error) {
    if (error instanceof PlanError) return error.issues;
    throw error;
  }
  throw new Error('expected the plan to be rejected');
}

describe('the default plan', () => {
  const plan = defaultPlan();

  it('carries every row of the seed plan’s Recovery Targets table', () => {
    const rows = Object.fromEntries(
      Object.entries(plan.recoveryTargets).map(([k, t]) => [k, [t.rtoMinutes, t.rpoMinutes, t.priority]]),
    );
    expect(rows).toEqual({
      singleServerFailure: [5, 1, 'Critical'],
      azFailure: [15, 5, 'Critical'],
      databaseFailover: [10, 5, 'Critical'],
      regionFailure: [30, 15, 'High'],
      dataCorruption: [60, 0, 'High'],
      securityBreach: [120, 0, 'Critical'],
      cacheFailure: [3, 0, 'Medium'],
      storageBucketFailure: [30, 60, 'Medium'],
      restoreFromBackup: [60, 1440, 'High'],
    });
  });

  it('uses the seed plan’s backup schedule, retention and verification thresholds', () => {
    expect(plan.backups).toMatchObject({
      dailyBackupTimeUtc: '03:00',
      retentionDays: 30,
      pitrWindowDays: 7,
      verification: { maxAgeHours: 24, minBackupCount: 20, minDumpBytes: 100_000_000 },
      keyLayout: { latestDumpKey: 'latest.sql', prefix: '' },
      requiredTables: ['buildings', 'projects', 'optimizations'],
    });
    expect(plan.backups.validationQueries.map((q) => q.name)).toEqual(
      expect.arrayContaining(['building_count', 'project_count', 'optimization_count', 'error_count', 'index_count']),
    );
  });

  it('names the seed plan’s database, replicas, buckets and regions', () => {
    expect(plan.regions).toEqual({ primary: 'us-east-1', recovery: 'us-west-2' });
    expect(plan.databases).toEqual([
      expect.objectContaining({
        id: 'entmoot-prod',
        replica: 'entmoot-prod-replica',
        drReplica: 'entmoot-prod-dr-replica',
        backupBucket: 'entmoot-prod-backups',
      }),
    ]);
    expect(plan.buckets).toEqual([
      expect.objectContaining({ name: 'entmoot-prod-files', role: 'files', drBucket: 'entmoot-prod-files-us-west-2' }),
      expect.objectContaining({ name: 'entmoot-prod-backups', role: 'backups' }),
    ]);
  });

  it('refuses a janitor age equal to the longest workflow timeout, and accepts one hour more', () => {
    const longestMinutes = Math.max(...Object.values(plan.timeouts.workflowMinutes));
    const hours = longestMinutes / 60;
    expect(Number.isInteger(hours)).toBe(true);

    const refused = issuesOf({ janitor: { minAgeHours: hours } });
    const accepted = parsePlan({ janitor: { minAgeHours: hours + 1 } });

    expect(refused).toEqual([
      `plan.janitor.minAgeHours: must be longer than the longest workflow timeout (${longestMinutes} minutes): set at least ${hours + 1}`,
    ]);
    expect(accepted.janitor.minAgeHours).toBe(hours + 1);
  });

  it('measures the janitor age against whichever workflow timeout is longest', () => {
    const issues = issuesOf({ timeouts: { workflowMinutes: { dumpRestoreTest: 1500 } }, janitor: { minAgeHours: 24 } });

    expect(issues).toEqual([
      'plan.janitor.minAgeHours: must be longer than the longest workflow timeout (1500 minutes): set at least 26',
    ]);
  });

  it('lists every field still at an example value', () => {
    const paths = exampleValuePaths(plan);
    expect(paths).toEqual(
      expect.arrayContaining([
        'plan.account',
        'plan.databases[0].network.primary.vpcId',
        'plan.notifications.emails[0]',
        'plan.approvers[0].arn',
        'plan.dns.hostedZoneId',
        'plan.health.url',
      ]),
    );
    expect(paths).not.toContain('plan.regions.primary');
  });
});

describe('a configured plan', () => {
  it('has no example value left', () => {
    expect(exampleValuePaths(configuredPlan())).toEqual([]);
  });

  it('keeps defaults for what it does not set', () => {
    expect(configuredPlan().backups.verification.minBackupCount).toBe(20);
  });

  it('names each DNS record with its target in either region, and a health-check alarm the stack creates', () => {
    const { records, control } = configuredPlan().dns;

    expect(records).toEqual([
      {
        name: 'api.entmoot.io',
        primaryTarget: 'entmoot-api-1234567890.us-east-1.elb.amazonaws.com',
        recoveryTarget: 'entmoot-api-dr-0987654321.us-west-2.elb.amazonaws.com',
      },
    ]);
    expect(control).toEqual({
      kind: 'healthCheckAlarm',
      alarmName: 'edr-primary-region-active',
      metricNamespace: 'EntmootDR/Failover',
      metricName: 'PrimaryRegionActive',
      createdByStack: true,
    });
  });
});

describe('a bad plan', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'a database id that RDS refuses',
      { databases: [{ id: 'entmoot_prod' }] },
      /^plan\.databases\[0\]\.id: must be an RDS identifier/,
    ],
    [
      'a database id longer than 63 characters',
      { databases: [{ id: `a${'b'.repeat(63)}` }] },
      /^plan\.databases\[0\]\.id: must be at most 63 characters/,
    ],
    ['an unknown region', { regions: { primary: 'virginia' } }, /^plan\.regions\.primary: must be an AWS region code/],
    [
      'the same region twice',
      { regions: { primary: 'us-west-2', recovery: 'us-west-2' } },
      /^plan\.regions\.recovery: must differ from regions\.primary/,
    ],
    [
      'a negative backup count',
      { backups: { verification: { minBackupCount: -1 } } },
      /^plan\.backups\.verification\.minBackupCount: must be greater than 0/,
    ],
    ['a misspelt field', { backup: {} }, /^plan: unknown field "backup": remove it or check the spelling/],
    [
      'a malformed schedule',
      { schedules: { janitor: 'every day' } },
      /^plan\.schedules\.janitor: must be an EventBridge schedule expression/,
    ],
    [
      'a janitor age shorter than a workflow',
      { janitor: { minAgeHours: 2 } },
      /^plan\.janitor\.minAgeHours: must be longer than the longest workflow timeout \(900 minutes\): set at least 16/,
    ],
    [
      'an e-mail address without a domain',
      { notifications: { emails: ['oncall'] } },
      /^plan\.notifications\.emails\[0\]: must be an e-mail address/,
    ],
    ['databases given as a string', { databases: 'entmoot-prod' }, /^plan\.databases: expected array, got string/],
    [
      'a backup bucket not listed as a backups bucket',
      { databases: [{ id: 'entmoot-prod', backupBucket: 'other-backups' }] },
      /^plan\.databases\[0\]\.backupBucket: "other-backups" must be listed in buckets with role "backups"/,
    ],
    [
      'an instance id used twice',
      { databases: [{ id: 'entmoot-prod', replica: 'entmoot-prod' }] },
      /^plan\.databases\[0\]\.replica: "entmoot-prod" is already used by databases\[0\]\.id/,
    ],
    [
      'no director among the approvers',
      { approvers: [{ arn: 'arn:aws:iam::123456789012:role/m', role: 'manager' }] },
      /^plan\.approvers: needs at least one approver with role "director"/,
    ],
    [
      'an ARC control without endpoints',
      { dns: { control: { kind: 'arc' } } },
      /^plan\.dns\.control\.clusterEndpoints: expected array, got nothing/,
    ],
    [
      'a Lambda timeout beyond 15 minutes',
      { timeouts: { lambdaTaskSeconds: 1200 } },
      /^plan\.timeouts\.lambdaTaskSeconds: must be at most 900/,
    ],
    [
      'a validation query that writes',
      { backups: { validationQueries: [{ name: 'wipe', sql: 'DELETE FROM buildings' }] } },
      /^plan\.backups\.validationQueries\[0\]\.sql: must be a read-only SELECT/,
    ],
  ])('is rejected for %s, naming the field', (_, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.some((line) => expected.test(line))).toBe(true);
  });

  it('reports every bad field at once, one line each', () => {
    const issues = issuesOf({ regions: { primary: 'x' }, janitor: { keepEmergencySnapshots: 0 } });
    expect(issues).toHaveLength(2);
    expect(issues.join('\n')).toMatch(/plan\.regions\.primary[\s\S]*plan\.janitor\.keepEmergencySnapshots/);
  });
});

describe('loadPlan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edr-plan-'));

  it('reads the documented example plan', () => {
    expect(loadPlan(EXAMPLE_PLAN_PATH).account).toBe('123456789012');
  });

  it('uses the default plan without a path', () => {
    expect(loadPlan(undefined).databases[0]?.id).toBe('entmoot-prod');
  });

  it('names a file that is not JSON', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "account": ');
    expect(() => loadPlan(file)).toThrow(new RegExp(`plan file ${file} is not valid JSON`));
  });

  it('names a file that cannot be read', () => {
    expect(() => loadPlan(join(dir, 'missing.json'))).toThrow(
      /cannot be read \(ENOENT\): check the drPlan context value/,
    );
  });
});

describe('defaults inside arrays', () => {
  it('fill the default database’s own defaults', () => {
    expect(defaultPlan().databases[0]).toMatchObject({
      databaseName: 'entmoot',
      port: 5432,
      validatorUser: 'dr_validator',
    });
  });

  it('fill a user’s database entry with the same defaults', () => {
    const plan = parsePlan({ databases: [{ id: 'fleet-db-1' }] });
    expect(plan.databases[0]).toMatchObject({
      id: 'fleet-db-1',
      port: 5432,
      network: { primary: { vpcId: 'vpc-00000000000000000' } },
    });
  });
});
