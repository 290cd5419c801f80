import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { type CheckResult, STATUS_RANK } from './check-result';
import { CHECK_METRICS, DIMENSIONS } from './metric-names';

export { CHECK_METRICS };

/**
 * A one-metric EMF record with exactly the dimensions given. `singleMetric()` copies Powertools' default
 * `service` dimension, and CloudWatch matches the whole dimension set: an alarm on {Check} never sees a
 * datapoint stored under {service, Check}. So the defaults are cleared first.
 */
function record(metrics: Metrics, dimensions: Record<string, string>): Metrics {
  const single = metrics.singleMetric();
  single.clearDefaultDimensions();
  single.addDimensions(dimensions);
  return single;
}

/**
 * Publishes each result's status and observed value ({Check, Target}), and each check's failed flag ({Check}),
 * as EMF metrics in the Metrics instance's namespace (EntmootDR).
 */
export function publishCheckMetrics(metrics: Metrics, results: readonly CheckResult[]): void {
  const failedByCheck = new Map<string, number>();
  for (const r of results) {
    const perTarget = { [DIMENSIONS.check]: r.check, [DIMENSIONS.target]: r.target };
    record(metrics, perTarget).addMetric(CHECK_METRICS.status, MetricUnit.Count, STATUS_RANK[r.status]);
    if (typeof r.observed === 'number' && Number.isFinite(r.observed)) {
      record(metrics, perTarget).addMetric(CHECK_METRICS.observed, MetricUnit.NoUnit, r.observed);
    }
    failedByCheck.set(r.check, Math.max(failedByCheck.get(r.check) ?? 0, r.status === 'FAIL' ? 1 : 0));
  }
  for (const [check, failed] of failedByCheck) {
    record(metrics, { [DIMENSIONS.check]: check }).addMetric(CHECK_METRICS.failed, MetricUnit.Count, failed);
  }
}
