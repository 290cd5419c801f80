import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { LAMBDA_TRANSIENT_ERRORS } from './retry';

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

/**
 * A task invoking one of our functions with the house settings: the raw invoke result (no payload-only shortcut, no
 * CDK service-exception retry), its timeout from `lambdaTaskTimeout`, and the Lambda service's transient errors and
 * our `ThrottledError` retried three times (5 s, doubling). `output` picks what of the result the state keeps.
 */
export function lambdaInvoke(
  scope: Construct,
  name: string,
  fn: lambda.Function,
  payload: Record<string, unknown>,
  output: Pick<tasks.LambdaInvokeProps, 'resultSelector' | 'resultPath' | 'outputPath'>,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(payload),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    ...output,
    taskTimeout: lambdaTaskTimeout(fn),
  });
  task.addRetry({ errors: LAMBDA_TRANSIENT_ERRORS, interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
  return task;
}

/** `lambdaInvoke` keeping the fields `resultSelector` picks at `resultPath`. */
export function lambdaTask(
  scope: Construct,
  name: string,
  fn: lambda.Function,
  payload: Record<string, unknown>,
  resultSelector: Record<string, string>,
  resultPath: string,
): tasks.LambdaInvoke {
  return lambdaInvoke(scope, name, fn, payload, { resultSelector, resultPath });
}
