import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { CHECKS_BY_KIND, RESULTS_ROOT, type VerificationTarget } from '../functions/backup-verification/targets';
import { CHECK_METRICS, DIMENSIONS, METRICS_NAMESPACE } from '../functions/shared/metric-names';
import { lambdaTaskTimeout } from './lambda-task';
import { LAMBDA_TRANSIENT_ERRORS } from './retry';

export interface BackupVerificationFunctions {
  /** Runs one target's checks (functions/backup-verification). */
  readonly checkTarget: lambda.Function;
}

/** Targets checked at once: enough to finish a fleet in the workflow's timeout without a throttling storm. */
export const VERIFICATION_CONCURRENCY = 5;

/**
 * The weekly backup verification (the plan's verify-backups.sh and test-backups.sh): every target of the
 * plan checked in parallel with bounded concurrency, each target's results written to the evidence bucket under
 * the run's prefix (the state carries counts: a fleet's results would pass the 256 KiB payload cap); a target
 * whose checks crash becomes a FAIL result naming the error, so one run gives one report covering every target.
 */
export function backupVerificationDefinition(
  scope: Construct,
  targets: VerificationTarget[],
  fns: BackupVerificationFunctions,
): sfn.IChainable {
  // Results go to the evidence bucket under the run's own prefix; the state carries counts (DESIGN §9).
  const prefix = new sfn.Pass(scope, 'Name Results Prefix', {
    parameters: { 'prefix.$': `States.Format('${RESULTS_ROOT}{}/results/', $$.Execution.Name)` },
    resultPath: '$.run',
  });
  const list = new sfn.Pass(scope, 'List Targets', { result: sfn.Result.fromArray(targets), resultPath: '$.targets' });

  const run = new tasks.LambdaInvoke(scope, 'Check Target', {
    lambdaFunction: fns.checkTarget,
    payload: sfn.TaskInput.fromJsonPathAt('$'),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultSelector: { 'stored.$': '$.Payload.stored' },
    taskTimeout: lambdaTaskTimeout(fns.checkTarget),
  });
  run.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(10),
    maxAttempts: 3,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  // A crashed target is a marker (target and error name), which the report turns into a FAIL result; first its
  // kind's checks are counted as failed, so their alarms do not keep last week's verdict.
  const recordError = new sfn.Pass(scope, 'Record Check Error', {
    parameters: { crashed: { 'target.$': '$.target', 'error.$': '$.error.Error' } },
  });
  run.addCatch(countAsFailed(scope, recordError), { errors: ['States.ALL'], resultPath: '$.error' });

  const each = new sfn.Map(scope, 'Check Each Target', {
    itemsPath: '$.targets',
    itemSelector: { 'target.$': '$$.Map.Item.Value', 'resultsPrefix.$': '$.run.prefix' },
    maxConcurrency: VERIFICATION_CONCURRENCY,
    resultPath: '$.checks',
  }).itemProcessor(run);

  // Only the prefix and one count or crash marker per target go on to the report, which reads the results.
  const collect = new sfn.Pass(scope, 'Collect Results', {
    parameters: { storedResults: { 'prefix.$': '$.run.prefix', 'iterations.$': '$.checks' } },
  });
  return prefix.next(list).next(each).next(collect);
}

const KIND_TITLE: Record<VerificationTarget['kind'], string> = {
  database: 'Database',
  backups: 'Backups Bucket',
  dump: 'Dump',
};

/**
 * A target whose checks crashed publishes no metric from the Lambda, so each of its kind's checks would keep the
 * verdict of the week before (its alarm ignores missing data). The workflow publishes `CheckFailed = 1` for each
 * of them itself, through CloudWatch's API with exactly the namespace and {Check} dimension the alarms watch;
 * a failure to publish is recorded and does not hide the error from the report.
 */
function countAsFailed(scope: Construct, next: sfn.IChainable): sfn.IChainable {
  const choice = new sfn.Choice(scope, 'Which Checks Crashed?');
  for (const kind of Object.keys(CHECKS_BY_KIND) as VerificationTarget['kind'][]) {
    const put = new tasks.CallAwsService(scope, `Count ${KIND_TITLE[kind]} Checks as Failed`, {
      service: 'cloudwatch',
      action: 'putMetricData',
      parameters: {
        Namespace: METRICS_NAMESPACE,
        MetricData: CHECKS_BY_KIND[kind].map((check) => ({
          MetricName: CHECK_METRICS.failed,
          Dimensions: [{ Name: DIMENSIONS.check, Value: check }],
          Value: 1,
          Unit: 'Count',
        })),
      },
      // PutMetricData supports no resource-level permission; the namespace is limited by a condition (lib/).
      iamResources: ['*'],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    });
    put.addCatch(next, { errors: ['States.ALL'], resultPath: '$.metricsError' });
    choice.when(sfn.Condition.stringEquals('$.target.kind', kind), put.next(next));
  }
  return choice.otherwise(next);
}
