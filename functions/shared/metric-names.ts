/**
 * Names of the metrics the system publishes and their dimensions: one side-effect-free module that the
 * publishers and the alarms import, so an alarm's dimension set is exactly the one emitted.
 */

/** CloudWatch namespace of every metric the system publishes. */
export const METRIC_NAMESPACE = 'EntmootDR';

/** A workflow's measured duration, in seconds, per workflow and measurement (from the report's marks). */
export const MEASURED_SECONDS = {
  metric: 'MeasuredSeconds',
  dimensions: { workflow: 'Workflow', measurement: 'Measurement' },
} as const;
