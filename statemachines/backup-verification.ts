import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { VerificationTarget } from '../functions/backup-verification/targets';
import type { DrPlan } from '../lib/plan';
import { LAMBDA_TRANSIENT_ERRORS } from './retry';

export interface BackupVerificationFunctions {
  /** Runs one target's checks (functions/backup-verification). */
  readonly runChecks: lambda.IFunction;
}

/** Targets checked at once: enough to finish a fleet in the workflow's timeout without a throttling storm. */
export const VERIFICATION_CONCURRENCY = 5;

/**
 * The weekly backup verification (the plan's verify-backups.sh and test-backups.sh): every target of the
 * plan checked in parallel with bounded concurrency; a target whose checks crash becomes a FAIL result
 * naming the error, so one run gives one report covering every target.
 */
export function backupVerificationDefinition(
  scope: Construct,
  plan: DrPlan,
  targets: VerificationTarget[],
  fns: BackupVerificationFunctions,
): sfn.IChainable {
  const list = new sfn.Pass(scope, 'List Targets', { result: sfn.Result.fromArray(targets), resultPath: '$.targets' });

  const run = new tasks.LambdaInvoke(scope, 'Check Target', {
    lambdaFunction: fns.runChecks,
    payload: sfn.TaskInput.fromJsonPathAt('$.target'),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultSelector: { 'results.$': '$.Payload' },
    taskTimeout: sfn.Timeout.duration(Duration.seconds(plan.timeouts.lambdaTaskSeconds + 30)),
  });
  run.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(10),
    maxAttempts: 3,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  run.addCatch(
    new sfn.Pass(scope, 'Record Check Error', {
      parameters: {
        results: [
          {
            'check.$': "States.Format('{}-checks', $.target.kind)",
            'target.$': 'States.JsonToString($.target)',
            status: 'FAIL',
            observed: null,
            threshold: null,
            'detail.$': "States.Format('the checks could not run: {}', $.error.Error)",
          },
        ],
      },
    }),
    { errors: ['States.ALL'], resultPath: '$.error' },
  );

  const each = new sfn.Map(scope, 'Check Each Target', {
    itemsPath: '$.targets',
    itemSelector: { 'target.$': '$$.Map.Item.Value' },
    maxConcurrency: VERIFICATION_CONCURRENCY,
    resultPath: '$.checks',
  }).itemProcessor(run);

  // One list per target; the report flattens them.
  const collect = new sfn.Pass(scope, 'Collect Results', { parameters: { 'results.$': '$.checks[*].results' } });
  return list.next(each).next(collect);
}
