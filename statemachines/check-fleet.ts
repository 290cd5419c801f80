import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { CHECK_METRICS, DIMENSIONS, METRICS_NAMESPACE } from '../functions/shared/metric-names';
import { lambdaTaskTimeout } from './lambda-task';
import { LAMBDA_TRANSIENT_ERRORS } from './retry';

/** A target of a fleet check: every kind has a `kind`, which picks the checks it counts as failed on a crash. */
export interface FleetTarget {
  readonly kind: string;
}

/** A batch of targets of one kind: one Lambda call checks it. */
export interface FleetBatch<T extends FleetTarget> {
  readonly kind: T['kind'];
  readonly targets: readonly T[];
}

/**
 * Targets in batches of at most `size`, each batch of one kind (so a crashed batch counts exactly its kind's checks
 * as failed), in the order the targets come.
 */
export function batchTargets<T extends FleetTarget>(targets: readonly T[], size: number): FleetBatch<T>[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a positive integer (got ${size})`);
  const byKind = new Map<string, T[]>();
  for (const t of targets) byKind.set(t.kind, [...(byKind.get(t.kind) ?? []), t]);
  const batches: FleetBatch<T>[] = [];
  for (const [kind, list] of byKind) {
    for (let i = 0; i < list.length; i += size) batches.push({ kind, targets: list.slice(i, i + size) });
  }
  return batches;
}

/** The state names of one fleet check, as the operator sees them (the weekly verification keeps its own). */
export interface FleetStateNames {
  /** The Map state, e.g. `Check Each Batch`. */
  readonly map: string;
  /** The Lambda task inside it, e.g. `Check Batch`. */
  readonly task: string;
  /** The Pass state that lists the items at synth, e.g. `List Batches`. */
  readonly list: string;
}

export interface CheckFleetProps {
  /** The Lambda that checks one item and stores its results under `resultsPrefix`. */
  readonly checkFunction: lambda.Function;
  /** `runs/<workflow>/`: each run's results go under `<root><execution>/results/`. */
  readonly resultsRoot: string;
  /** What one Map iteration hands the function, listed at synth: single targets, or batches. */
  readonly items: readonly FleetTarget[];
  /**
   * The field of the function's input that holds the item: `target` (one target; a crash records it) or `batch`
   * (a `FleetBatch`; a crash records its targets, one FAIL each).
   */
  readonly itemField: 'target' | 'batch';
  /** Items checked at once. */
  readonly maxConcurrency: number;
  /** The checks each kind runs: a crashed item counts each of its kind's checks as failed. */
  readonly checksByKind: Readonly<Record<string, readonly string[]>>;
  /** Titles of the kinds for the names of the count-as-failed states, e.g. `{ database: 'Database' }`. */
  readonly kindTitles: Readonly<Record<string, string>>;
  readonly names: FleetStateNames;
  /** What the Lambda's output keeps in the state (JSONPath into `$.Payload`): a count, a key — never the results. */
  readonly resultSelector: Record<string, string>;
}

/**
 * The fleet check every fleet workflow shares (the weekly verification, the replication and posture checks):
 * items listed at synth, checked `maxConcurrency` at a time by one Lambda call each, each call writing its results
 * to the evidence bucket under the run's prefix and returning counts (a fleet's results would pass the 256 KiB
 * payload cap, DESIGN §9). A crashed item becomes a crash marker naming its target(s) and the error, which the
 * report turns into one FAIL per target; first its kind's checks are counted as failed, so their alarms do not keep
 * the previous verdict. The chain ends with `$.storedResults` for the report (functions/report/stored-results.ts).
 */
export function checkFleet(scope: Construct, props: CheckFleetProps): sfn.IChainable {
  const { names } = props;
  const prefix = new sfn.Pass(scope, 'Name Results Prefix', {
    parameters: { 'prefix.$': `States.Format('${props.resultsRoot}{}/results/', $$.Execution.Name)` },
    resultPath: '$.run',
  });
  const list = new sfn.Pass(scope, names.list, {
    result: sfn.Result.fromArray([...props.items]),
    resultPath: '$.targets',
  });

  const run = new tasks.LambdaInvoke(scope, names.task, {
    lambdaFunction: props.checkFunction,
    payload: sfn.TaskInput.fromJsonPathAt('$'),
    payloadResponseOnly: false,
    retryOnServiceExceptions: false,
    resultSelector: props.resultSelector,
    taskTimeout: lambdaTaskTimeout(props.checkFunction),
  });
  run.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(10),
    maxAttempts: 3,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  const item = `$.${props.itemField}`;
  const recordError = new sfn.Pass(scope, 'Record Check Error', {
    parameters: {
      crashed:
        props.itemField === 'target'
          ? { 'target.$': item, 'error.$': '$.error.Error' }
          : { 'targets.$': `${item}.targets`, 'error.$': '$.error.Error' },
    },
  });
  run.addCatch(countAsFailed(scope, props, `${item}.kind`, recordError), {
    errors: ['States.ALL'],
    resultPath: '$.error',
  });

  const itemSelector: Record<string, string> = {
    [`${props.itemField}.$`]: '$$.Map.Item.Value',
    'resultsPrefix.$': '$.run.prefix',
  };
  if (props.itemField === 'batch') itemSelector['index.$'] = '$$.Map.Item.Index';
  const each = new sfn.Map(scope, names.map, {
    itemsPath: '$.targets',
    itemSelector,
    maxConcurrency: props.maxConcurrency,
    resultPath: '$.checks',
  }).itemProcessor(run);

  // Only the prefix and one count or crash marker per item go on to the report, which reads the results.
  const collect = new sfn.Pass(scope, 'Collect Results', {
    parameters: { storedResults: { 'prefix.$': '$.run.prefix', 'iterations.$': '$.checks' } },
  });
  return prefix.next(list).next(each).next(collect);
}

/**
 * An item whose checks crashed publishes no metric from the Lambda, so each of its kind's checks would keep the
 * previous verdict (their alarms ignore missing data). The workflow publishes `CheckFailed = 1` for each of them
 * itself, through CloudWatch's API with exactly the namespace and {Check} dimension the alarms watch; a failure to
 * publish is recorded and does not hide the error from the report.
 */
function countAsFailed(
  scope: Construct,
  props: CheckFleetProps,
  kindPath: string,
  next: sfn.IChainable,
): sfn.IChainable {
  const choice = new sfn.Choice(scope, 'Which Checks Crashed?');
  for (const [kind, checks] of Object.entries(props.checksByKind)) {
    const put = new tasks.CallAwsService(scope, `Count ${props.kindTitles[kind] ?? kind} Checks as Failed`, {
      service: 'cloudwatch',
      action: 'putMetricData',
      parameters: {
        Namespace: METRICS_NAMESPACE,
        MetricData: checks.map((check) => ({
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
    choice.when(sfn.Condition.stringEquals(kindPath, kind), put.next(next));
  }
  return choice.otherwise(next);
}
