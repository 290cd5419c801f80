import { ArnFormat, CustomResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { JOB_NAME, type FreshnessJob } from '../functions/freshness/check-freshness';
import { FRESHNESS_METRIC } from '../functions/shared/metric-names';
import { intervalHoursOf } from '../functions/freshness/schedule-interval';
import type { DrAlarmFactory } from './alarms';
import { givenStateMachineName, statesArn } from './arns';
import { DrFunction } from './dr-function';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { DrWorkflow } from './dr-workflow';
import type { Reporting } from './reporting';

/** A scheduled job as the monitor watches it. */
export interface WatchedJob {
  /** The job's name (its workflow's id): the metric's `Job` dimension. */
  readonly job: string;
  /** Fires when the job has not succeeded for longer than `threshold` hours. */
  readonly alarm: cloudwatch.Alarm;
  /** Hours since the last success above which the job is overdue: its schedule's longest gap plus the grace. */
  readonly threshold: number;
}

export interface FreshnessMonitorProps {
  /** The validated DR plan (grace hours, the monitor's schedule, Lambda timeouts). */
  readonly plan: DrPlan;
  /** The stack's alarm factory: every freshness alarm notifies its topic and appears on its dashboard. */
  readonly alarms: DrAlarmFactory;
  /** The stack's reporting: the monitor reconciles its registered workflows' ended runs daily, with its grants. */
  readonly reporting: Reporting;
  /** When the monitor runs (an EventBridge schedule expression); it should run at least daily.
   * @default - the plan's freshness schedule (daily) */
  readonly schedule?: string;
}

/**
 * The freshness monitor (DESIGN §3): CloudWatch alarms look back at most 7 days, so a weekly or monthly job that
 * silently stops running would never alarm. A Lambda, run daily by an EventBridge rule, reads each watched job's
 * newest successful execution and publishes `EntmootDR/HoursSinceSuccess {Job}`; one alarm per job fires when the
 * value passes the job's schedule interval plus the plan's grace. A job that never succeeded is measured from its
 * state machine's creation, so it becomes overdue one interval plus grace after it was deployed.
 *
 * Every scheduled workflow registers with one line: `freshness.watch(janitor.workflow)`.
 *
 * The same daily run reconciles ended runs: every workflow registered with the stack's Reporting whose runs
 * ended FAILED, TIMED_OUT or ABORTED in the last two days without a report is reported, as the status-change
 * reporter would (its EventBridge events are best-effort).
 */
export class FreshnessMonitor extends Construct {
  /** The monitor's function. */
  public readonly function: DrFunction;
  /** The rule that runs the monitor. */
  public readonly scheduleRule: events.Rule;
  /** Fires when the monitor itself fails (throttled after retries, or a deployment mistake). */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /**
   * Runs the monitor once on every deployment that changes it, after the watched state machines exist and before
   * their overdue alarms are created: each alarm's first evaluation then finds a datapoint (a new job measures
   * from its creation, about 0 h) instead of missing data, which these alarms treat as breaching — so a first
   * deploy does not page.
   */
  public readonly firstRun: CustomResource;

  private readonly plan: DrPlan;
  private readonly alarms: DrAlarmFactory;
  private readonly watched: FreshnessJob[] = [];
  /** Each watched job's state machine name. */
  private readonly machineNames = new Map<string, string>();

  constructor(scope: Construct, id: string, props: FreshnessMonitorProps) {
    super(scope, id);
    this.plan = props.plan;
    this.alarms = props.alarms;
    const schedule = props.schedule ?? props.plan.schedules.freshness;

    this.function = new DrFunction(this, 'Function', {
      plan: props.plan,
      entry: 'functions/freshness/handler.ts',
      description: 'Freshness monitor: publishes hours since each scheduled job last succeeded',
      serviceName: 'freshness-monitor',
      environment: {
        // Lazy: jobs watched after this construct was created are included at synth. State machines by name, with
        // the ARNs' common prefix once: Lambda allows 4 KB of environment in all (DESIGN §9).
        FRESHNESS_JOBS: Lazy.string({
          produce: () =>
            Stack.of(this).toJsonString(
              this.watched.map(({ stateMachineArn: _, ...job }) => ({
                ...job,
                stateMachine: this.machineNames.get(job.job),
              })),
            ),
        }),
        REPORTED_WORKFLOWS: props.reporting.registeredWorkflowsJson(),
        STATE_MACHINE_ARN_PREFIX: `${Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: 'x', arnFormat: ArnFormat.COLON_RESOURCE_NAME }).slice(0, -1)}`,
        ...props.reporting.environment(),
      },
    });
    // The daily reconciliation (functions/status-change-reporter/reconcile.ts): list our workflows' ended runs, describe them, and
    // report those the status-change reporter missed, exactly as it would.
    props.reporting.grantReport(this.function);
    const machines = statesArn(this, 'stateMachine', props.plan.system.namePrefix);
    const executions = `${statesArn(this, 'execution', props.plan.system.namePrefix)}:*`;
    this.function.allow({ actions: ['states:ListExecutions'], resources: [machines] });
    this.function.allow({ actions: ['states:DescribeExecution'], resources: [executions] });
    acknowledgeWildcards(
      this.function.role,
      { resources: [machines, executions] },
      'Reconciliation reads only our workflows (edr-*) and their executions, named at run time.',
    );

    this.scheduleRule = new events.Rule(this, 'Schedule', {
      description: `Runs the freshness monitor (${schedule})`,
      schedule: events.Schedule.expression(schedule),
    });
    this.scheduleRule.addTarget(
      new targets.LambdaFunction(this.function, {
        event: events.RuleTargetInput.fromObject({ trigger: 'schedule' }),
        retryAttempts: 2,
      }),
    );

    // The monitor is its own custom resource (functions/freshness/deploy-hook.ts): no provider function of CDK's
    // outside the house rules. The jobs are a property, so watching a new job runs the monitor again.
    this.firstRun = new CustomResource(this, 'FirstRun', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::FreshnessFirstRun',
      properties: { Jobs: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.watched) }) },
    });

    this.errorsAlarm = this.alarms.alarm(this, 'MonitorErrors', {
      capability: 'freshness',
      what: 'monitor-errors',
      description:
        'The freshness monitor failed: job freshness is not being measured. Read its log group for the error.',
      metric: this.function.metricErrors({ period: Duration.days(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No invocation, no error: the overdue alarms catch a monitor that stopped running.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** The jobs watched so far. */
  public get jobs(): readonly FreshnessJob[] {
    return [...this.watched];
  }

  /**
   * Watches a scheduled workflow: adds it to the monitor's list under its workflow id, lets the monitor read its
   * state machine's executions (and only that one's), and returns the job with the alarm that fires when it has
   * not succeeded for longer than its own schedule's longest gap plus `plan.freshness.graceHours`, and that bound.
   *
   * @param workflow the scheduled workflow (a `DrWorkflow`): its descriptor names the job, its schedule bounds it
   */
  public watch(workflow: Pick<DrWorkflow, 'descriptor' | 'stateMachine' | 'schedule'>): WatchedJob {
    const { stateMachine, schedule } = workflow;
    const job = workflow.descriptor.workflow;
    if (schedule === undefined)
      throw new Error(
        `FreshnessMonitor.watch: workflow "${job}" has no schedule: only scheduled workflows can be overdue`,
      );
    if (!JOB_NAME.test(job)) {
      throw new Error(
        `FreshnessMonitor.watch: job "${job}" must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit`,
      );
    }
    if (this.watched.some((w) => w.job === job))
      throw new Error(`FreshnessMonitor.watch: job "${job}" is already watched: give each job its own name`);
    const intervalHours = intervalHoursOf(schedule);
    const graceHours = this.plan.freshness.graceHours;
    const threshold = intervalHours + graceHours;
    this.watched.push({ job, stateMachineArn: stateMachine.stateMachineArn, intervalHours, graceHours });
    this.machineNames.set(job, givenStateMachineName(stateMachine));
    this.function.allow({
      actions: ['states:ListExecutions', 'states:DescribeStateMachine'],
      resources: [stateMachine.stateMachineArn],
    });

    // The monitor publishes one datapoint a day. A one-day period with Maximum evaluates that datapoint; missing
    // data is breaching, so a monitor that stops publishing also alarms — once CloudWatch's evaluation range
    // (a few periods) holds no datapoint at all, since it evaluates the newest datapoints it has before filling.
    this.firstRun.node.addDependency(stateMachine);
    const alarm = this.alarms.alarm(this, `Overdue${pascal(job)}`, {
      capability: 'freshness',
      what: `${kebab(job)}-overdue`,
      description:
        `${job} has not succeeded for more than ${hoursText(threshold)} h (runs every ${hoursText(intervalHours)} h on ${schedule}, ` +
        `plus ${graceHours} h grace), or the freshness monitor stopped reporting it. Check the job's schedule rule and recent executions.`,
      metric: new cloudwatch.Metric({
        namespace: FRESHNESS_METRIC.namespace,
        metricName: FRESHNESS_METRIC.metricName,
        dimensionsMap: { [FRESHNESS_METRIC.dimension]: job },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.days(1),
      }),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm.node.addDependency(this.firstRun);
    return { job, alarm, threshold };
  }
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** A job name as an alarm-name part: lower case, runs of other characters as one '-'. */
function kebab(text: string): string {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('-');
}

function hoursText(hours: number): string {
  return Number.isInteger(hours) ? String(hours) : hours.toFixed(2);
}
