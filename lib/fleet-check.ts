import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { resultsRoot } from '../functions/shared/batch-results';
import { batchTargets, checkFleet, type FleetTarget } from '../statemachines/check-fleet';
import { checkFailedMetric, type DrAlarmFactory, metricsOnlyInOurNamespace } from './alarms';
import { DrFunction } from './dr-function';
import { DrWorkflow } from './dr-workflow';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';

export interface FleetCheckProps {
  readonly plan: DrPlan;
  readonly reporting: Reporting;
  /** The stack's evidence bucket: each batch's results go under `runs/<workflow>/<execution>/results/`. */
  readonly evidenceBucket: s3.IBucket;
  /** The stack's alarm factory: one actionless alarm per check. */
  readonly alarms: DrAlarmFactory;
  /** The workflow's id, title, scenario or priority, and policy (`onChange`). */
  readonly descriptor: WorkflowDescriptor;
  /** The batch handler, e.g. `functions/replication-check/handler.ts`. */
  readonly entry: string;
  /** The function's description. */
  readonly description: string;
  /** Every target of the plan, listed at synth; batched by kind, `plan.fleet.batchSize` a batch. */
  readonly targets: readonly FleetTarget[];
  /** The checks each kind of target runs (one alarm each; a crashed batch counts its kind's as failed). */
  readonly checksByKind: Readonly<Record<string, readonly string[]>>;
  /** Titles of the kinds, for the names of the count-as-failed states. */
  readonly kindTitles: Readonly<Record<string, string>>;
  /** The whole workflow's timeout, in minutes (the plan's). */
  readonly timeoutMinutes: number;
  /** When it runs (an EventBridge schedule expression, the plan's). */
  readonly schedule: string;
  /** How long one check's verdict stands: the alarm's period, the schedule's interval. */
  readonly alarmPeriod: Duration;
}

/**
 * A scheduled fleet check in batches (the replication and posture checks): one function that checks a batch and
 * stores its results, the workflow around the shared fleet fragment, and one alarm per check. The alarms have no
 * action: the report, under the on-change policy, is the one notifier, and an alarm that also paged would announce
 * every change twice; they show on the dashboard and can be watched by other tools. The construct's owner grants
 * the function its read-only permissions.
 */
export class FleetCheck extends Construct {
  public readonly workflow: DrWorkflow;
  public readonly checkBatchFunction: DrFunction;
  /** One alarm per check, in ALARM while the check fails on any target. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: FleetCheckProps) {
    super(scope, id);
    const { plan, descriptor } = props;
    const root = resultsRoot(descriptor.workflow);
    this.checkBatchFunction = new DrFunction(this, 'CheckBatch', {
      plan,
      entry: props.entry,
      description: props.description,
      memorySize: 512,
      environment: { EVIDENCE_BUCKET: props.evidenceBucket.bucketName },
    });
    const resultObjects = props.evidenceBucket.arnForObjects(`${root}*`);
    this.checkBatchFunction.allow({ actions: ['s3:PutObject'], resources: [resultObjects] });
    acknowledgeWildcards(
      this.checkBatchFunction.role,
      { resources: [resultObjects] },
      `Writes only under ${root} of this stack’s evidence bucket; object names are per run.`,
    );

    const batches = batchTargets(props.targets, plan.fleet.batchSize);
    this.workflow = new DrWorkflow(this, 'Workflow', {
      plan,
      reporting: props.reporting,
      descriptor,
      timeout: Duration.minutes(props.timeoutMinutes),
      body: (scope) =>
        checkFleet(scope, {
          checkFunction: this.checkBatchFunction,
          resultsRoot: root,
          items: batches,
          itemField: 'batch',
          maxConcurrency: plan.fleet.maxConcurrency,
          checksByKind: props.checksByKind,
          kindTitles: props.kindTitles,
          names: { map: 'Check Each Batch', task: 'Check Batch', list: 'List Batches' },
          resultSelector: {
            'key.$': '$.Payload.key',
            'stored.$': '$.Payload.stored',
            'failed.$': '$.Payload.failed',
            'warned.$': '$.Payload.warned',
          },
        }),
      schedule: props.schedule,
    });
    // A crashed batch is counted as failed by the workflow itself (PutMetricData has no resource-level
    // permission): only into our namespace.
    this.workflow.stateMachine.addToRolePolicy(metricsOnlyInOurNamespace());
    acknowledgeWildcards(
      this.workflow.stateMachine.role,
      { resources: [`${this.checkBatchFunction.functionArn}:*`] },
      'CDK’s grant to invoke the check function’s versions.',
    );

    for (const check of [...new Set(Object.values(props.checksByKind).flat())]) {
      this.alarms[check] = props.alarms.alarm(this, `Alarm-${check}`, {
        capability: descriptor.workflow,
        what: `${check}-failed`,
        description: `${descriptor.title}: ${check} failed on at least one target. The run's report names them (no action here: the report notifies on change)`,
        metric: checkFailedMetric(check, props.alarmPeriod),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // Between runs there is no data: keep the last verdict. A check that stopped running is the freshness
        // monitor's (and, for the hourly check, the silence alarm's) to report.
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
        notify: false,
      });
    }
  }
}
