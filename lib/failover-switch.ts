import { CfnOutput, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { FAILOVER_SWITCH_METRIC } from '../functions/shared/metric-names';
import type { DrAlarmFactory } from './alarms';
import type { DrPlan } from './plan';

/** Stack output key of the health check id the operator attaches to the primary failover records. */
export const FAILOVER_HEALTH_CHECK_OUTPUT = 'FailoverHealthCheckId';

export interface FailoverSwitchProps {
  /** The validated DR plan: its `dns.control` must be a `healthCheckAlarm` the stack creates. */
  readonly plan: DrPlan;
  /** The stack's alarm factory: the switch's alarm is named by the plan, has no action, and is on the dashboard. */
  readonly alarms: DrAlarmFactory;
}

/**
 * The data-plane switch a regional failover flips when `dns.control` is `healthCheckAlarm` (DESIGN.md §8): a
 * CloudWatch alarm in the recovery region on the metric the failover publishes, and a Route 53 health check on that
 * alarm, which the operator attaches once to the PRIMARY failover record of each `dns.records` name (README,
 * "Attaching the failover switch"). Publishing 0 puts the alarm in ALARM, the health check goes unhealthy and Route
 * 53's data plane answers with the SECONDARY record: no us-east-1 control plane is needed at failover time.
 */
export class FailoverSwitch extends Construct {
  /** The alarm the health check watches, named `dns.control.alarmName`. */
  public readonly alarm: cloudwatch.Alarm;
  /** The Route 53 health check on the alarm. */
  public readonly healthCheck: route53.HealthCheck;

  constructor(scope: Construct, id: string, props: FailoverSwitchProps) {
    super(scope, id);
    const control = props.plan.dns.control;
    if (control.kind !== 'healthCheckAlarm' || !control.createdByStack) {
      throw new Error(
        'FailoverSwitch needs plan.dns.control of kind healthCheckAlarm with createdByStack true: otherwise the stack creates no switch',
      );
    }
    // The alarm is a switch, not a page: ALARM means "fail over", which the failover itself caused; so no action.
    this.alarm = props.alarms.alarm(this, 'Alarm', {
      capability: 'failover',
      what: 'switch',
      alarmName: control.alarmName,
      description:
        'The failover switch: a Route 53 health check watches this alarm. ALARM (the regional failover published 0) sends the failover records to the recovery region; OK keeps them on the primary. Not a page.',
      // No dimensions and standard resolution, exactly what the failover publishes (failoverSwitchMetricData).
      metric: new cloudwatch.Metric({
        namespace: control.metricNamespace,
        metricName: control.metricName,
        statistic: cloudwatch.Stats.MINIMUM,
        period: Duration.seconds(FAILOVER_SWITCH_METRIC.periodSeconds),
      }),
      threshold: FAILOVER_SWITCH_METRIC.primaryActive,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // Minutes nobody publishes are INSUFFICIENT_DATA, and the health check keeps its last status through them.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      notify: false,
    });
    this.healthCheck = new route53.HealthCheck(this, 'HealthCheck', {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { name: control.alarmName, region: Stack.of(this).region },
      // LastKnownStatus: while nobody publishes (most of the time: the failover publishes only when it runs) DNS keeps
      // the last verdict, and a new health check starts healthy. Healthy would fail back to a dead primary as soon as
      // the failover stops publishing 0; Unhealthy would fail over whenever publishing stops.
      insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
    });
    // The plan's name, not a reference, identifies the alarm; Route 53 reads the alarm when the health check is
    // created, so the alarm must exist first.
    this.healthCheck.node.addDependency(this.alarm);
    Tags.of(this.healthCheck).add('Name', `${props.plan.system.namePrefix}-failover-switch`);
    new CfnOutput(this, 'HealthCheckId', {
      key: FAILOVER_HEALTH_CHECK_OUTPUT,
      value: this.healthCheck.healthCheckId,
      description: `Route 53 health check on the alarm ${control.alarmName}: attach it once, before any outage, as HealthCheckId of the PRIMARY failover record of each dns.records name (README: Attaching the failover switch)`,
    });
  }
}
