import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { RDSClient } from '@aws-sdk/client-rds';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient } from '../shared/clients';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';
import { findLeftovers, type JanitorDeps } from './find-leftovers';
import { runningExecutionNames } from './running-executions';

const plan = bundledPlan();
const deps: JanitorDeps = {
  rds: awsClient(RDSClient),
  runningExecutions: () => runningExecutionNames(awsClient(SFNClient), plan.system.namePrefix),
  now: () => new Date(),
};

/** The janitor's first step: what of this stack's to remove, and what to keep and why. */
export const handler = middy((event: { ownerStack: string }) => findLeftovers(event, plan, deps)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
