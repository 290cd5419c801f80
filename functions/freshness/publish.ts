import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { FRESHNESS_METRIC, OVERDUE_JOBS_METRIC } from '../shared/metric-names';
import type { FreshnessResult } from './check-freshness';

/**
 * Publishes `HoursSinceSuccess` for each job that could be read, each as its own EMF record with exactly the one
 * dimension `Job`: the alarms watch {Job} alone, so Powertools' default `service` dimension is cleared on these
 * records (its namespace is EntmootDR, METRICS_NAMESPACE).
 * The run's summary (`OverdueJobs`) goes through the shared instance, flushed by the middleware.
 */
export function publishFreshness(results: readonly FreshnessResult[], target: Metrics): void {
  for (const r of results) {
    if (r.hoursSinceSuccess === null) continue;
    const single = target.singleMetric();
    single.clearDefaultDimensions();
    single.addDimension(FRESHNESS_METRIC.dimension, r.job);
    single.addMetric(FRESHNESS_METRIC.metricName, MetricUnit.Count, r.hoursSinceSuccess);
  }
  target.addMetric(OVERDUE_JOBS_METRIC, MetricUnit.Count, results.filter((r) => r.overdue).length);
}
