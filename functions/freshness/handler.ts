import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { ConfigurationError } from '../shared/errors';
import { answerDeploy, isDeployEvent, putResponse } from './deploy-hook';
import { OVERDUE_JOBS_METRIC } from '../shared/metric-names';
import { logger, metrics } from '../shared/powertools';
import {
  checkFreshness,
  FRESHNESS_METRIC,
  validateJobs,
  type FreshnessDeps,
  type FreshnessJob,
  type FreshnessResult,
} from './check-freshness';

/** The jobs to watch, from `FRESHNESS_JOBS` (set by the FreshnessMonitor construct), read and checked once at cold start. */
function jobsFromEnv(): FreshnessJob[] {
  const { FRESHNESS_JOBS } = requireEnv('FRESHNESS_JOBS');
  let jobs: unknown;
  try {
    jobs = JSON.parse(FRESHNESS_JOBS);
  } catch (error) {
    throw new ConfigurationError('FRESHNESS_JOBS is not JSON: redeploy the stack', { cause: error });
  }
  try {
    validateJobs(jobs);
  } catch (error) {
    throw new ConfigurationError(`FRESHNESS_JOBS is invalid: ${(error as Error).message}; redeploy the stack`, {
      cause: error,
    });
  }
  return jobs;
}

/**
 * Publishes `HoursSinceSuccess` for each job that could be read, each as its own EMF record with exactly the one
 * dimension `Job`: the alarms watch {Job} alone, so Powertools' default `service` dimension is cleared on these
 * records (its namespace is EntmootDR, METRICS_NAMESPACE).
 * The run's summary (`OverdueJobs`) goes through the shared instance, flushed by the middleware.
 */
export function publishFreshness(results: readonly FreshnessResult[], target: Metrics = metrics): void {
  for (const r of results) {
    if (r.hoursSinceSuccess === null) continue;
    const single = target.singleMetric();
    single.clearDefaultDimensions();
    single.addDimension(FRESHNESS_METRIC.dimension, r.job);
    single.addMetric(FRESHNESS_METRIC.metricName, MetricUnit.Count, r.hoursSinceSuccess);
  }
  target.addMetric(OVERDUE_JOBS_METRIC, MetricUnit.Count, results.filter((r) => r.overdue).length);
}

const jobs = jobsFromEnv();
const deps: FreshnessDeps = { sfn: awsClient(SFNClient), now: () => new Date() };

async function runMonitor(): Promise<FreshnessResult[]> {
  const results = await checkFreshness(jobs, deps);
  publishFreshness(results);
  for (const r of results) {
    if (r.result.status === 'FAIL') logger.warn(r.result.detail, { job: r.job });
  }
  return results;
}

/**
 * Daily (the schedule rule): reads each watched job's last success, publishes hours since, and returns the
 * results. On deploy (CloudFormation's custom-resource request): the same, then answers CloudFormation.
 */
export const handler = middy(async (event?: unknown) => {
  if (isDeployEvent(event)) {
    return answerDeploy(event, runMonitor, { respond: putResponse, warn: (m) => logger.warn(m) });
  }
  return runMonitor();
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
