import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BATCHED_CHECKS, type BatchCheckEvent, checkAndStoreBatch } from '../shared/batch-results';
import { publishCheckMetrics, publishChecksRun } from '../shared/check-metrics';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger, metrics } from '../shared/powertools';
import { checkReplicationBatch, type ReplicationRegionClients } from './check-replication';
import type { ReplicationTarget } from './targets';

const env = requireEnv('EVIDENCE_BUCKET');
const plan = bundledPlan();
const evidence = awsClient(S3Client);
const inRegion = (region: string): ReplicationRegionClients => ({
  s3: awsClient(S3Client, region),
  cloudWatch: awsClient(CloudWatchClient, region),
  rds: awsClient(RDSClient, region),
});
const deps = {
  primary: inRegion(plan.regions.primary),
  recovery: inRegion(plan.regions.recovery),
  now: () => new Date(),
};

/** Checks one batch of replicated buckets or databases, publishes its metrics and stores its results. */
export const handler = middy((event: BatchCheckEvent<ReplicationTarget>) =>
  checkAndStoreBatch(event, {
    workflow: BATCHED_CHECKS.replication,
    check: (targets) => checkReplicationBatch(targets, plan, deps),
    putResults: async (key, body) => {
      await evidence.send(
        new PutObjectCommand({ Bucket: env.EVIDENCE_BUCKET, Key: key, Body: body, ContentType: 'application/json' }),
      );
    },
    publish: (results) => {
      publishCheckMetrics(metrics, results, { perTarget: 'nonPass' });
      publishChecksRun(metrics, BATCHED_CHECKS.replication, results);
    },
  }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
