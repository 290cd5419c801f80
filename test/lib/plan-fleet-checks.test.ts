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

describe('the plan’s fleet and check timeouts', () => {
  it('checks 25 targets per Lambda call, 5 calls at once, and gives the replication and posture checks 30 and 60 minutes', () => {
    const plan = defaultPlan();

    expect(plan.fleet).toEqual({ batchSize: 25, maxConcurrency: 5 });
    expect([plan.timeouts.workflowMinutes.replicationCheck, plan.timeouts.workflowMinutes.postureCheck]).toEqual([
      30, 60,
    ]);
  });

  it('refuses an hourly job’s timeout at its interval, naming the field, the schedule and the most allowed', () => {
    expect(issuesOf({ timeouts: { workflowMinutes: { replicationCheck: 60 } } })).toEqual([
      'plan.timeouts.workflowMinutes.replicationCheck: must be below the interval of schedules.replicationCheck "rate(1 hour)" (60 minutes), or runs overlap: set at most 59 (got 60)',
    ]);
  });

  it('accepts a timeout one minute below the interval, and holds the posture check to its own schedule', () => {
    expect(
      parsePlan({ timeouts: { workflowMinutes: { replicationCheck: 59 } } }).timeouts.workflowMinutes,
    ).toMatchObject({
      replicationCheck: 59,
    });
    expect(
      issuesOf({ schedules: { posture: 'rate(30 minutes)' }, timeouts: { workflowMinutes: { postureCheck: 45 } } }),
    ).toEqual([
      'plan.timeouts.workflowMinutes.postureCheck: must be below the interval of schedules.posture "rate(30 minutes)" (30 minutes), or runs overlap: set at most 29 (got 45)',
    ]);
  });

  it('refuses a batch larger than a DescribeDBInstances filter takes', () => {
    expect(issuesOf({ fleet: { batchSize: 101 } })).toEqual([
      'plan.fleet.batchSize: must be at most 100 (a DescribeDBInstances filter takes at most 100 ids) (got 101)',
    ]);
  });
});
