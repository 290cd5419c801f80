/**
 * Benchmark of the notification's size: the weekly report of a fleet (2,000 results, a few failing) rendered as
 * the report step renders it, against SNS Publish's limit of 262,144 bytes (subject and message counted).
 */
import { buildEvidence, notificationFor } from '../functions/report/evidence';
import type { CheckResult } from '../functions/shared/check-result';
import { publishedBytes, SNS_PUBLISH_LIMIT_BYTES } from '../functions/shared/notification';
import { defaultPlan } from '../lib/plan';

/** The notification's bytes for `results` results of which `failing` fail, and the limit. */
export function benchNotificationSize(results = 2_000, failing = 20): Record<string, number> {
  const list: CheckResult[] = Array.from({ length: results }, (_, i) => ({
    check: 'snapshot-age',
    target: `entmoot-prod-${String(i).padStart(4, '0')}`,
    status: i < failing ? 'FAIL' : 'PASS',
    observed: i < failing ? 30 : 3,
    threshold: 24,
    detail: `newest available snapshot rds:entmoot-prod-${i}-2025-11-10-03-00 (automated) was taken 2025-11-10T03:00:00.000Z`,
  }));
  const descriptor = {
    workflow: 'backup-verification',
    title: 'Weekly backup verification',
    scenario: 'restoreFromBackup' as const,
    policy: 'always' as const,
  };
  const record = buildEvidence({
    descriptor,
    execution: { Id: 'arn:bench', Name: 'bench', StartTime: '2025-11-10T06:00:00.000Z' },
    state: { results: list },
    steps: [],
    endedAt: new Date('2025-11-10T06:20:00Z'),
    reportedBy: 'workflow',
  });
  const rendered = notificationFor(record, descriptor, defaultPlan(), 's3://edr-evidence/runs/bench.json');
  return { results, failing, bytes: publishedBytes(rendered), limitBytes: SNS_PUBLISH_LIMIT_BYTES };
}
