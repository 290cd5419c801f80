/**
 * Failover readiness for one batch of the fleet fragment: could we fail over to the recovery region right now,
 * without the primary region? Every call targets the recovery region, an ARC cluster endpoint, the zone's name
 * servers, or (informational) the primary targets over TCP: never IAM, never Route 53's API, nothing homed in the
 * primary region (DESIGN §8), so the answer holds during the very outage it is for.
 */
import type { DrPlan } from '../../lib/plan';
import type { AuthoritativeDnsDeps } from '../shared/authoritative-dns';
import type { CheckResult } from '../shared/check-result';
import { InvalidInputError } from '../shared/errors';
import { checkApprovers } from './check-approvers';
import { checkDnsAnswers } from './check-dns-answers';
import { checkDnsControl, type DnsControlDeps } from './check-dns-control';
import { checkDrReplicas, type DrReplicaDeps } from './check-dr-replica';
import { checkPrimaryReachability, type ReachabilityDeps } from './check-primary-reachability';
import { checkTokenSecret, type TokenSecretDeps } from './check-token-secret';
import type { ReadinessTarget } from './targets';

/** Everything the checks need, each dependency once. */
export interface ReadinessDeps extends DrReplicaDeps, DnsControlDeps, TokenSecretDeps {
  /** The zone's name servers, asked directly. */
  readonly dns: AuthoritativeDnsDeps;
  /** The TCP probe of the primary targets. */
  readonly reachability: ReachabilityDeps;
}

/** Checks 2–6, each read once: the DNS control, the DNS answers, the token secret, the approvers, the primary. */
async function checkFailoverPath(plan: DrPlan, deps: ReadinessDeps): Promise<CheckResult[]> {
  const [control, answers, secret, reachability] = await Promise.all([
    checkDnsControl(plan, deps),
    checkDnsAnswers(plan, deps.dns),
    checkTokenSecret(plan, deps),
    checkPrimaryReachability(plan, deps.reachability),
  ]);
  return [...control, ...answers, ...secret, ...checkApprovers(plan), ...reachability];
}

/**
 * Checks a batch: DR replicas (check 1) or the failover path (checks 2–6). A target of another kind is refused
 * before any call (`InvalidInputError`); a denied permission is a FAIL naming the IAM action; persistent throttling
 * throws `ThrottledError` (the fragment retries the batch, then counts its checks as failed).
 */
export async function checkReadinessBatch(
  targets: readonly ReadinessTarget[],
  plan: DrPlan,
  deps: ReadinessDeps,
): Promise<CheckResult[]> {
  if (!Array.isArray(targets)) {
    throw new InvalidInputError('targets must be a list of { kind: "drReplica", id } or { kind: "failoverPath" }');
  }
  const replicas: string[] = [];
  let path = false;
  for (const target of targets) {
    if (target?.kind === 'drReplica') {
      if (!replicas.includes(target.id)) replicas.push(target.id);
    } else if (target?.kind === 'failoverPath') {
      path = true;
    } else {
      throw new InvalidInputError(
        `kind must be drReplica or failoverPath (got ${JSON.stringify((target as { kind?: unknown })?.kind)})`,
      );
    }
  }
  const [replicaResults, pathResults] = await Promise.all([
    checkDrReplicas(replicas, plan, deps),
    path ? checkFailoverPath(plan, deps) : [],
  ]);
  return [...replicaResults, ...pathResults];
}
