import { buildEvidence, notificationFor } from '../../../functions/report/evidence';
import type { CheckResult } from '../../../functions/shared/check-result';
import { publishedBytes, SNS_PUBLISH_LIMIT_BYTES } from '../../../functions/shared/notification';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const EVIDENCE = 's3://edr-evidence/runs/backup-verification/2025/11/10/weekly.json';

/** A fleet's weekly report: `n` results, the first `failing` of them FAIL, each with a realistic detail. */
function fleetResults(n: number, failing: number): CheckResult[] {
  return Array.from({ length: n }, (_, i) => ({
    check: 'snapshot-age',
    target: `entmoot-prod-${String(i).padStart(4, '0')}`,
    status: i < failing ? 'FAIL' : 'PASS',
    observed: i < failing ? 30 : 3,
    threshold: 24,
    detail: `newest available snapshot rds:entmoot-prod-${i}-2025-11-10-03-00 (automated) of entmoot-prod-${i} was taken 2025-11-10T03:00:00.000Z, 3 hours ago: within 24 hours ${'·'.repeat(40)}`,
  }));
}

function render(results: CheckResult[]) {
  const descriptor = {
    workflow: 'backup-verification',
    title: 'Weekly backup verification',
    scenario: 'restoreFromBackup' as const,
    policy: 'always' as const,
  };
  const record = buildEvidence({
    descriptor,
    execution: { Id: 'arn:x', Name: 'weekly', StartTime: '2025-11-10T06:00:00.000Z' },
    state: { results },
    steps: [],
    endedAt: new Date('2025-11-10T06:20:00Z'),
    reportedBy: 'workflow',
  });
  return notificationFor(record, descriptor, plan, EVIDENCE);
}

describe('a report of 2,000 results', () => {
  it('fits SNS Publish’s 262,144 bytes, subject included', () => {
    const rendered = render(fleetResults(2_000, 0));

    expect(publishedBytes(rendered)).toBeLessThanOrEqual(SNS_PUBLISH_LIMIT_BYTES);
  });

  it('lists the failures in full, counts the passes and points to the evidence for the rest', () => {
    const results = fleetResults(2_000, 3);

    const { text } = render(results);

    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('FAIL '))).toEqual(
      results.slice(0, 3).map((r) => `FAIL snapshot-age ${r.target}: ${r.detail}`),
    );
    expect(lines.filter((l) => l.startsWith('PASS '))).toEqual([]);
    expect(lines).toContain('2000 checks: 3 failed, 0 warned, 1997 passed.');
    expect(lines).toContain(`… and 1997 more: ${EVIDENCE}`);
  });

  it('stays within the budget when every one of them fails', () => {
    const rendered = render(fleetResults(2_000, 2_000));

    expect(publishedBytes(rendered)).toBeLessThanOrEqual(SNS_PUBLISH_LIMIT_BYTES);
    expect(rendered.text).toContain(`more: ${EVIDENCE}`);
  });
});
