import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { BATCHED_CHECKS, type BatchCheckEvent, checkAndStoreBatch } from '../shared/batch-results';
import { publishCheckMetrics, publishChecksRun } from '../shared/check-metrics';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger, metrics } from '../shared/powertools';
import { checkPostureBatch } from './check-posture';
import type { PostureTarget } from './targets';

const env = requireEnv('EVIDENCE_BUCKET');
const plan = bundledPlan();
const s3 = awsClient(S3Client);
const deps = {
  rds: awsClient(RDSClient, plan.regions.primary),
  s3: awsClient(S3Client, plan.regions.primary),
  s3Control: awsClient(S3ControlClient, plan.regions.primary),
  autoScaling: awsClient(AutoScalingClient, plan.regions.primary),
  ecs: awsClient(ECSClient, plan.regions.primary),
  elastiCache: awsClient(ElastiCacheClient, plan.regions.primary),
  now: () => new Date(),
};

/** Checks one batch of databases, buckets or the application, publishes its metrics and stores its results. */
export const handler = middy((event: BatchCheckEvent<PostureTarget>) =>
  checkAndStoreBatch(event, {
    workflow: BATCHED_CHECKS.posture,
    check: (targets) => checkPostureBatch(targets, plan, deps),
    putResults: async (key, body) => {
      await s3.send(
        new PutObjectCommand({ Bucket: env.EVIDENCE_BUCKET, Key: key, Body: body, ContentType: 'application/json' }),
      );
    },
    publish: (results) => {
      publishCheckMetrics(metrics, results, { perTarget: 'nonPass' });
      publishChecksRun(metrics, BATCHED_CHECKS.posture, results);
    },
  }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
