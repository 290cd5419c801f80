/**
 * Error classes of the Lambda functions. Lambda reports `name` as the error type, so workflows match on
 * these names in Retry and Catch; `ERROR_NAMES` is the single list both sides use.
 */

/** Names of the errors our functions throw, as workflows match them. */
export const ERROR_NAMES = {
  invalidInput: 'InvalidInputError',
  throttled: 'ThrottledError',
  accessDenied: 'AccessDeniedError',
  notFound: 'NotFoundError',
  notOwned: 'NotOwnedError',
  timedOut: 'WaitTimedOutError',
  checkFailed: 'CheckFailedError',
  configuration: 'ConfigurationError',
  dumpFormat: 'DumpFormatError',
  databaseUnreachable: 'DatabaseUnreachableError',
  reconcile: 'ReconcileError',
  approvalRejected: 'ApprovalRejectedError',
  approvalTimedOut: 'ApprovalTimedOutError',
  pageLimit: 'PageLimitError',
  invalidTargetTime: 'InvalidTargetTimeError',
  restoreFailed: 'RestoreFailedError',
} as const;

/** One of the names in `ERROR_NAMES`. */
export type ErrorName = (typeof ERROR_NAMES)[keyof typeof ERROR_NAMES];

/** Base of every error our code throws on purpose. */
export class DrError extends Error {
  constructor(message: string, name: ErrorName | 'DrError' = 'DrError', options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

/** The caller's input was wrong; the message names the field and the fix. */
export class InvalidInputError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.invalidInput, options);
  }
}

/** AWS throttled the call after the client's own retries; the workflow retries with backoff. */
export class ThrottledError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.throttled, options);
  }
}

/** The function's role lacks a permission; the message names the action. */
export class AccessDeniedError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.accessDenied, options);
  }
}

/** A resource the plan names does not exist. */
export class NotFoundError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.notFound, options);
  }
}

/** A destructive action was asked for on a resource this system does not own. */
export class NotOwnedError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.notOwned, options);
  }
}

/** A listing had more pages than its bound: what was read is not the whole answer, so nothing is decided on it. */
export class PageLimitError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.pageLimit, options);
  }
}

/** A point-in-time recovery's target time is outside the source's restore window; the message names the window. */
export class InvalidTargetTimeError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.invalidTargetTime, options);
  }
}

/** A restore ended in a terminal status (`failed`, `incompatible-restore`…) instead of becoming available. */
export class RestoreFailedError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.restoreFailed, options);
  }
}

/** A bounded wait ran out. */
export class WaitTimedOutError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.timedOut, options);
  }
}

/** A check failed; the workflow's final state carries this name when a run's results include a FAIL. */
export class CheckFailedError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.checkFailed, options);
  }
}

/** The environment or bundled plan is missing something the function needs (a deployment mistake). */
export class ConfigurationError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.configuration, options);
  }
}

/** A backup object is not a readable pg_dump archive; the message says which part is wrong. */
export class DumpFormatError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.dumpFormat, options);
  }
}

/**
 * A database could not be reached or refused the session (refused, DNS, timeout, TLS, authentication, unknown
 * database, connection lost); the message is one line naming host, port, user and the cause, never a secret.
 */
export class DatabaseUnreachableError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.databaseUnreachable, options);
  }
}

/** Some ended runs could not be reconciled (reported when the status-change reporter had not); the message lists them. */
export class ReconcileError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.reconcile, options);
  }
}

/** An approver rejected the request; the cause names who (ARN and session) and why. */
export class ApprovalRejectedError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.approvalRejected, options);
  }
}

/** No manager and director approved before the request's deadline; the cause names the deadline. */
export class ApprovalTimedOutError extends DrError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ERROR_NAMES.approvalTimedOut, options);
  }
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

/** Name of an AWS SDK error, or undefined for anything else. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Whether an AWS SDK error is throttling (after the client's own retries). */
export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(awsErrorName(error) ?? '');
}

/** Whether an AWS SDK error is an authorization failure. */
export function isAccessDenied(error: unknown): boolean {
  const name = awsErrorName(error) ?? '';
  return (
    name === 'AccessDenied' ||
    name === 'AccessDeniedException' ||
    name === 'UnauthorizedOperation' ||
    name === 'AuthorizationError'
  );
}

/**
 * Turns a persistent AWS error into one of ours so a workflow can match on it: throttling becomes
 * `ThrottledError`, authorization `AccessDeniedError` naming the action; anything else is rethrown as is.
 */
export function translateAwsError(error: unknown, action: string, resource: string): never {
  if (isThrottling(error))
    throw new ThrottledError(`${action} on ${resource} was throttled after retries`, { cause: error });
  if (isAccessDenied(error)) {
    throw new AccessDeniedError(
      `${action} on ${resource} was denied: the function's role needs ${action} on ${resource}`,
      { cause: error },
    );
  }
  throw error;
}
