import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CHECK_METRICS, DIMENSIONS, METRICS_NAMESPACE } from '../functions/shared/metric-names';
import type { DrDashboard } from './dashboard';

/** One alarm, as a capability asks for it. */
export interface DrAlarmProps {
  /** The capability raising it, kebab-case, e.g. `backup-verification`: the name's middle part. */
  readonly capability: string;
  /** What it watches, kebab-case, e.g. `snapshot-age-failed`: the name's last part. */
  readonly what: string;
  /** The name the plan gives the alarm, for one that something outside the stack finds by name (the failover
   * switch's Route 53 health check); it replaces `<prefix>-<capability>-<what>`, and must still be unique.
   * @default - `<prefix>-<capability>-<what>` */
  readonly alarmName?: string;
  /** What firing means and what to do, for the person paged. */
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** How missing data counts. No default: a weekly job's silence and a daily monitor's silence mean different
   * things, so every caller decides. */
  readonly treatMissingData: cloudwatch.TreatMissingData;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default - evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** Whether ALARM and OK notify the stack's topic. An alarm that only feeds a composite alarm or a trigger
   * (the alarm router) sets false.
   * @default true */
  readonly notify?: boolean;
}

export interface DrAlarmFactoryProps {
  /** The plan's name prefix: every alarm is named `<prefix>-<capability>-<what>`. */
  readonly prefix: string;
  /** The stack's notification topic: receives every notifying alarm's ALARM and OK. */
  readonly topic: sns.ITopic;
  /** The stack's dashboard: every alarm appears in its status widget. */
  readonly dashboard: DrDashboard;
}

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The stack's one way to create an alarm (in the spirit of cdk-monitoring-constructs' `AlarmFactory`): names it
 * `<prefix>-<capability>-<what>` (or the name the plan gives it), wires ALARM and OK to the stack's topic unless
 * asked not to, and adds it to the stack's dashboard. No construct calls `addAlarmAction` itself, so no alarm can be created that pages nobody or
 * is missing from the dashboard by accident.
 */
export class DrAlarmFactory extends Construct {
  private readonly props: DrAlarmFactoryProps;
  private readonly action: actions.SnsAction;
  private readonly names = new Set<string>();

  constructor(scope: Construct, id: string, props: DrAlarmFactoryProps) {
    super(scope, id);
    this.props = props;
    this.action = new actions.SnsAction(props.topic);
  }

  /** Creates the alarm in `scope` (construct id `id`), named, wired and on the dashboard. */
  public alarm(scope: Construct, id: string, props: DrAlarmProps): cloudwatch.Alarm {
    for (const field of ['capability', 'what'] as const) {
      if (!KEBAB.test(props[field])) {
        throw new Error(`alarm ${field} "${props[field]}" must be kebab-case (lower-case letters, digits, '-')`);
      }
    }
    const alarmName = props.alarmName ?? `${this.props.prefix}-${props.capability}-${props.what}`;
    if (this.names.has(alarmName)) {
      const fix = props.alarmName
        ? 'name it differently from every other alarm of the stack'
        : 'give each alarm its own "what"';
      throw new Error(`alarm ${alarmName} exists already: ${fix}`);
    }
    this.names.add(alarmName);
    const alarm = new cloudwatch.Alarm(scope, id, {
      alarmName,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparisonOperator,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      datapointsToAlarm: props.datapointsToAlarm,
      treatMissingData: props.treatMissingData,
    });
    if (props.notify ?? true) {
      alarm.addAlarmAction(this.action);
      alarm.addOkAction(this.action);
    }
    this.props.dashboard.addAlarms(alarm);
    return alarm;
  }
}

/**
 * What a per-check alarm watches: `EntmootDR/CheckFailed {Check}`, the whole dimension set the check publisher
 * emits (functions/shared/check-metrics.ts), at the worst value of each period.
 */
export function checkFailedMetric(check: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: CHECK_METRICS.failed,
    dimensionsMap: { [DIMENSIONS.check]: check },
    statistic: cloudwatch.Stats.MAXIMUM,
    period,
  });
}

/**
 * A Deny for a workflow that counts crashed targets as failed itself: `cloudwatch:PutMetricData` has no
 * resource-level permission, so its grant is on `*`, and this keeps it in our namespace.
 */
export function metricsOnlyInOurNamespace(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringNotEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
  });
}
