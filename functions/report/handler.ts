import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger, metrics } from '../shared/powertools';
import { publishMeasurements } from './measurements';
import { reportDeps } from './aws-deps';
import { reportRun, type ReportEvent } from './report-run';

const env = requireEnv('EVIDENCE_BUCKET', 'TOPIC_ARN');
const plan = bundledPlan();
const deps = {
  ...reportDeps(
    { s3: awsClient(S3Client), sns: awsClient(SNSClient), sfn: awsClient(SFNClient) },
    env.EVIDENCE_BUCKET,
    env.TOPIC_ARN,
  ),
  publishMeasurements: (workflow: string, measured: Parameters<typeof publishMeasurements>[2]) =>
    publishMeasurements(metrics, workflow, measured),
};

/** The report fragment's Lambda: writes the run's evidence and notifies by the workflow's policy. */
export const handler = middy((event: ReportEvent) => reportRun(event, plan, deps)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
