import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FRESHNESS_METRIC, MEASURED_SECONDS, METRICS_NAMESPACE } from '../functions/shared/metric-names';
import type { WatchedJob } from './freshness-monitor';

export interface DrDashboardProps {
  /** Dashboard name: the plan's name prefix and the stack's name, e.g. `entmoot-dr-EntmootDrPrimary`. */
  readonly dashboardName: string;
}

/**
 * The stack's dashboard: what the stack watches, measured — each workflow's runs by outcome, each
 * scheduled job's hours since success against its alarm threshold, and every alarm's state. Capabilities
 * add their widgets and alarms as they are composed; the alarm status widget lists whatever was added by synth.
 */
export class DrDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly alarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: DrDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(35),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# Entmoot DR\nRuns by outcome, hours since each scheduled job last succeeded, and every alarm. Evidence of each run is in the stack’s evidence bucket.',
        width: 24,
        height: 2,
      }),
      // Rendered at synth from the shared list, so alarms added by capabilities composed later appear too.
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }

  /** Runs of a workflow by outcome (daily sums). */
  public addWorkflow(title: string, stateMachine: sfn.IStateMachine): void {
    const daily = { period: Duration.days(1), statistic: cloudwatch.Stats.SUM };
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${title}: runs by outcome`,
        width: 12,
        left: [
          stateMachine.metricSucceeded({ ...daily, label: 'succeeded' }),
          stateMachine.metricFailed({ ...daily, label: 'failed' }),
          stateMachine.metricTimedOut({ ...daily, label: 'timed out' }),
          stateMachine.metricAborted({ ...daily, label: 'aborted' }),
        ],
      }),
    );
  }

  /** Hours since a scheduled job last succeeded, with the overdue line its alarm fires above. */
  public addFreshness(job: WatchedJob): void {
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${job.job}: hours since last success`,
        width: 12,
        left: [
          new cloudwatch.Metric({
            namespace: FRESHNESS_METRIC.namespace,
            metricName: FRESHNESS_METRIC.metricName,
            dimensionsMap: { [FRESHNESS_METRIC.dimension]: job.job },
            statistic: cloudwatch.Stats.MAXIMUM,
            period: Duration.days(1),
          }),
        ],
        leftAnnotations: [{ value: job.threshold, label: 'overdue' }],
      }),
    );
  }

  /**
   * A workflow's measured durations (the report's `MeasuredSeconds`), in minutes, against the plan's target: the
   * RTO measured each run instead of assumed.
   */
  public addMeasurements(
    title: string,
    workflow: string,
    measurements: readonly string[],
    target: { readonly label: string; readonly minutes: number },
  ): void {
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${title}: minutes per run against the ${target.label}`,
        width: 12,
        left: measurements.map(
          (measurement, i) =>
            new cloudwatch.MathExpression({
              expression: `m${i} / 60`,
              label: measurement,
              period: Duration.days(1),
              usingMetrics: {
                [`m${i}`]: new cloudwatch.Metric({
                  namespace: METRICS_NAMESPACE,
                  metricName: MEASURED_SECONDS.metric,
                  dimensionsMap: {
                    [MEASURED_SECONDS.dimensions.workflow]: workflow,
                    [MEASURED_SECONDS.dimensions.measurement]: measurement,
                  },
                  statistic: cloudwatch.Stats.MAXIMUM,
                  period: Duration.days(1),
                }),
              },
            }),
        ),
        leftAnnotations: [{ value: target.minutes, label: target.label }],
        leftYAxis: { min: 0, label: 'minutes' },
      }),
    );
  }

  /** Alarms shown together in the status widget at the top (the alarm factory adds every alarm it creates). */
  public addAlarms(...alarms: cloudwatch.IAlarm[]): void {
    this.alarms.push(...alarms);
  }
}
