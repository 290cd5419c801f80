import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { RDSClient } from '@aws-sdk/client-rds';
import { awsClient } from '../shared/clients';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';
import { copyName, planRestore, type PlanRestoreEvent } from './plan-restore';

const plan = bundledPlan();

/**
 * The snapshot restore test's Lambda: `action: 'plan'` checks the input and plans the restore; `action: 'name'`
 * (the cleanup, which must find the copy even when the run failed before saving its plan) names the copy again.
 */
export const handler = middy((event: PlanRestoreEvent & { action: 'plan' | 'name' }) =>
  event.action === 'name' ? copyName(event, plan) : planRestore(event, plan, { rds: awsClient(RDSClient) }),
).use(injectLambdaContext(logger, { resetKeys: true }));
