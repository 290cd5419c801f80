import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { publishCheckMetrics } from '../shared/check-metrics';
import { RDSClient } from '@aws-sdk/client-rds';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger, metrics } from '../shared/powertools';
import { verifyAndStore, type StoredCheckEvent } from './stored-results';

const env = requireEnv('EVIDENCE_BUCKET');
const plan = bundledPlan();
const s3 = awsClient(S3Client);
const deps = {
  primaryRds: awsClient(RDSClient, plan.regions.primary),
  recoveryRds: awsClient(RDSClient, plan.regions.recovery),
  s3,
  now: () => new Date(),
  putResults: async (key: string, body: string) => {
    await s3.send(
      new PutObjectCommand({ Bucket: env.EVIDENCE_BUCKET, Key: key, Body: body, ContentType: 'application/json' }),
    );
  },
};

/** Runs one target's backup checks, publishes their metrics and stores their results in the evidence bucket. */
export const handler = middy((event: StoredCheckEvent) =>
  verifyAndStore(event, plan, deps, (results) => publishCheckMetrics(metrics, results)),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
