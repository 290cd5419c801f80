import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { RDSClient } from '@aws-sdk/client-rds';
import { awsClient, homeRegion } from '../shared/clients';
import { InvalidInputError } from '../shared/errors';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';
import { decideCleanup, summarizeRecovery, type SummarizeEvent } from './finish-recovery';
import { planRecovery, type RecoveryEvent, type RecoveryPlan, restoreCopy } from './plan-recovery';

const plan = bundledPlan();
const deps = { rds: awsClient(RDSClient), region: homeRegion() };

/** The steps of the recovery's Lambda, by `action`. */
type RecoveryAction =
  | (RecoveryEvent & { action: 'plan' })
  | (RecoveryEvent & { action: 'restore'; plan: RecoveryPlan })
  | (SummarizeEvent & { action: 'summarize' })
  | (RecoveryEvent & { action: 'cleanup' });

/**
 * The point-in-time recovery's Lambda: `plan` (input, source, window, every setting), `restore` (the
 * RestoreDBInstanceToPointInTime call), `summarize` (the report's results) and `cleanup` (what a failed run's
 * cleanup does with its copy).
 */
export const handler = middy(async (event: RecoveryAction): Promise<unknown> => {
  switch (event.action) {
    case 'plan':
      return planRecovery(event, plan, deps);
    case 'restore':
      return restoreCopy(event, plan, deps);
    case 'summarize':
      return summarizeRecovery(event);
    case 'cleanup':
      return decideCleanup(event, plan, deps);
    default:
      throw new InvalidInputError(
        `action must be plan, restore, summarize or cleanup (got ${JSON.stringify((event as { action?: unknown }).action)})`,
      );
  }
}).use(injectLambdaContext(logger, { resetKeys: true }));
