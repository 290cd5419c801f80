import { buildEvidence, notificationFor } from '../../../functions/report/evidence';
import type { CheckResult } from '../../../functions/shared/check-result';
import { FAILOVER_READINESS_DESCRIPTOR } from '../../../lib/failover-readiness';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const EVIDENCE = 's3://edr-evidence/runs/failover-readiness/daily.json';
const result = (check: string, target: string, status: CheckResult['status']): CheckResult => ({
  check,
  target,
  status,
  observed: null,
  threshold: null,
  detail: `${check} ${status}`,
});

function subject(results: CheckResult[], ended?: 'TIMED_OUT', descriptor = FAILOVER_READINESS_DESCRIPTOR): string {
  const record = buildEvidence({
    descriptor,
    execution: { Id: 'arn:x', Name: 'daily', StartTime: '2026-12-01T07:30:00.000Z' },
    state: { results },
    steps: [],
    endedAt: new Date('2026-12-01T07:31:00Z'),
    reportedBy: ended ? 'status-change-reporter' : 'workflow',
    ended,
  });
  return notificationFor(record, descriptor, plan, EVIDENCE).subject;
}

describe('a report whose descriptor has a fail headline', () => {
  it('leads with it and the first failing check, in the checks’ order, at the scenario’s priority', () => {
    const results = [
      result('dr-replica-promotable', 'entmoot-prod-dr-replica', 'WARN'),
      result('dns-control', 'edr-primary-region-active', 'FAIL'),
      result('dns-answers', 'api.entmoot.io', 'FAIL'),
    ];

    expect(subject(results)).toMatch(
      /^\[HIGH\] NOT READY to fail over: dns-control edr-primary-region-active \(EDR-20261201-[0-9a-f]{4}\)$/,
    );
  });

  it('names how a run without results ended', () => {
    expect(subject([], 'TIMED_OUT')).toMatch(/^\[HIGH\] NOT READY to fail over: Failover readiness timed out \(/);
  });

  it('keeps the usual headline when nothing failed, and for workflows without one', () => {
    const warned = [result('primary-reachability', 'lb:443', 'WARN')];
    expect(subject(warned)).toMatch(/^\[MEDIUM\] Failover readiness passed with warnings/);

    const failed = [result('dns-control', 'edr-primary-region-active', 'FAIL')];
    const { failHeadline: _, ...plain } = FAILOVER_READINESS_DESCRIPTOR;
    expect(subject(failed, undefined, plain)).toMatch(/^\[HIGH\] Failover readiness failed/);
  });
});
