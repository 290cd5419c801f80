import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../functions/shared/time';

describe('time constants', () => {
  it('are a minute, an hour and a day in milliseconds', () => {
    expect(MINUTE_MS).toBe(60_000);
    expect(HOUR_MS).toBe(3_600_000);
    expect(DAY_MS).toBe(86_400_000);
  });

  it('agree with what Date measures across a UTC day', () => {
    const start = Date.parse('2025-03-30T00:00:00Z');

    expect(Date.parse('2025-03-31T00:00:00Z') - start).toBe(DAY_MS);
    expect(Date.parse('2025-03-30T01:01:00Z') - start).toBe(HOUR_MS + MINUTE_MS);
  });
});
