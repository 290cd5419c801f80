import { defaultPlan, parsePlan, PlanError } from '../../lib/plan';

function issuesOf(input: unknown): string[] {
  try {
    parsePlan(input);
  } catch (error) {
    if (error instanceof PlanError) return error.issues;
    throw error;
  }
  throw new Error('expected the plan to be rejected');
}

const FILES = { name: 'entmoot-prod-files', role: 'files', drBucket: 'entmoot-prod-files-us-west-2' } as const;
const BACKUPS = { name: 'entmoot-prod-backups', role: 'backups' } as const;

describe('the replication and posture fields of the default plan', () => {
  const plan = defaultPlan();

  it('requires the whole bucket to be replicated and RDS to keep the dailies', () => {
    expect(plan.buckets.map((b) => b.replicationPrefix)).toEqual([undefined, undefined]);
    expect(plan.databases[0].dailyBackupsBy).toBeUndefined();
  });

  it('holds the seed plan’s object storage lifecycle: versions 30 days, Glacier at 30, expiry at 365', () => {
    expect(plan.posture).toEqual({
      latestRestorableWarnMinutes: 10,
      buckets: {
        files: {
          noncurrentVersionDays: 30,
          archiveAfterDays: 30,
          archiveStorageClasses: ['GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'],
          expireAfterDays: 365,
        },
        backups: {},
      },
    });
  });

  it('asks for three healthy instances in two zones and names no cache group', () => {
    expect(plan.application).toMatchObject({
      cacheReplicationGroupIds: [],
      minHealthyInstances: 3,
      minAvailabilityZones: 2,
    });
    expect(plan.application.cacheClusterIds).toBeUndefined();
  });
});

describe('a plan with the replication and posture fields set', () => {
  it('keeps a replication prefix, AWS Backup dailies and cache replication groups', () => {
    const plan = parsePlan({
      buckets: [{ ...FILES, replicationPrefix: 'uploads/' }, BACKUPS],
      databases: [{ id: 'entmoot-prod', dailyBackupsBy: 'awsBackup' }],
      application: { cacheReplicationGroupIds: ['entmoot-cache'], minHealthyInstances: 4 },
      posture: { buckets: { backups: { expireAfterDays: 35 } } },
    });

    expect(plan.buckets[0].replicationPrefix).toBe('uploads/');
    expect(plan.databases[0].dailyBackupsBy).toBe('awsBackup');
    expect(plan.application.cacheReplicationGroupIds).toEqual(['entmoot-cache']);
    expect(plan.application.minHealthyInstances).toBe(4);
    expect(plan.posture.buckets.backups.expireAfterDays).toBe(35);
  });
});

describe('a plan the replication and posture fields refuse', () => {
  it.each<[string, unknown, string]>([
    [
      'the old cacheClusterIds',
      { application: { cacheClusterIds: ['entmoot-cache-001'] } },
      'plan.application.cacheClusterIds: was replaced by application.cacheReplicationGroupIds: list the replication group ids there (automatic failover and Multi-AZ are replication-group settings) and remove cacheClusterIds',
    ],
    [
      'a replication prefix on a bucket that is not replicated',
      { buckets: [FILES, { ...BACKUPS, replicationPrefix: 'daily/' }] },
      'plan.buckets[1].replicationPrefix: applies only to a replicated bucket: set drBucket too, or remove replicationPrefix',
    ],
    [
      'an empty replication prefix',
      { buckets: [{ ...FILES, replicationPrefix: '' }, BACKUPS] },
      'plan.buckets[0].replicationPrefix: must not be empty: omit it to require the whole bucket (got "")',
    ],
    [
      'backups that expire before the retention the plan promises',
      { posture: { buckets: { backups: { expireAfterDays: 29 } } } },
      'plan.posture.buckets.backups.expireAfterDays: must be at least backups.retentionDays (30): backups that expire sooner break the retention the plan promises',
    ],
    [
      'an unknown daily-backup owner',
      { databases: [{ id: 'entmoot-prod', dailyBackupsBy: 'cron' }] },
      'plan.databases[0].dailyBackupsBy: must be "awsBackup" (an AWS Backup plan keeps the dailies) or omitted (RDS keeps them) (got "cron")',
    ],
    [
      'an archive class that is not Glacier',
      { posture: { buckets: { files: { archiveStorageClasses: ['STANDARD_IA'] } } } },
      'plan.posture.buckets.files.archiveStorageClasses[0]: must be a Glacier storage class: GLACIER_IR, GLACIER, DEEP_ARCHIVE (got "STANDARD_IA")',
    ],
  ])('refuses %s, naming the field and the fix', (_, input, line) => {
    expect(issuesOf(input)).toContain(line);
  });

  it('accepts backups kept exactly as long as the retention', () => {
    expect(parsePlan({ posture: { buckets: { backups: { expireAfterDays: 30 } } } }).posture.buckets.backups).toEqual({
      expireAfterDays: 30,
    });
  });
});
