import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { publishCheckMetrics } from '../shared/check-metrics';
import { clients } from '../shared/clients';
import { bundledPlan } from '../shared/plan';
import { logger, metrics } from '../shared/powertools';
import { runVerification, type VerificationDeps, type VerificationTarget } from './run-checks';

const plan = bundledPlan();
const deps: VerificationDeps = {
  primaryRds: clients.rds(plan.regions.primary),
  recoveryRds: clients.rds(plan.regions.recovery),
  s3: clients.s3(),
  now: () => new Date(),
};

/** Runs one target's backup checks and publishes their metrics. */
export const handler = middy(async (target: VerificationTarget) => {
  const results = await runVerification(target, plan, deps);
  publishCheckMetrics(metrics, results);
  return results;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
