/**
 * Readiness check 5: who can approve a regional failover, from the bundled plan. Synth refuses a plan without a
 * manager and a director; no IAM call is made (IAM is homed in us-east-1), so whether those principals still exist
 * and can sign in without us-east-1 is for people to confirm: the result lists them.
 */
import type { DrPlan } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';

const ROLES = ['manager', 'director'] as const;

/** One result listing the approvers by role; FAIL when a role has none (a plan that bypassed synth). */
export function checkApprovers(plan: DrPlan): CheckResult[] {
  const byRole = (role: string) => plan.approvers.filter((a) => a.role === role).map((a) => a.arn);
  const missing = ROLES.filter((role) => byRole(role).length === 0);
  const listing = ROLES.map((role) => `${role}s: ${byRole(role).join(', ') || 'none'}`).join('; ');
  return [
    {
      check: 'approvers',
      target: 'approvers',
      status: missing.length ? 'FAIL' : 'PASS',
      observed: plan.approvers.length,
      threshold: 'a manager and a director',
      detail: missing.length
        ? `no ${missing.join(' and no ')} can approve a regional failover (${listing}): add one to approvers and deploy`
        : `a regional failover can be approved by ${listing}; confirm they can sign in without us-east-1`,
    },
  ];
}
