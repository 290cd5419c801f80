/**
 * Errors the model throws. A service error is raised as a `ServiceFault` (the JS SDK's name and message)
 * and turned into what each path sees at the boundary: the JS SDK's own exception class for Lambdas, a
 * `Service.JavaNameException` for Step Functions.
 */

/** A service error, in the service model's (JavaScript SDK's) terms. */
export class ServiceFault extends Error {
  constructor(
    name: string,
    message: string,
    readonly httpStatusCode = 400,
    /** False for errors the service model does not declare (throttling, `InvalidParameterValue`...). */
    readonly modeled = true,
  ) {
    super(message);
    this.name = name;
  }
}

/**
 * A call AWS would never accept as written — the wrong casing for its path, an unknown member, an action
 * the model does not know. Tests should treat it as a bug in the workflow or handler, not as an AWS error.
 */
export class ModelRejectedCall extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelRejectedCall';
  }
}

/** What a Step Functions Task sees: `.name` is the state's Error, `.message` its Cause. */
export class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export const fault = {
  dbInstanceNotFound: (id: string) => new ServiceFault('DBInstanceNotFoundFault', `DBInstance ${id} not found.`, 404),
  dbSnapshotNotFound: (id: string) => new ServiceFault('DBSnapshotNotFoundFault', `DBSnapshot ${id} not found.`, 404),
  invalidInstanceState: (msg: string) => new ServiceFault('InvalidDBInstanceStateFault', msg, 400),
  invalidSnapshotState: (msg: string) => new ServiceFault('InvalidDBSnapshotStateFault', msg, 400),
  invalidParameterValue: (msg: string) => new ServiceFault('InvalidParameterValue', msg, 400, false),
  invalidParameterCombination: (msg: string) => new ServiceFault('InvalidParameterCombination', msg, 400, false),
  missingParameter: (name: string) =>
    new ServiceFault('MissingParameter', `The request must contain the parameter ${name}`, 400, false),
};
