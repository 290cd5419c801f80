import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';
import { type DecideDeps, decideApproval, identityOf } from './decide-approval';
import type { UrlRequest } from './decision-request';

const env = requireEnv('APPROVALS_TABLE');
const plan = bundledPlan();
const deps: DecideDeps = {
  dynamodb: awsClient(DynamoDBClient),
  sfn: awsClient(SFNClient),
  tableName: env.APPROVALS_TABLE,
  now: () => new Date(),
};

/** The approval endpoint (function URL, AWS_IAM auth): one line of JSON `{ status, message }`. */
export const handler = middy(async (event: UrlRequest) => {
  const answer = await decideApproval(event, identityOf(event, plan), plan, deps);
  logger.info('decision answered', {
    statusCode: answer.statusCode,
    status: answer.status,
    caller: event.requestContext?.authorizer?.iam?.userArn,
  });
  return {
    statusCode: answer.statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: answer.status, message: answer.message }),
  };
}).use(injectLambdaContext(logger, { resetKeys: true }));
