import { Resolver } from 'node:dns/promises';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { arcClient, type ClusterEndpoint } from '../shared/arc-routing-control';
import { nodeDnsDeps } from '../shared/authoritative-dns';
import { BATCHED_CHECKS, type BatchCheckEvent, checkAndStoreBatch } from '../shared/batch-results';
import { publishCheckMetrics, publishChecksRun } from '../shared/check-metrics';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger, metrics } from '../shared/powertools';
import { checkReadinessBatch, type ReadinessDeps } from './check-readiness';
import { tcpProbe } from './check-primary-reachability';
import type { ReadinessTarget } from './targets';

const env = requireEnv('EVIDENCE_BUCKET');
const plan = bundledPlan();
const recovery = plan.regions.recovery;
const evidence = awsClient(S3Client);
// One client per cluster endpoint, reused across invocations (each is signed for its endpoint's region).
const arcClients = new Map<string, ReturnType<typeof arcClient>>();
const deps: ReadinessDeps = {
  recoveryRds: awsClient(RDSClient, recovery),
  recoveryCloudWatch: awsClient(CloudWatchClient, recovery),
  recoverySecrets: awsClient(SecretsManagerClient, recovery),
  arcClient: (endpoint: ClusterEndpoint) => {
    const key = `${endpoint.region} ${endpoint.url}`;
    if (!arcClients.has(key)) arcClients.set(key, arcClient(endpoint));
    return arcClients.get(key) as ReturnType<typeof arcClient>;
  },
  // The resolver finds the zone's name servers; each is then asked directly (functions/shared/authoritative-dns.ts).
  dns: nodeDnsDeps(new Resolver({ timeout: 2_000, tries: 2 })),
  reachability: { probe: tcpProbe, port: 443 },
  now: () => new Date(),
};

/** Checks one batch of DR replicas, or the failover path, publishes its metrics and stores its results. */
export const handler = middy((event: BatchCheckEvent<ReadinessTarget>) =>
  checkAndStoreBatch(event, {
    workflow: BATCHED_CHECKS.readiness,
    check: (targets) => checkReadinessBatch(targets, plan, deps),
    putResults: async (key, body) => {
      await evidence.send(
        new PutObjectCommand({ Bucket: env.EVIDENCE_BUCKET, Key: key, Body: body, ContentType: 'application/json' }),
      );
    },
    publish: (results) => {
      publishCheckMetrics(metrics, results, { perTarget: 'nonPass' });
      publishChecksRun(metrics, BATCHED_CHECKS.readiness, results);
    },
  }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
