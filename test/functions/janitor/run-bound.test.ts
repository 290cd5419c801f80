import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { findLeftovers } from '../../../functions/janitor/find-leftovers';
import {
  JANITOR_CONCURRENCY,
  janitorOverheadSeconds,
  removalsPerRun,
  removalWorstSeconds,
} from '../../../functions/janitor/run-bound';
import { parsePlan } from '../../../lib/plan';
import { configuredPlan } from '../../support/plans';

describe('removalsPerRun', () => {
  it.each([
    ['the default plan', {}],
    ['a long janitor timeout', { timeouts: { workflowMinutes: { janitor: 600 } } }],
    ['short delete waits', { polling: { maxDeleteWaitMinutes: 10, deletePollSeconds: 20 } }],
  ])('starts only what ends inside the timeout, in waves of the Map’s concurrency, for %s', (_, input) => {
    const plan = parsePlan(input);

    const removals = removalsPerRun(plan);

    const waves = removals / JANITOR_CONCURRENCY;
    expect(Number.isInteger(waves) && waves >= 1).toBe(true);
    expect(janitorOverheadSeconds(plan) + waves * removalWorstSeconds(plan)).toBeLessThanOrEqual(
      plan.timeouts.workflowMinutes.janitor * 60,
    );
    expect(janitorOverheadSeconds(plan) + (waves + 1) * removalWorstSeconds(plan)).toBeGreaterThan(
      plan.timeouts.workflowMinutes.janitor * 60,
    );
  });
});

describe('findLeftovers with more leftovers than a run may remove', () => {
  const rds = mockClient(RDSClient);
  afterEach(() => rds.reset());

  it('removes the oldest first and names what waits for the next run in one WARN', async () => {
    // Prepare: 12 ephemeral leftovers, 48 to 59 hours old; the default plan's run removes 5.
    const plan = configuredPlan();
    const now = new Date('2025-11-10T04:00:00Z');
    const leftovers = Array.from({ length: 12 }, (_, i) => ({
      DBInstanceIdentifier: `edr-restore-${String(i).padStart(2, '0')}`,
      DBInstanceStatus: 'available',
      InstanceCreateTime: new Date(now.getTime() - (48 + i) * 3_600_000),
      TagList: [
        { Key: 'entmoot-dr:owner', Value: 'EntmootDrPrimary' },
        { Key: 'entmoot-dr:lifecycle', Value: 'ephemeral' },
        { Key: 'entmoot-dr:execution', Value: 'old-run' },
      ],
    }));
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: leftovers });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });

    // Act
    const result = await findLeftovers({ ownerStack: 'EntmootDrPrimary' }, plan, {
      rds: new RDSClient({ region: 'us-east-1' }),
      runningExecutions: async () => new Set(),
      now: () => now,
    });

    // Assess
    expect(removalsPerRun(plan)).toBe(5);
    expect(result.remove.map((r) => r.id)).toEqual([
      'edr-restore-11',
      'edr-restore-10',
      'edr-restore-09',
      'edr-restore-08',
      'edr-restore-07',
    ]);
    expect(result.deferred).toEqual([
      {
        check: 'janitor-deferred',
        target: 'leftovers',
        status: 'WARN',
        observed: 7,
        threshold: 5,
        detail:
          '7 leftovers wait for the next run (a run removes at most 5 within its timeout): edr-restore-06, edr-restore-05, edr-restore-04, edr-restore-03, edr-restore-02, edr-restore-01, edr-restore-00',
      },
    ]);
  });
});
