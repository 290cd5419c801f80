import { mapLimit } from '../../../functions/shared/map-limit';

describe('mapLimit', () => {
  it('runs at most `limit` calls at once and keeps the order of the items', async () => {
    let running = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 10, 2];

    const results = await mapLimit(delays, 2, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running--;
      return ms * 10;
    });

    expect(results).toEqual([300, 50, 200, 10, 100, 20]);
    expect(peak).toBe(2);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapLimit([1, 2, 3], 3, async (n) => {
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
  });

  it('returns nothing for no items', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
