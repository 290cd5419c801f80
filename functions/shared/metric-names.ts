/**
 * Every CloudWatch metric the system publishes, by name: the namespace, each metric and each dimension. The
 * functions that publish and the constructs that alarm (lib/) import the same constants, so a renamed metric
 * cannot leave an alarm watching nothing. Importing this module has no side effects: no Logger, Metrics or SDK
 * client is constructed, so lib/ can import it at synth time.
 */

/** CloudWatch namespace of every metric the system publishes. */
export const METRICS_NAMESPACE = 'EntmootDR';

/** Dimension names. CloudWatch matches a metric by its whole dimension set, so each metric lists its set below. */
export const DIMENSIONS = {
  /** A check's name, e.g. `snapshot-age`. */
  check: 'Check',
  /** What a check looked at, e.g. a database id or `s3://bucket/key`. */
  target: 'Target',
  /** A scheduled job's name, e.g. `janitor`. */
  job: 'Job',
  /** A workflow's id, e.g. `snapshot-restore-test-db`. */
  workflow: 'Workflow',
  /** A measurement of a workflow run, e.g. `total`. */
  measurement: 'Measurement',
} as const;

/** Metric names every check publishes, each with its exact dimension set. */
export const CHECK_METRICS = {
  /** 0 PASS, 1 WARN, 2 FAIL, per check and target: dimensions {Check, Target}. */
  status: 'CheckStatus',
  /** 1 when the check failed on any target, else 0, per check: dimensions {Check}; the per-check alarm watches it. */
  failed: 'CheckFailed',
  /** The observed value, when numeric, per check and target: dimensions {Check, Target}. */
  observed: 'CheckObserved',
} as const;

/** Results one call of a batched fleet check produced, per call: dimensions {Workflow}; its absence is alarmed. */
export const CHECKS_RUN_METRIC = 'ChecksRun';

/** Hours since a scheduled job last succeeded, published daily by the freshness monitor: dimensions {Job}. */
export const FRESHNESS_METRIC = {
  namespace: METRICS_NAMESPACE,
  metricName: 'HoursSinceSuccess',
  dimension: DIMENSIONS.job,
} as const;

/** How many watched jobs are overdue, per monitor run (no dimension besides Powertools' `service`). */
export const OVERDUE_JOBS_METRIC = 'OverdueJobs';

/** How many ended runs the daily reconciliation reported because no report had been sent. */
export const RECONCILED_RUNS_METRIC = 'ReconciledRuns';

/** A workflow's measured duration, in seconds, per workflow and measurement (from the report's marks): dimensions
 * {Workflow, Measurement}, without Powertools' default `service`. */
export const MEASURED_SECONDS = {
  metric: 'MeasuredSeconds',
  dimensions: { workflow: DIMENSIONS.workflow, measurement: DIMENSIONS.measurement },
} as const;

/**
 * The failover switch's metric (`plan.dns.control` of kind `healthCheckAlarm`): the plan names its namespace and
 * metric; this module fixes its shape. No dimensions (an alarm matches the whole dimension set, and the switch is
 * one per account), standard resolution (Route 53 watches no high-resolution alarm), one value per minute: 1 while
 * the primary region serves, 0 to fail over.
 */
export const FAILOVER_SWITCH_METRIC = {
  /** The alarm's period and the publisher's `StorageResolution`, in seconds. */
  periodSeconds: 60,
  /** "The primary region is active": the alarm stays OK, the health check healthy. */
  primaryActive: 1,
  /** "Fail over": below the alarm's threshold of 1, so the alarm goes to ALARM and the health check unhealthy. */
  failedOver: 0,
} as const;

/** What the plan says the switch's metric is called (`plan.dns.control`). */
export interface FailoverSwitchMetricNames {
  readonly metricNamespace: string;
  readonly metricName: string;
}

/**
 * The `PutMetricData` input that sets the failover switch (the regional failover sends it; the alarm in the recovery
 * stack watches exactly this namespace, name and empty dimension set).
 */
export function failoverSwitchMetricData(
  names: FailoverSwitchMetricNames,
  primaryActive: boolean,
  timestamp: Date,
): {
  Namespace: string;
  MetricData: {
    MetricName: string;
    Dimensions: { Name: string; Value: string }[];
    Value: number;
    Unit: 'None';
    StorageResolution: number;
    Timestamp: Date;
  }[];
} {
  return {
    Namespace: names.metricNamespace,
    MetricData: [
      {
        MetricName: names.metricName,
        Dimensions: [],
        Value: primaryActive ? FAILOVER_SWITCH_METRIC.primaryActive : FAILOVER_SWITCH_METRIC.failedOver,
        Unit: 'None',
        StorageResolution: FAILOVER_SWITCH_METRIC.periodSeconds,
        Timestamp: timestamp,
      },
    ],
  };
}
