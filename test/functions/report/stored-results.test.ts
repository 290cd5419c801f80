import { boundedCause, MAX_CAUSE_CHARS } from '../../../functions/report/report-run';
import { loadStoredResults } from '../../../functions/report/stored-results';
import type { CheckResult } from '../../../functions/shared/check-result';
import { FakeReportDeps } from '../../support/fake-evidence';

const PREFIX = 'runs/backup-verification/weekly-run/results/';
const result = (target: string, status: CheckResult['status']): CheckResult => ({
  check: 'snapshot-age',
  target,
  status,
  observed: 3,
  threshold: 24,
  detail: `newest snapshot of ${target} is 3 hours old`,
});

describe('loadStoredResults', () => {
  let deps: FakeReportDeps;
  beforeEach(() => {
    deps = new FakeReportDeps();
  });

  it('reads every target’s results stored under the prefix', async () => {
    // Prepare
    deps.objects.set(`${PREFIX}database-a.json`, JSON.stringify([result('a', 'PASS')]));
    deps.objects.set(`${PREFIX}database-b.json`, JSON.stringify([result('b', 'FAIL')]));
    deps.objects.set(
      'runs/backup-verification/other-run/results/database-c.json',
      JSON.stringify([result('c', 'PASS')]),
    );

    // Act
    const results = await loadStoredResults({ prefix: PREFIX, iterations: [{ stored: 1 }, { stored: 1 }] }, deps);

    // Assess
    expect(results).toEqual([result('a', 'PASS'), result('b', 'FAIL')]);
  });

  it('turns a crashed target into a FAIL naming its error', async () => {
    const crashed = { target: { kind: 'dump', bucket: 'b', key: 'latest.sql' }, error: 'Lambda.Unknown' };

    const results = await loadStoredResults({ prefix: PREFIX, iterations: [{ crashed }] }, deps);

    expect(results).toEqual([
      {
        check: 'dump-checks',
        target: '{"kind":"dump","bucket":"b","key":"latest.sql"}',
        status: 'FAIL',
        observed: null,
        threshold: null,
        detail: 'the checks could not run: Lambda.Unknown',
      },
    ]);
  });

  it('turns a crashed batch into one FAIL per target naming the error, and counts it as one item', async () => {
    const prefix = 'runs/replication-check/hourly-1/results/';
    deps.objects.set(`${prefix}batch-0000.json`, JSON.stringify([result('a', 'PASS')]));
    const targets = [
      { kind: 'bucket', bucket: 'b1' },
      { kind: 'bucket', bucket: 'b2' },
    ];

    const results = await loadStoredResults(
      { prefix, iterations: [{ stored: 1 }, { crashed: { targets, error: 'ThrottledError' } }] },
      deps,
    );

    expect(results).toEqual([
      ...targets.map((t) => ({
        check: 'bucket-checks',
        target: JSON.stringify(t),
        status: 'FAIL',
        observed: null,
        threshold: null,
        detail: 'the checks could not run: ThrottledError',
      })),
      result('a', 'PASS'),
    ]);
  });

  it('fails when targets left no results, so a lost result never reads as a pass', async () => {
    deps.objects.set(`${PREFIX}database-a.json`, JSON.stringify([result('a', 'PASS')]));

    const results = await loadStoredResults(
      { prefix: PREFIX, iterations: [{ stored: 1 }, { stored: 1 }, { stored: 1 }] },
      deps,
    );

    expect(results[0]).toEqual({
      check: 'stored-results',
      target: `s3://evidence-bucket/${PREFIX}`,
      status: 'FAIL',
      observed: 1,
      threshold: 3,
      detail: `2 of 3 targets left no results under s3://evidence-bucket/${PREFIX}: see the run's execution history`,
    });
  });

  it('refuses a prefix outside a run’s results before reading anything', async () => {
    await expect(loadStoredResults({ prefix: 'state/', iterations: [] }, deps)).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});

describe('boundedCause', () => {
  it('keeps a short cause and cuts a fleet’s long one, pointing at the evidence', () => {
    expect(boundedCause('snapshot-age a: old', 'bkt', 'runs/x.json')).toBe('snapshot-age a: old');
    const long = boundedCause('x'.repeat(10_000), 'bkt', 'runs/x.json');
    expect(long).toHaveLength(MAX_CAUSE_CHARS);
    expect(long).toMatch(/ … \(10000 characters in all: see s3:\/\/bkt\/runs\/x\.json\)$/);
  });
});
