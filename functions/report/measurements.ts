/**
 * Durations of a run, measured from its marks (`$$.State.EnteredTime` saved by Pass states) and held against
 * the plan's targets: the report computes them, never the workflow definition.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { DrPlan, Scenario } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';
import type { RunState, WorkflowDescriptor } from './evidence';
import { MEASURED_SECONDS } from '../shared/metric-names';

/** One duration a workflow measures: from one mark to another, optionally against a scenario's RTO. */
export interface MeasurementSpec {
  readonly name: string;
  /** Mark where it starts. */
  readonly from: string;
  /** Mark where it ends. */
  readonly to: string;
  /** Scenario whose RTO the duration must not exceed. */
  readonly target?: Scenario;
}

/** A time saved by a Pass state: `{ at: $$.State.EnteredTime }`. */
export interface Mark {
  readonly at: string;
}

/** A measured duration, as the run state carries it into the evidence. */
export interface MeasuredDuration {
  readonly name: string;
  readonly seconds: number;
  readonly targetSeconds?: number;
}

/** Check name of the result a measurement over its target adds. */
export const MEASUREMENT_CHECK = 'measured-duration';

/**
 * The specs' durations from the marks (a spec whose mark is missing is omitted: the run did not get there),
 * and one FAIL result for each over its target.
 */
export function measure(
  specs: readonly MeasurementSpec[],
  marks: Readonly<Record<string, Mark | undefined>>,
  plan: Pick<DrPlan, 'recoveryTargets'>,
  target: string,
): { measurements: MeasuredDuration[]; results: CheckResult[] } {
  const measurements: MeasuredDuration[] = [];
  const results: CheckResult[] = [];
  for (const spec of specs) {
    const from = Date.parse(marks[spec.from]?.at ?? '');
    const to = Date.parse(marks[spec.to]?.at ?? '');
    if (Number.isNaN(from) || Number.isNaN(to)) continue;
    const seconds = Math.max(0, (to - from) / 1000);
    const scenario = spec.target ? plan.recoveryTargets[spec.target] : undefined;
    const targetSeconds = scenario ? scenario.rtoMinutes * 60 : undefined;
    measurements.push({ name: spec.name, seconds, ...(targetSeconds === undefined ? {} : { targetSeconds }) });
    if (scenario && targetSeconds !== undefined && seconds > targetSeconds) {
      results.push({
        check: MEASUREMENT_CHECK,
        target,
        status: 'FAIL',
        observed: seconds,
        threshold: targetSeconds,
        detail: `${spec.name} took ${Math.round(seconds)} s, over the ${scenario.title} RTO of ${targetSeconds} s`,
      });
    }
  }
  return { measurements, results };
}

/**
 * Publishes each measurement as `MeasuredSeconds {Workflow, Measurement}` — exactly those two dimensions
 * (no Powertools default `service`), because an alarm matches a metric's whole dimension set.
 */
export function publishMeasurements(
  metrics: Metrics,
  workflow: string,
  measurements: readonly MeasuredDuration[],
): void {
  for (const m of measurements) {
    const single = metrics.singleMetric();
    single.clearDefaultDimensions();
    single.addDimensions({
      [MEASURED_SECONDS.dimensions.workflow]: workflow,
      [MEASURED_SECONDS.dimensions.measurement]: m.name,
    });
    single.addMetric(MEASURED_SECONDS.metric, MetricUnit.Seconds, m.seconds);
  }
}

/** The run state with the descriptor's measurements computed from its marks, and their FAILs among the results. */
export function withMeasurements(
  state: RunState,
  descriptor: WorkflowDescriptor,
  plan: Pick<DrPlan, 'recoveryTargets'>,
): RunState {
  if (!descriptor.measurements?.length) return state;
  const { measurements, results } = measure(
    descriptor.measurements,
    state.marks ?? {},
    plan,
    state.target ?? descriptor.workflow,
  );
  return {
    ...state,
    measurements: [...(state.measurements ?? []), ...measurements],
    results: [...(state.results ?? []), ...results],
  };
}
