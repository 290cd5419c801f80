import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { homeRegion } from '../shared/clients';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';
import { connect, rdsIamTokenProvider } from './connect';
import { runValidation } from './run-validation';

const plan = bundledPlan();
const region = homeRegion();

/**
 * Validates one restored or promoted database and returns `{ results }`; the calling workflow reports them.
 * The CA is the RDS bundle through NODE_EXTRA_CA_CERTS (`DrFunction.connectsToDatabase`); the password a fresh
 * IAM token signed with the function's role.
 */
export const handler = middy((event: unknown, context: Context) =>
  runValidation(event, plan, {
    connect,
    tokenFor: (host, port, user) => rdsIamTokenProvider({ host, port, user, region }),
    now: Date.now,
    remainingMs: () => context.getRemainingTimeInMillis(),
  }),
).use(injectLambdaContext(logger, { resetKeys: true }));
