/**
 * CloudWatch `GetMetricData` over seeded datapoints, per region (CloudWatch API reference, GetMetricData): at most
 * 500 `MetricDataQueries` a call; each `MetricStat` names a metric by namespace, name and its whole dimension set
 * (a metric with one dimension more or less is another metric), a `Period` in seconds and a `Stat`; datapoints are
 * aggregated per period, periods aligned to the epoch; `ScanBy` `TimestampDescending` (the default) returns the
 * newest first; a query id starts with a lower-case letter. A query for a metric with no datapoint in the window
 * returns empty `Timestamps` and `Values` with `StatusCode` `Complete`.
 */
import { ServiceFault } from './errors';
import { CloudWatchModel, type Ctx } from './services';

/** A metric's identity: namespace, name and whole dimension set. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

interface Series extends MetricId {
  readonly region: string;
  readonly points: { at: Date; value: number }[];
}

/** The API's limit on queries per call. */
export const MAX_METRIC_DATA_QUERIES = 500;

function sameDimensions(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

function aggregate(stat: string, values: number[]): number {
  switch (stat) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((s, v) => s + v, 0);
    case 'Average':
      return values.reduce((s, v) => s + v, 0) / values.length;
    case 'SampleCount':
      return values.length;
    default:
      throw new ServiceFault('InvalidParameterValue', `The model does not compute the statistic ${stat}`, 400, false);
  }
}

/** CloudWatch with metric data: `seedDatapoints` stores what AWS services would publish; `GetMetricData` reads it. */
export class MetricsCloudWatchModel extends CloudWatchModel {
  readonly series: Series[] = [];
  /** Queries per GetMetricData call, in call order, for tests of how checks share calls. */
  readonly metricDataCalls: { region: string; queries: number }[] = [];

  /** Adds datapoints of a metric in a region (as AWS/S3 or AWS/RDS would publish them). */
  seedDatapoints(region: string, metric: MetricId, points: readonly { at: Date; value: number }[]): void {
    let series = this.series.find(
      (s) =>
        s.region === region &&
        s.namespace === metric.namespace &&
        s.metricName === metric.metricName &&
        sameDimensions(s.dimensions, metric.dimensions),
    );
    if (!series) {
      series = { region, ...metric, dimensions: { ...metric.dimensions }, points: [] };
      this.series.push(series);
    }
    series.points.push(...points.map((p) => ({ at: new Date(p.at), value: p.value })));
  }

  GetMetricData(ctx: Ctx, input: Record<string, unknown>): unknown {
    const queries = (input.MetricDataQueries as Array<Record<string, any>> | undefined) ?? [];
    if (queries.length === 0 || queries.length > MAX_METRIC_DATA_QUERIES) {
      throw new ServiceFault(
        'ValidationError',
        `MetricDataQueries must hold 1 to ${MAX_METRIC_DATA_QUERIES} queries (got ${queries.length})`,
        400,
        false,
      );
    }
    const start = new Date(input.StartTime as Date).getTime();
    const end = new Date(input.EndTime as Date).getTime();
    if (!(start < end)) throw new ServiceFault('ValidationError', 'StartTime must be before EndTime', 400, false);
    this.metricDataCalls.push({ region: ctx.region, queries: queries.length });
    const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const results = queries.map((q) => {
      const id = String(q.Id ?? '');
      if (!/^[a-z][A-Za-z0-9_]*$/.test(id))
        throw new ServiceFault('ValidationError', `Invalid query id ${id}: start with a lower-case letter`, 400, false);
      const stat = q.MetricStat as
        | {
            Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] };
            Period: number;
            Stat: string;
          }
        | undefined;
      if (!stat) throw new ServiceFault('ValidationError', 'The model reads MetricStat queries only', 400, false);
      const dims = Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const periodMs = Number(stat.Period) * 1000;
      if (!(periodMs >= 1000))
        throw new ServiceFault('ValidationError', 'Period must be at least 1 second', 400, false);
      const points = this.series
        .filter(
          (s) =>
            s.region === ctx.region &&
            s.namespace === stat.Metric.Namespace &&
            s.metricName === stat.Metric.MetricName &&
            sameDimensions(s.dimensions, dims),
        )
        .flatMap((s) => s.points)
        .filter((p) => p.at.getTime() >= start && p.at.getTime() < end);
      const byPeriod = new Map<number, number[]>();
      for (const p of points) {
        const bucket = Math.floor(p.at.getTime() / periodMs) * periodMs;
        byPeriod.set(bucket, [...(byPeriod.get(bucket) ?? []), p.value]);
      }
      const times = [...byPeriod.keys()].sort((a, b) => (descending ? b - a : a - b));
      return {
        Id: id,
        Label: stat.Metric.MetricName,
        Timestamps: times.map((t) => new Date(t)),
        Values: times.map((t) => aggregate(stat.Stat, byPeriod.get(t) ?? [])),
        StatusCode: 'Complete',
      };
    });
    return { MetricDataResults: results, Messages: [] };
  }
}
