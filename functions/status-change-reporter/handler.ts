import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { reportDeps } from '../report/aws-deps';
import { reportUnreportedRun, type StatusChangeEvent } from './report-unreported-run';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';

const env = requireEnv('EVIDENCE_BUCKET', 'TOPIC_ARN');
const plan = bundledPlan();
const deps = reportDeps(
  { s3: awsClient(S3Client), sns: awsClient(SNSClient), sfn: awsClient(SFNClient) },
  env.EVIDENCE_BUCKET,
  env.TOPIC_ARN,
);

/** Reports a run that ended FAILED, TIMED_OUT or ABORTED without its report step. */
export const handler = middy((event: StatusChangeEvent) => reportUnreportedRun(event, plan, deps)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
