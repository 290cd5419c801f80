import { Metrics } from '@aws-lambda-powertools/metrics';
import { publishCheckMetrics, publishChecksRun } from '../../../functions/shared/check-metrics';

/** EMF records written while `run` runs. */
function emf(run: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

function dimensionSets(record: Record<string, unknown>): string[][] {
  return (record._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]!.Dimensions;
}

describe('publishCheckMetrics', () => {
  const results = [
    { check: 'dump-size', target: 's3://b/latest.sql', status: 'FAIL', observed: 5, threshold: 100, detail: 'small' },
    { check: 'dump-size', target: 's3://c/latest.sql', status: 'PASS', observed: 500, threshold: 100, detail: 'ok' },
  ] as const;

  it('stores CheckFailed under exactly {Check}, without Powertools’ default service dimension', () => {
    const metrics = new Metrics({ namespace: 'EntmootDR', serviceName: 'CheckTarget' });

    const records = emf(() => publishCheckMetrics(metrics, [...results]));

    const failed = records.filter((r) => 'CheckFailed' in r);
    expect(failed.map((r) => [dimensionSets(r), r.Check, r.CheckFailed, 'service' in r])).toEqual([
      [[['Check']], 'dump-size', 1, false],
    ]);
  });

  it('stores CheckStatus and CheckObserved under exactly {Check, Target}', () => {
    const metrics = new Metrics({ namespace: 'EntmootDR', serviceName: 'CheckTarget' });

    const records = emf(() => publishCheckMetrics(metrics, [...results]));

    const perTarget = records.filter((r) => 'CheckStatus' in r || 'CheckObserved' in r);
    expect(perTarget.map((r) => [dimensionSets(r), r.Target, r.CheckStatus ?? r.CheckObserved])).toEqual([
      [[['Check', 'Target']], 's3://b/latest.sql', 2],
      [[['Check', 'Target']], 's3://b/latest.sql', 5],
      [[['Check', 'Target']], 's3://c/latest.sql', 0],
      [[['Check', 'Target']], 's3://c/latest.sql', 500],
    ]);
  });

  it('publishes per-target metrics only for non-PASS results when asked, and every check’s flag still', () => {
    const metrics = new Metrics({ namespace: 'EntmootDR', serviceName: 'CheckBatch' });

    const records = emf(() => publishCheckMetrics(metrics, [...results], { perTarget: 'nonPass' }));

    expect(records.map((r) => [r.Target ?? null, r.CheckStatus ?? r.CheckObserved ?? r.CheckFailed])).toEqual([
      ['s3://b/latest.sql', 2],
      ['s3://b/latest.sql', 5],
      [null, 1],
    ]);
  });
});

describe('publishChecksRun', () => {
  it('stores how many results a call produced under exactly {Workflow}', () => {
    const metrics = new Metrics({ namespace: 'EntmootDR', serviceName: 'CheckBatch' });

    const records = emf(() =>
      publishChecksRun(metrics, 'replication-check', [
        { check: 'x', target: 't', status: 'PASS', observed: null, threshold: null, detail: '' },
      ]),
    );

    expect(records.map((r) => [dimensionSets(r), r.Workflow, r.ChecksRun, 'service' in r])).toEqual([
      [[['Workflow']], 'replication-check', 1, false],
    ]);
  });
});
