import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { RDSClient } from '@aws-sdk/client-rds';
import { awsClient } from '../shared/clients';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';
import { type RestoreTestEvent, restoreTestAction } from './actions';

const plan = bundledPlan();
const deps = { rds: awsClient(RDSClient) };

/** The snapshot restore test's Lambda (actions.ts): plans one database's restore, lists and reads the parent's children. */
export const handler = middy((event: RestoreTestEvent) => restoreTestAction(event, plan, deps)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
