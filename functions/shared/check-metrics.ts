import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { type CheckResult, STATUS_RANK } from './check-result';
import { CHECK_METRICS, CHECKS_RUN_METRIC, DIMENSIONS } from './metric-names';

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

/** Which results get per-target metrics. */
export interface CheckMetricsOptions {
  /**
   * `nonPass`: only WARN and FAIL results publish their {Check, Target} metrics. A custom metric is billed for
   * every hour it receives data, so an hourly fleet check publishing one per target would cost more than it tells;
   * each check's {Check} flag is still published on every run.
   * @default 'all' */
  readonly perTarget?: 'all' | 'nonPass';
}

/**
 * Publishes each result's status and observed value ({Check, Target}), and each check's failed flag ({Check}),
 * as EMF metrics in the Metrics instance's namespace (EntmootDR).
 */
export function publishCheckMetrics(
  metrics: Metrics,
  results: readonly CheckResult[],
  options: CheckMetricsOptions = {},
): void {
  const failedByCheck = new Map<string, number>();
  for (const r of results) {
    failedByCheck.set(r.check, Math.max(failedByCheck.get(r.check) ?? 0, r.status === 'FAIL' ? 1 : 0));
    if (options.perTarget === 'nonPass' && r.status === 'PASS') continue;
    const perTarget = { [DIMENSIONS.check]: r.check, [DIMENSIONS.target]: r.target };
    record(metrics, perTarget).addMetric(CHECK_METRICS.status, MetricUnit.Count, STATUS_RANK[r.status]);
    if (typeof r.observed === 'number' && Number.isFinite(r.observed)) {
      record(metrics, perTarget).addMetric(CHECK_METRICS.observed, MetricUnit.NoUnit, r.observed);
    }
  }
  for (const [check, failed] of failedByCheck) {
    record(metrics, { [DIMENSIONS.check]: check }).addMetric(CHECK_METRICS.failed, MetricUnit.Count, failed);
  }
}

/**
 * A fleet check's heartbeat: how many results one of its calls produced ({Workflow}). An alarm on its absence sees a
 * check that stopped running within hours (the freshness monitor sees it only at its daily run).
 */
export function publishChecksRun(metrics: Metrics, workflow: string, results: readonly CheckResult[]): void {
  record(metrics, { [DIMENSIONS.workflow]: workflow }).addMetric(CHECKS_RUN_METRIC, MetricUnit.Count, results.length);
}
