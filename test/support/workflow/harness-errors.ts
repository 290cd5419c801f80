/** The errors the workflow harness raises inside an execution. */

/** An error Step Functions reports for a Task: `name` is its Error, `message` its Cause. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** An error no Retry or Catch sees (aws-local-stepfunctions reads `isRetryable`/`isCatchable`). */
export class UncatchableError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
