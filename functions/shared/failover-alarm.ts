/**
 * Reads and judges the CloudWatch alarm that a Route 53 health check watches when the plan's DNS control is
 * `healthCheckAlarm` (readiness judges it; the regional failover drives its metric with `PutMetricData`).
 *
 * Facts relied on (Route 53 Developer Guide, "Monitoring a CloudWatch alarm" health checks; CloudWatch API
 * reference, `MetricAlarm`):
 * - Route 53 can watch only standard-resolution alarms (`Period` of 60 s or more) on a statistic it knows:
 *   Average, Minimum, Maximum, Sum or SampleCount; an alarm on an extended statistic (a percentile) is refused.
 * - `TreatMissingData` must be `missing`: otherwise CloudWatch decides a state for minutes nobody published, and
 *   the health check's `InsufficientDataHealthStatus` (`LastKnownStatus`) would never be what keeps the verdict.
 * - An alarm matches a metric's whole dimension set; the failover publishes the metric without dimensions.
 * - The failover publishes 1 while the primary region serves and 0 to fail over (the alarm the recovery stack
 *   creates: Minimum below 1), so 0 must breach the alarm's threshold and 1 must not.
 * - `StateValue` `ALARM` means the health check is unhealthy: traffic already goes to the recovery region.
 *   `INSUFFICIENT_DATA` is the normal state between publications.
 */
import { DescribeAlarmsCommand, type CloudWatchClient, type MetricAlarm } from '@aws-sdk/client-cloudwatch';

/** The statistics a Route 53 health check accepts on the alarm it watches. */
const ROUTE53_STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'];

/** Whether `value` breaches `threshold` under `operator` (the anomaly-detection operators never do here). */
function breaches(operator: string, threshold: number, value: number): boolean {
  switch (operator) {
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    default:
      return false;
  }
}

/** The alarm named `alarmName` in the client's region, or undefined when there is none. */
export async function readFailoverAlarm(
  cloudwatch: Pick<CloudWatchClient, 'send'>,
  alarmName: string,
): Promise<MetricAlarm | undefined> {
  const out = await cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm'] }),
  );
  return out.MetricAlarms?.find((a) => a.AlarmName === alarmName);
}

/** What the plan says the alarm watches. */
export interface FailoverAlarmSpec {
  readonly alarmName: string;
  readonly metricNamespace: string;
  readonly metricName: string;
}

/** The verdict on the alarm: each problem one sentence; `failedOver` when it is in ALARM. */
export interface FailoverAlarmJudgement {
  readonly problems: readonly string[];
  readonly failedOver: boolean;
  /** The alarm's state (`OK`, `ALARM`, `INSUFFICIENT_DATA`), or null when it does not exist. */
  readonly state: string | null;
}

/** Judges `alarm` against what a Route 53 health check needs and what the plan says it watches. */
export function judgeFailoverAlarm(alarm: MetricAlarm | undefined, spec: FailoverAlarmSpec): FailoverAlarmJudgement {
  if (!alarm) {
    return {
      problems: [`alarm ${spec.alarmName} does not exist: deploy the recovery stack or fix dns.control.alarmName`],
      failedOver: false,
      state: null,
    };
  }
  const problems: string[] = [];
  if (alarm.Metrics && alarm.Metrics.length > 0) {
    problems.push('it is a metric-math alarm: Route 53 watches only alarms on one metric');
  }
  if (alarm.Namespace !== spec.metricNamespace || alarm.MetricName !== spec.metricName) {
    problems.push(
      `it watches ${alarm.Namespace ?? '?'}/${alarm.MetricName ?? '?'}, but the failover publishes ${spec.metricNamespace}/${spec.metricName}`,
    );
  }
  if ((alarm.Dimensions ?? []).length > 0) {
    problems.push(
      `it watches the dimensions ${(alarm.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', ')}, but the failover publishes none (an alarm matches the whole dimension set)`,
    );
  }
  if (alarm.Period === undefined || alarm.Period < 60) {
    problems.push(
      `its period is ${alarm.Period ?? 'unset'} s: Route 53 needs a standard-resolution alarm (60 s or more)`,
    );
  }
  if (alarm.ExtendedStatistic) {
    problems.push(`it uses the extended statistic ${alarm.ExtendedStatistic}, which Route 53 does not accept`);
  } else if (!alarm.Statistic || !ROUTE53_STATISTICS.includes(alarm.Statistic)) {
    problems.push(
      `its statistic ${alarm.Statistic ?? 'unset'} is not one Route 53 accepts (${ROUTE53_STATISTICS.join(', ')})`,
    );
  }
  if (!alarm.ComparisonOperator || alarm.Threshold === undefined) {
    problems.push('it has no comparison with a threshold');
  } else if (
    !breaches(alarm.ComparisonOperator, alarm.Threshold, 0) ||
    breaches(alarm.ComparisonOperator, alarm.Threshold, 1)
  ) {
    problems.push(
      `it compares ${alarm.ComparisonOperator} ${alarm.Threshold}: publishing 0 (fail over) must put it in ALARM and 1 (primary active) must not`,
    );
  }
  if ((alarm.TreatMissingData ?? 'missing') !== 'missing') {
    problems.push(
      `it treats missing data as ${alarm.TreatMissingData}: set missing, so the health check keeps its last status between publications`,
    );
  }
  return { problems, failedOver: alarm.StateValue === 'ALARM', state: alarm.StateValue ?? null };
}
