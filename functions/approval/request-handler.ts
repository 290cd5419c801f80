import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';
import { type ApprovalRequestEvent, type RequestDeps, requestApproval } from './request-approval';

const env = requireEnv('APPROVALS_TABLE', 'TOPIC_ARN');
const plan = bundledPlan();
const deps: RequestDeps = {
  dynamodb: awsClient(DynamoDBClient),
  sns: awsClient(SNSClient),
  tableName: env.APPROVALS_TABLE,
  topicArn: env.TOPIC_ARN,
  now: () => new Date(),
};

/** The approval gate's Request Approval task (.waitForTaskToken). The event is not logged: it holds the token. */
export const handler = middy((event: ApprovalRequestEvent) => requestApproval(event, plan, deps)).use(
  injectLambdaContext(logger, { resetKeys: true, logEvent: false }),
);
