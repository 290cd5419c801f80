import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * What a Lambda task waits beyond its function's own timeout: the invocation's overhead (a cold start's init
 * phase, which Lambda does not count against the timeout, and the Invoke API's round trip), so the task's timeout
 * fires only when the invocation itself is stuck, never before the function's own timeout could.
 */
export const LAMBDA_INVOCATION_MARGIN = Duration.seconds(30);

/** Lambda's own default timeout, for a function created without one. */
const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3);

/** The timeout of a task that invokes `fn`: the function's timeout plus the invocation margin. */
export function lambdaTaskTimeout(fn: lambda.Function): sfn.Timeout {
  return sfn.Timeout.duration((fn.timeout ?? LAMBDA_DEFAULT_TIMEOUT).plus(LAMBDA_INVOCATION_MARGIN));
}
