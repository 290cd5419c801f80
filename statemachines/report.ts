import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { lambdaTaskTimeout } from './lambda-task';
import { LAMBDA_TRANSIENT_ERRORS } from './retry';

/** Error of the final Fail state when the report step itself could not run (the status-change reporter then reports). */
export const REPORT_FAILED_ERROR = 'ReportFailedError';

export interface ReportFragmentProps {
  /** The report function (functions/report/handler.ts). */
  readonly reportFunction: lambda.Function;
  /** The workflow this fragment ends. */
  readonly descriptor: WorkflowDescriptor;
}

/**
 * The last step of every workflow: writes the run's evidence record and notifies by the workflow's policy
 * (functions/report), then ends the execution as the run ended — `Run Succeeded`, or `Run Failed` with the
 * run's error name and cause. If the report step itself fails, the run fails with `ReportFailedError` and
 * the status-change reporter writes the evidence instead.
 */
export class ReportFragment extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: ReportFragmentProps) {
    super(scope, id);
    const report = new tasks.LambdaInvoke(this, 'Write Evidence and Notify', {
      lambdaFunction: props.reportFunction,
      payload: sfn.TaskInput.fromObject({
        descriptor: props.descriptor,
        execution: sfn.JsonPath.objectAt('$$.Execution'),
        state: sfn.JsonPath.entirePayload,
      }),
      payloadResponseOnly: false,
      retryOnServiceExceptions: false,
      resultSelector: { 'Payload.$': '$.Payload' },
      resultPath: '$.report',
      taskTimeout: lambdaTaskTimeout(props.reportFunction),
    });
    report.addRetry({ errors: LAMBDA_TRANSIENT_ERRORS, interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });
    report.addCatch(
      new sfn.Fail(this, 'Report Failed', {
        error: REPORT_FAILED_ERROR,
        cause: 'The report step failed; the status-change reporter records this run',
      }),
      { errors: ['States.ALL'], resultPath: '$.reportFailure' },
    );

    const succeeded = new sfn.Succeed(this, 'Run Succeeded');
    const failed = new sfn.Fail(this, 'Run Failed', {
      errorPath: '$.report.Payload.errorName',
      causePath: '$.report.Payload.errorCause',
    });
    report.next(
      new sfn.Choice(this, 'Did the Run Succeed?')
        .when(sfn.Condition.stringEquals('$.report.Payload.outcome', 'SUCCEEDED'), succeeded)
        .otherwise(failed),
    );
    this.startState = report;
  }
}

/** Check name of the result a cleanup that itself failed adds. */
export const CLEANUP_CHECK = 'cleanup';

/**
 * Wraps a workflow's body so that every way out passes the report: the body runs in a one-branch Parallel
 * whose Catch sends any error (as `$.failure`) to the report, and whose result goes to the report too.
 * With a `cleanup`, both ways out pass it first, in a Parallel of its own: every end of the cleanup outputs
 * `{ cleanupResult: CheckResult }` or `{}` (nothing to report), which the report reads at `$.cleanup.outcome`;
 * an error of the cleanup itself becomes a FAIL result, and the body's error stays the run's.
 */
export function withReport(
  scope: Construct,
  title: string,
  body: sfn.IChainable,
  report: ReportFragment,
  cleanup?: sfn.IChainable,
): sfn.IChainable {
  const run = new sfn.Parallel(scope, `Run ${title}`, { outputPath: '$[0]' });
  run.branch(body);
  if (!cleanup) {
    run.addCatch(report, { errors: ['States.ALL'], resultPath: '$.failure' });
    return run.next(report);
  }
  const clean = new sfn.Parallel(scope, 'Clean Up', {
    resultSelector: { 'outcome.$': '$[0]' },
    resultPath: '$.cleanup',
  });
  clean.branch(cleanup);
  const cleanupFailed = new sfn.Pass(scope, 'Cleanup Failed', {
    parameters: {
      outcome: {
        cleanupResult: {
          check: CLEANUP_CHECK,
          'target.$': '$$.Execution.Name',
          status: 'FAIL',
          observed: 'error',
          threshold: null,
          'detail.$':
            "States.Format('the cleanup failed with {}: what the run created may be left for the janitor', $.cleanupError.Error)",
        },
      },
    },
    resultPath: '$.cleanup',
  });
  clean.addCatch(cleanupFailed, { errors: ['States.ALL'], resultPath: '$.cleanupError' });
  cleanupFailed.next(report);
  run.addCatch(clean, { errors: ['States.ALL'], resultPath: '$.failure' });
  return run.next(clean).next(report);
}
