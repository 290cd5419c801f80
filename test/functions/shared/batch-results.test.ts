import { checkAndStoreBatch } from '../../../functions/shared/batch-results';
import type { CheckResult } from '../../../functions/shared/check-result';

const PREFIX = 'runs/replication-check/hourly-1/results/';
const result = (target: string, status: CheckResult['status']): CheckResult => ({
  check: 'rds-replica-lag',
  target,
  status,
  observed: 1,
  threshold: 2,
  detail: `${target} is ${status}`,
});

function deps() {
  const stored = new Map<string, string>();
  const checked: unknown[][] = [];
  return {
    stored,
    checked,
    workflow: 'replication-check',
    check: async (targets: readonly unknown[]) => {
      checked.push([...targets]);
      return [result('a', 'PASS'), result('b', 'WARN'), result('c', 'FAIL')];
    },
    putResults: async (key: string, body: string) => {
      stored.set(key, body);
    },
  };
}

describe('checkAndStoreBatch', () => {
  it('stores the batch’s results under the run’s prefix by index and returns the key and counts only', async () => {
    const d = deps();

    const out = await checkAndStoreBatch(
      { batch: { kind: 'database', targets: [{ kind: 'database', id: 'x' }] }, resultsPrefix: PREFIX, index: 7 },
      d,
    );

    expect(out).toEqual({ key: `${PREFIX}batch-0007.json`, stored: 3, failed: 1, warned: 1 });
    expect(JSON.parse(d.stored.get(out.key) ?? '[]')).toHaveLength(3);
    expect(d.checked).toEqual([[{ kind: 'database', id: 'x' }]]);
  });

  it.each([
    [
      'another workflow’s prefix',
      { resultsPrefix: 'runs/posture-check/x/results/', index: 0 },
      /resultsPrefix must be runs\/replication-check\/<execution name>\/results\//,
    ],
    ['a prefix that climbs out', { resultsPrefix: 'runs/replication-check/../results/', index: 0 }, /resultsPrefix/],
    ['a negative index', { resultsPrefix: PREFIX, index: -1 }, /index must be the batch's Map index/],
  ])('refuses %s before checking anything', async (_, event, message) => {
    const d = deps();

    await expect(checkAndStoreBatch({ batch: { kind: 'database', targets: [] }, ...event }, d)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringMatching(message),
    });
    expect([d.checked, d.stored.size]).toEqual([[], 0]);
  });
});
