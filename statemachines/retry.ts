/**
 * Error names workflows retry or catch, shared by every definition. Lambda tasks see our functions' error
 * names (functions/shared/errors.ts); SDK-integration tasks see `<Service>.<JavaExceptionName>`.
 */
import { ERROR_NAMES } from '../functions/shared/errors';

/** Transient failures of the Lambda service itself, and our functions' throttling error. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  // The invocation timed out on Lambda's side before the function answered: transient, safe to retry (our
  // functions are idempotent: conditional writes and markers).
  'Lambda.ClientExecutionTimeoutException',
  ERROR_NAMES.throttled,
];

/**
 * Throttling as an RDS SDK integration reports it. RDS answers throttling with the error code `Throttling`,
 * which is not a modelled exception: the Java SDK raises its service base class, so Step Functions reports
 * `Rds.RdsException`, as it does for other unmodelled RDS errors (the retry is bounded, so an unmodelled
 * permanent error costs only the retries before it is caught).
 */
export const RDS_THROTTLING_ERRORS = ['Rds.ThrottlingException', 'Rds.RdsException'];

/** Not-found errors of RDS SDK integrations (Java exception class names). */
export const RDS_NOT_FOUND = {
  instance: 'Rds.DbInstanceNotFoundException',
  snapshot: 'Rds.DbSnapshotNotFoundException',
} as const;
