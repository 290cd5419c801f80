/**
 * Readiness check 3: what the zone's own name servers answer for each record the failover moves, asked directly
 * (functions/shared/authoritative-dns.ts). Ready: every server answers authoritatively with `primaryTarget`.
 *
 * Verdict per record, over the name servers' addresses (P answering the primary, D answering something else,
 * S silent, not authoritative or failing):
 * - all P: PASS;
 * - no P: FAIL, by what the others answer (the recovery target: "already failed over"; anything else, named), or
 *   "no name server answered" when none did;
 * - P more than D: WARN naming each server that disagreed or did not answer (Route 53 takes up to a minute to
 *   bring every server to a change; a lost server is not a lost zone);
 * - otherwise FAIL, by the others' answer: a zone split down the middle is not ready to be flipped.
 */
import type { DrPlan } from '../../lib/plan';
import {
  askNameServers,
  type AuthoritativeDnsDeps,
  describeAnswer,
  discoverNameServers,
  type NameServer,
  pointsAt,
  resolveTarget,
  type ResolvedTarget,
  type ServerAnswer,
} from '../shared/authoritative-dns';
import type { CheckResult } from '../shared/check-result';

const CHECK = 'dns-answers';

type PlanRecord = DrPlan['dns']['records'][number];

const serverName = (s: NameServer) => `${s.name} (${s.address})`;

type Verdict = 'primary' | 'recovery' | 'other' | 'none';

function verdictOf(answer: ServerAnswer, primary: ResolvedTarget, recovery: ResolvedTarget): Verdict {
  if (answer.kind !== 'answer') return 'none';
  if (pointsAt(answer, primary, recovery)) return 'primary';
  if (pointsAt(answer, recovery, primary)) return 'recovery';
  return 'other';
}

/** A note when a target resolves to no address: then only a CNAME can be recognised as pointing at it. */
function unresolvedTargets(primary: ResolvedTarget, recovery: ResolvedTarget): string {
  const none = [primary, recovery].filter((t) => t.addresses.length === 0).map((t) => t.name);
  return none.length ? ` (${none.join(' and ')} resolved to no address, so an alias to it cannot be recognised)` : '';
}

function judgeRecord(
  record: PlanRecord,
  answers: readonly ServerAnswer[],
  unresolved: readonly string[],
  primary: ResolvedTarget,
  recovery: ResolvedTarget,
): CheckResult {
  const base = { check: CHECK, target: record.name, threshold: record.primaryTarget };
  const judged = answers.map((answer) => ({ answer, verdict: verdictOf(answer, primary, recovery) }));
  const agreeing = judged.filter((j) => j.verdict === 'primary');
  const disagreeing = judged.filter((j) => j.verdict === 'recovery' || j.verdict === 'other');
  const silent = judged.filter((j) => j.verdict === 'none');
  const offLine = [
    ...disagreeing.map((j) => `${serverName(j.answer.server)} answered ${describeAnswer(j.answer)}`),
    ...silent.map((j) => `${serverName(j.answer.server)}: ${describeAnswer(j.answer)}`),
    ...unresolved.map((name) => `${name} has no IPv4 address`),
  ];
  const total = answers.length + unresolved.length;
  const primaryAnswer = agreeing[0] ? describeAnswer(agreeing[0].answer) : null;
  if (primaryAnswer && agreeing.length === answers.length && unresolved.length === 0) {
    const observed = primaryAnswer;
    return {
      ...base,
      status: 'PASS',
      observed,
      detail: `all ${total} name servers answer authoritatively ${observed}, the primary target`,
    };
  }
  if (primaryAnswer && agreeing.length > disagreeing.length) {
    return {
      ...base,
      status: 'WARN',
      observed: primaryAnswer,
      detail: `${agreeing.length} of ${total} name servers answer the primary target; ${offLine.join('; ')}`,
    };
  }
  if (disagreeing.length === 0) {
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      detail: `no name server of the zone answered authoritatively for ${record.name}: ${offLine.join('; ')}`,
    };
  }
  // The answer most of the disagreeing servers give names the failure.
  const recoveryCount = disagreeing.filter((j) => j.verdict === 'recovery').length;
  if (recoveryCount * 2 >= disagreeing.length) {
    return {
      ...base,
      status: 'FAIL',
      observed: record.recoveryTarget,
      detail: `already failed over: ${recoveryCount} of ${total} name servers answer the recovery target ${record.recoveryTarget}${agreeing.length ? ` (${agreeing.length} still the primary)` : ''}; ${offLine.join('; ')}`,
    };
  }
  const other = disagreeing.find((j) => j.verdict === 'other');
  return {
    ...base,
    status: 'FAIL',
    observed: other ? describeAnswer(other.answer) : null,
    detail: `${record.name} points at neither target: ${offLine.join('; ')}; expected ${record.primaryTarget}${unresolvedTargets(primary, recovery)}`,
  };
}

/** Asks the zone's name servers for each of `plan.dns.records`; one result per record. */
export async function checkDnsAnswers(plan: DrPlan, deps: AuthoritativeDnsDeps): Promise<CheckResult[]> {
  const { zoneName, records } = plan.dns;
  const discovery = await discoverNameServers(zoneName, deps);
  if (!discovery.ok) {
    return records.map((record) => ({
      check: CHECK,
      target: record.name,
      status: 'FAIL',
      observed: null,
      threshold: record.primaryTarget,
      detail: `cannot find the name servers of ${zoneName}: ${discovery.reason}; check dns.zoneName and the function's DNS resolution`,
    }));
  }
  return Promise.all(
    records.map(async (record) => {
      const [answers, primary, recovery] = await Promise.all([
        askNameServers(discovery.servers, record.name, deps),
        resolveTarget(record.primaryTarget, deps.resolver),
        resolveTarget(record.recoveryTarget, deps.resolver),
      ]);
      return judgeRecord(record, answers, discovery.unresolved, primary, recovery);
    }),
  );
}
