import {
  REPLICATION_CHECKS,
  REPLICATION_CHECKS_BY_KIND,
  replicationTargets,
} from '../../../functions/replication-check/targets';
import { defaultPlan, parsePlan } from '../../../lib/plan';

describe('replicationTargets', () => {
  it('lists the seed plan’s replicated files bucket and its database with replicas', () => {
    expect(replicationTargets(defaultPlan())).toEqual([
      { kind: 'bucket', bucket: 'entmoot-prod-files' },
      { kind: 'database', id: 'entmoot-prod' },
    ]);
  });

  it('leaves out buckets without a DR bucket and databases without any replica', () => {
    const plan = parsePlan({
      databases: [{ id: 'alpha' }, { id: 'beta', drReplica: 'beta-dr' }, { id: 'gamma', replica: 'gamma-replica' }],
      buckets: [
        { name: 'alpha-backups', role: 'backups' },
        { name: 'beta-files', role: 'files', drBucket: 'beta-files-dr' },
      ],
    });

    expect(replicationTargets(plan)).toEqual([
      { kind: 'bucket', bucket: 'beta-files' },
      { kind: 'database', id: 'beta' },
      { kind: 'database', id: 'gamma' },
    ]);
  });
});

describe('REPLICATION_CHECKS', () => {
  it('holds every check of every kind once', () => {
    const all = [...REPLICATION_CHECKS_BY_KIND.bucket, ...REPLICATION_CHECKS_BY_KIND.database];
    expect([...REPLICATION_CHECKS].sort()).toEqual([...new Set(all)].sort());
    expect(REPLICATION_CHECKS).toHaveLength(all.length);
  });
});
