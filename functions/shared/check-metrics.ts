import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { CheckResult, CheckStatus } from './check-result';

/** Metric names every check publishes (namespace EntmootDR). */
export const CHECK_METRICS = {
  /** 0 PASS, 1 WARN, 2 FAIL, per check and target. */
  status: 'CheckStatus',
  /** 1 when the check failed on any target, else 0, per check: what the per-check alarm watches. */
  failed: 'CheckFailed',
  /** The observed value, when numeric, per check and target. */
  observed: 'CheckObserved',
} as const;

const LEVEL: Record<CheckStatus, number> = { PASS: 0, WARN: 1, FAIL: 2 };

/** Publishes each result's status and observed value, and each check's failed flag, as EMF metrics. */
export function publishCheckMetrics(metrics: Metrics, results: readonly CheckResult[]): void {
  const failedByCheck = new Map<string, number>();
  for (const r of results) {
    const perTarget = metrics.singleMetric();
    perTarget.addDimensions({ Check: r.check, Target: r.target });
    perTarget.addMetric(CHECK_METRICS.status, MetricUnit.Count, LEVEL[r.status]);
    if (typeof r.observed === 'number' && Number.isFinite(r.observed)) {
      const observed = metrics.singleMetric();
      observed.addDimensions({ Check: r.check, Target: r.target });
      observed.addMetric(CHECK_METRICS.observed, MetricUnit.NoUnit, r.observed);
    }
    failedByCheck.set(r.check, Math.max(failedByCheck.get(r.check) ?? 0, r.status === 'FAIL' ? 1 : 0));
  }
  for (const [check, failed] of failedByCheck) {
    const perCheck = metrics.singleMetric();
    perCheck.addDimension('Check', check);
    perCheck.addMetric(CHECK_METRICS.failed, MetricUnit.Count, failed);
  }
}
