/**
 * Reads many CloudWatch metrics at once with `GetMetricData`: at most 500 queries per call (the API's limit on
 * `MetricDataQueries`), every query over the same window, pages (`NextToken`) merged per query id. A batch of
 * checks shares these calls instead of one `GetMetricStatistics` per metric.
 *
 * API facts relied on (CloudWatch API reference, GetMetricData): query ids start with a lower-case letter and
 * hold only letters, digits and underscores; a result's `StatusCode` `PartialData` means more datapoints follow
 * on the next page, whose `MetricDataResults` repeat the id; `ScanBy: TimestampDescending` returns the newest
 * datapoints first. The caller's role needs `cloudwatch:GetMetricData` (it has no resource-level permissions).
 */
import { GetMetricDataCommand, type CloudWatchClient, type Dimension } from '@aws-sdk/client-cloudwatch';
import { paginate } from './paginate';

/** The API's limit on queries per `GetMetricData` call. */
export const MAX_QUERIES_PER_CALL = 500;

/** Pages read per call at most: a bound, far above what 500 queries over an hour return. */
const MAX_PAGES = 50;

/** One metric to read. */
export interface MetricQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Seconds per datapoint. */
  readonly period: number;
  readonly stat: 'Maximum' | 'Sum' | 'Average' | 'Minimum';
}

/** One datapoint. */
export interface Datapoint {
  readonly time: Date;
  readonly value: number;
}

/**
 * The datapoints of each query (index for index, oldest first) between `start` and `end`. Errors are the SDK's
 * own: the caller knows what a denial means for its checks.
 */
export async function readMetrics(
  cloudWatch: Pick<CloudWatchClient, 'send'>,
  queries: readonly MetricQuery[],
  start: Date,
  end: Date,
  where: string,
): Promise<Datapoint[][]> {
  const results: Datapoint[][] = queries.map(() => []);
  for (let first = 0; first < queries.length; first += MAX_QUERIES_PER_CALL) {
    const chunk = queries.slice(first, first + MAX_QUERIES_PER_CALL);
    const pages = paginate({
      fetch: (token) =>
        cloudWatch.send(
          new GetMetricDataCommand({
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampDescending',
            NextToken: token,
            MetricDataQueries: chunk.map((q, i) => ({
              Id: `m${first + i}`,
              ReturnData: true,
              MetricStat: {
                Metric: {
                  Namespace: q.namespace,
                  MetricName: q.metricName,
                  Dimensions: Object.entries(q.dimensions).map(([Name, Value]): Dimension => ({ Name, Value })),
                },
                Period: q.period,
                Stat: q.stat,
              },
            })),
          }),
        ),
      next: (out) => out.NextToken,
      maxPages: MAX_PAGES,
      what: `cloudwatch:GetMetricData in ${where}`,
    });
    for await (const page of pages) {
      for (const result of page.MetricDataResults ?? []) {
        const index = Number(result.Id?.slice(1));
        const into = results[index];
        if (!into) continue;
        (result.Timestamps ?? []).forEach((time, k) => {
          const value = result.Values?.[k];
          if (value !== undefined) into.push({ time, value });
        });
      }
    }
  }
  for (const points of results) points.sort((a, b) => a.time.getTime() - b.time.getTime());
  return results;
}
