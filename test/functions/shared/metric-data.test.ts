import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_QUERIES_PER_CALL, readMetrics, type MetricQuery } from '../../../functions/shared/metric-data';
import { PageLimitError } from '../../../functions/shared/errors';

const cloudWatch = new CloudWatchClient({ region: 'us-east-1' });
const mock = mockClient(cloudWatch);
const START = new Date('2025-11-10T05:00:00Z');
const END = new Date('2025-11-10T06:00:00Z');
const at = (minute: number) => new Date(START.getTime() + minute * 60_000);

const query = (id: string): MetricQuery => ({
  namespace: 'AWS/RDS',
  metricName: 'ReplicaLag',
  dimensions: { DBInstanceIdentifier: id },
  period: 60,
  stat: 'Maximum',
});

beforeEach(() => mock.reset());

describe('readMetrics', () => {
  it('asks for each query over the window, newest first, and returns each one’s datapoints oldest first', async () => {
    mock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'm1', Timestamps: [at(50), at(40)], Values: [7, 3] },
        { Id: 'm0', Timestamps: [at(55)], Values: [1] },
      ],
    });

    const series = await readMetrics(cloudWatch, [query('a'), query('b')], START, END, 'us-east-1');

    expect(series).toEqual([
      [{ time: at(55), value: 1 }],
      [
        { time: at(40), value: 3 },
        { time: at(50), value: 7 },
      ],
    ]);
    expect(mock.commandCalls(GetMetricDataCommand)[0].args[0].input).toEqual({
      StartTime: START,
      EndTime: END,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'm0',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'ReplicaLag',
              Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'a' }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
        {
          Id: 'm1',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'ReplicaLag',
              Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'b' }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    });
  });

  it('keeps ids unique across calls of at most 500 queries, so each answer lands on its own query', async () => {
    mock.on(GetMetricDataCommand).callsFake((input) => ({
      MetricDataResults: input.MetricDataQueries.map((q: { Id: string }) => ({
        Id: q.Id,
        Timestamps: [at(1)],
        Values: [Number(q.Id.slice(1))],
      })),
    }));
    const queries = Array.from({ length: MAX_QUERIES_PER_CALL + 2 }, (_, i) => query(`db-${i}`));

    const series = await readMetrics(cloudWatch, queries, START, END, 'us-east-1');

    expect(mock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length)).toEqual([
      500, 2,
    ]);
    expect(series.map((s) => s[0].value)).toEqual(queries.map((_, i) => i));
  });

  it('makes no call for no query', async () => {
    expect(await readMetrics(cloudWatch, [], START, END, 'us-east-1')).toEqual([]);
    expect(mock.calls()).toHaveLength(0);
  });

  it('stops at its page bound with PageLimitError rather than answer with part of the data', async () => {
    mock.on(GetMetricDataCommand).resolves({ NextToken: 'more', MetricDataResults: [] });

    await expect(readMetrics(cloudWatch, [query('a')], START, END, 'us-east-1')).rejects.toBeInstanceOf(PageLimitError);
  });
});
