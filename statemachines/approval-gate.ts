import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ERROR_NAMES } from '../functions/shared/errors';
import type { DrPlan } from '../lib/plan';
import { LAMBDA_TRANSIENT_ERRORS } from './retry';

export interface ApprovalGateProps {
  readonly plan: DrPlan;
  /** The approval request function (functions/approval/request-handler.ts). */
  readonly requestFunction: lambda.IFunction;
  /** JSONPath of the one line that says what is at stake, e.g. `$.stakes`. */
  readonly stakesPath: string;
  /** The using workflow's title, for the notification. */
  readonly title: string;
  /** The using workflow's timeout: the gate's own must be shorter. */
  readonly workflowTimeout: Duration;
}

/**
 * The plan's Manual Failover policy as a fragment: the workflow waits (`.waitForTaskToken`) until a manager
 * and a director approved through the approval endpoint, then carries their approvals in `$.approvals` (the
 * report's `RunState.approvals`). A rejection fails the task with `ApprovalRejectedError` (cause: who and
 * why); no decision within `approvals.timeoutMinutes` fails with `ApprovalTimedOutError` (cause: when).
 * Neither is caught here: the using workflow's Catch and report see them.
 */
export class ApprovalGate extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: ApprovalGateProps) {
    super(scope, id);
    const minutes = props.plan.approvals.timeoutMinutes;
    const workflowMinutes = props.workflowTimeout.toMinutes({ integral: false });
    if (minutes >= workflowMinutes) {
      throw new Error(
        `plan.approvals.timeoutMinutes: ${minutes} is not below the timeout of ${props.title} (${workflowMinutes} minutes): lower it`,
      );
    }
    const mark = new sfn.Pass(this, 'Mark Approval Requested', {
      parameters: { 'requestedAt.$': '$$.State.EnteredTime' },
      resultPath: '$.approvalGate',
    });
    const request = new tasks.LambdaInvoke(this, 'Request Approval', {
      lambdaFunction: props.requestFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        execution: {
          Id: sfn.JsonPath.stringAt('$$.Execution.Id'),
          Name: sfn.JsonPath.stringAt('$$.Execution.Name'),
          StartTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
        },
        stakes: sfn.JsonPath.stringAt(props.stakesPath),
        title: props.title,
      }),
      retryOnServiceExceptions: false,
      resultPath: '$.approvalGate.result',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(minutes)),
    });
    // A retried request gets a new token; the request function stores it while nobody has decided yet.
    request.addRetry({
      errors: LAMBDA_TRANSIENT_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
    });
    // The cause is built in a Pass: a Fail state's CausePath takes intrinsic functions on AWS, but not in
    // aws-local-stepfunctions, which the workflow tests run.
    const describeTimeout = new sfn.Pass(this, 'Describe Approval Timeout', {
      parameters: {
        cause: sfn.JsonPath.format(
          `no manager and director approved within ${minutes} minutes of the request at {}`,
          sfn.JsonPath.stringAt('$.approvalGate.requestedAt'),
        ),
      },
      resultPath: '$.approvalTimeout',
    });
    describeTimeout.next(
      new sfn.Fail(this, 'Approval Timed Out', {
        error: ERROR_NAMES.approvalTimedOut,
        causePath: '$.approvalTimeout.cause',
      }),
    );
    request.addCatch(describeTimeout, { errors: ['States.Timeout'], resultPath: '$.approvalTimeout' });
    const record = new sfn.Pass(this, 'Record Approvals', {
      inputPath: '$.approvalGate.result.approvals',
      resultPath: '$.approvals',
    });
    mark.next(request).next(record);
    this.startState = mark;
    this.endStates = [record];
  }
}
