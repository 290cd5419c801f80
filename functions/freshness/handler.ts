import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { ConfigurationError, ReconcileError } from '../shared/errors';
import { answerDeploy, isDeployEvent, putResponse } from './deploy-hook';
import { RECONCILED_RUNS_METRIC } from '../shared/metric-names';
import { publishFreshness } from './publish';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { reconcileDeps } from '../status-change-reporter/aws-deps';
import {
  reconcileEndedRuns,
  validateWorkflows,
  type ReconcileResult,
  type ReportedWorkflow,
} from '../status-change-reporter/reconcile';
import { bundledPlan } from '../shared/plan';
import { logger, metrics } from '../shared/powertools';
import {
  checkFreshness,
  validateJobs,
  type FreshnessDeps,
  type FreshnessJob,
  type FreshnessResult,
} from './check-freshness';

/**
 * `FRESHNESS_JOBS` and `REPORTED_WORKFLOWS` name each state machine (`stateMachine`: `edr-janitor`) instead of
 * giving its ARN, which is `STATE_MACHINE_ARN_PREFIX` and the name: Lambda allows 4 KB of environment in all
 * (DESIGN §9), and a stack's ARNs spelled out in both lists took a quarter of it. Expands each entry's name to its
 * `stateMachineArn` (a value that is not a name is passed on as it is, for the validation to name).
 */
function withArns(entries: unknown, prefix: string): unknown {
  if (!Array.isArray(entries)) return entries;
  return entries.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
    const { stateMachine, ...rest } = entry as Record<string, unknown>;
    return { ...rest, stateMachineArn: typeof stateMachine === 'string' ? `${prefix}${stateMachine}` : stateMachine };
  });
}

const { STATE_MACHINE_ARN_PREFIX } = requireEnv('STATE_MACHINE_ARN_PREFIX');

/** The jobs to watch, from `FRESHNESS_JOBS` (set by the FreshnessMonitor construct), read and checked once at cold start. */
function jobsFromEnv(): FreshnessJob[] {
  const { FRESHNESS_JOBS } = requireEnv('FRESHNESS_JOBS');
  let jobs: unknown;
  try {
    jobs = withArns(JSON.parse(FRESHNESS_JOBS), STATE_MACHINE_ARN_PREFIX);
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

export { publishFreshness };

/** The workflows whose ended runs are reconciled, from `REPORTED_WORKFLOWS` (set by the Reporting construct). */
function workflowsFromEnv(): ReportedWorkflow[] {
  const { REPORTED_WORKFLOWS } = requireEnv('REPORTED_WORKFLOWS');
  let workflows: unknown;
  try {
    workflows = withArns(JSON.parse(REPORTED_WORKFLOWS), STATE_MACHINE_ARN_PREFIX);
    validateWorkflows(workflows);
  } catch (error) {
    throw new ConfigurationError(`REPORTED_WORKFLOWS is invalid: ${(error as Error).message}; redeploy the stack`, {
      cause: error,
    });
  }
  return workflows;
}

const jobs = jobsFromEnv();
const workflows = workflowsFromEnv();
const env = requireEnv('EVIDENCE_BUCKET', 'TOPIC_ARN');
const sfn = awsClient(SFNClient);
const deps: FreshnessDeps = { sfn, now: () => new Date() };
const reconcile = reconcileDeps(
  { s3: awsClient(S3Client), sns: awsClient(SNSClient), sfn },
  env.EVIDENCE_BUCKET,
  env.TOPIC_ARN,
);
const plan = bundledPlan();

/**
 * Freshness first (its metrics are what the alarms watch), then the reconciliation of ended runs. A run that could
 * not be reconciled fails the invocation after the metrics are out, so the monitor's errors alarm fires; the next
 * day's run tries it again (the look-back is two days).
 */
async function runMonitor(): Promise<{ freshness: FreshnessResult[]; reconciled: ReconcileResult }> {
  const results = await checkFreshness(jobs, deps);
  publishFreshness(results, metrics);
  for (const r of results) {
    if (r.result.status === 'FAIL') logger.warn(r.result.detail, { job: r.job });
  }
  const reconciled = await reconcileEndedRuns(workflows, plan, reconcile);
  metrics.addMetric(RECONCILED_RUNS_METRIC, MetricUnit.Count, reconciled.reported.length);
  if (reconciled.reported.length > 0)
    logger.warn('reported ended runs the status-change reporter missed', { reconciled });
  if (reconciled.failed.length > 0) {
    throw new ReconcileError(
      `could not reconcile ${reconciled.failed.length} ended run(s): ${reconciled.failed.map((f) => `${f.execution} (${f.error})`).join(', ')}`,
    );
  }
  return { freshness: results, reconciled };
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
