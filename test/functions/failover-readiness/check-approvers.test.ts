import { checkApprovers } from '../../../functions/failover-readiness/check-approvers';
import type { DrPlan } from '../../../lib/plan';
import { configuredPlan } from '../../support/plans';

describe('checkApprovers', () => {
  it('lists the managers and directors of the bundled plan', () => {
    const plan = configuredPlan();

    const [result] = checkApprovers(plan);

    const managers = plan.approvers.filter((a) => a.role === 'manager').map((a) => a.arn);
    const directors = plan.approvers.filter((a) => a.role === 'director').map((a) => a.arn);
    expect(result).toEqual({
      check: 'approvers',
      target: 'approvers',
      status: 'PASS',
      observed: plan.approvers.length,
      threshold: 'a manager and a director',
      detail: `a regional failover can be approved by managers: ${managers.join(', ')}; directors: ${directors.join(', ')}; confirm they can sign in without us-east-1`,
    });
  });

  it('fails when a plan that bypassed synth has no director', () => {
    const plan = configuredPlan();
    const managersOnly: DrPlan = { ...plan, approvers: plan.approvers.filter((a) => a.role === 'manager') };

    const [result] = checkApprovers(managersOnly);

    expect(result?.status).toBe('FAIL');
    expect(result?.detail).toMatch(/^no director can approve a regional failover/);
  });
});
