/**
 * Failover readiness's targets and the checks each kind of target runs. Side-effect-free (no SDK client is loaded),
 * so lib/ and statemachines/ import it at synth time.
 */
import type { DrPlan } from '../../lib/plan';

/**
 * One target of the readiness check: a database's DR replica (check 1, in batches through the fleet fragment), or
 * the failover path as a whole (checks 2–6: DNS control, DNS answers, token secret, approvers, primary reachability),
 * one target, read once per run.
 */
export type ReadinessTarget = { kind: 'drReplica'; id: string } | { kind: 'failoverPath' };

/**
 * The checks each kind of target runs: a target whose batch crashes counts as failed on each of them.
 * - `dr-replica-promotable`: the DR replica exists in the recovery region, is `available`, replicates from the
 *   plan's source, has IAM database authentication on, and lags within the region-failure RPO (WARN past half).
 * - `dns-control`: the routing controls (primary On, recovery Off) or the health check's alarm (not in ALARM, and
 *   as Route 53 can watch it).
 * - `dns-answers`: the zone's authoritative name servers answer each record with its primary target.
 * - `token-secret`: the health token's secret is in the recovery region with a current version.
 * - `approvers`: a manager and a director can approve.
 * - `primary-reachability`: informational; the primary targets accept TCP on 443 (never a FAIL).
 */
export const READINESS_CHECKS_BY_KIND = {
  drReplica: ['dr-replica-promotable'],
  failoverPath: ['dns-control', 'dns-answers', 'token-secret', 'approvers', 'primary-reachability'],
} as const satisfies Record<ReadinessTarget['kind'], readonly string[]>;

/**
 * Every target: each database's DR replica first (check 1 leads the report), then the failover path. Databases
 * without a DR replica have nothing to fail over to and are left out.
 */
export function readinessTargets(plan: DrPlan): ReadinessTarget[] {
  const targets: ReadinessTarget[] = plan.databases.flatMap((db) =>
    db.drReplica ? [{ kind: 'drReplica' as const, id: db.id }] : [],
  );
  targets.push({ kind: 'failoverPath' });
  return targets;
}
