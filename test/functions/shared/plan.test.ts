import { bundledPlan } from '../../../functions/shared/plan';
import { seedPlan } from '../../support/plans';

describe('bundledPlan', () => {
  it('reads the plan compiled into the bundle', () => {
    process.env.EDR_PLAN = JSON.stringify(seedPlan());
    expect(bundledPlan().databases[0]?.id).toBe('entmoot-prod');
    delete process.env.EDR_PLAN;
  });
});
