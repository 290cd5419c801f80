import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { publishCheckMetrics } from '../shared/check-metrics';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClient } from '../shared/clients';
import { bundledPlan } from '../shared/plan';
import { logger, metrics } from '../shared/powertools';
import { runVerification, type VerificationDeps, type VerificationTarget } from './run-checks';

const plan = bundledPlan();
const deps: VerificationDeps = {
  primaryRds: awsClient(RDSClient, plan.regions.primary),
  recoveryRds: awsClient(RDSClient, plan.regions.recovery),
  s3: awsClient(S3Client),
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
