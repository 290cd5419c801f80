import { POSTURE_CHECKS, POSTURE_CHECKS_BY_KIND, postureTargets } from '../../../functions/posture-check/targets';
import { defaultPlan, parsePlan } from '../../../lib/plan';

describe('postureTargets', () => {
  it('lists the seed plan’s database and both buckets, and no application (the seed names none)', () => {
    expect(postureTargets(defaultPlan())).toEqual([
      { kind: 'database', id: 'entmoot-prod' },
      { kind: 'bucket', bucket: 'entmoot-prod-files' },
      { kind: 'bucket', bucket: 'entmoot-prod-backups' },
    ]);
  });

  it.each([
    ['an Auto Scaling group', { autoScalingGroupName: 'entmoot-api' }],
    ['an ECS service', { ecsService: { cluster: 'entmoot', service: 'api' } }],
    ['cache replication groups', { cacheReplicationGroupIds: ['entmoot-cache'] }],
  ])('adds the application once when the plan names %s', (_, application) => {
    const targets = postureTargets(parsePlan({ application }));

    expect(targets.filter((t) => t.kind === 'application')).toEqual([{ kind: 'application' }]);
    expect(targets.at(-1)).toEqual({ kind: 'application' });
  });
});

describe('POSTURE_CHECKS', () => {
  it('holds every check of every kind once', () => {
    const all = Object.values(POSTURE_CHECKS_BY_KIND).flat();
    expect([...POSTURE_CHECKS].sort()).toEqual([...new Set(all)].sort());
    expect(POSTURE_CHECKS).toHaveLength(all.length);
  });
});
