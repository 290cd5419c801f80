import { failuresFirst, STATUS_RANK, statusForUpperBound, worstStatus } from '../../../functions/shared/check-result';

describe('check results', () => {
  it('rank PASS 0, WARN 1, FAIL 2: the values the status metric publishes and its alarms compare against', () => {
    expect(STATUS_RANK).toEqual({ PASS: 0, WARN: 1, FAIL: 2 });
  });

  it('rank FAIL over WARN over PASS', () => {
    expect(worstStatus([{ status: 'PASS' }, { status: 'WARN' }])).toBe('WARN');
    expect(worstStatus([{ status: 'WARN' }, { status: 'FAIL' }])).toBe('FAIL');
    expect(worstStatus([])).toBe('PASS');
    expect(
      failuresFirst([
        { status: 'PASS', n: 1 },
        { status: 'FAIL', n: 2 },
        { status: 'PASS', n: 3 },
      ]).map((r) => r.n),
    ).toEqual([2, 1, 3]);
  });

  it('warn past the warning level and fail past the limit', () => {
    expect(statusForUpperBound(19.2, 19.2, 24)).toBe('PASS');
    expect(statusForUpperBound(19.3, 19.2, 24)).toBe('WARN');
    expect(statusForUpperBound(24.1, 19.2, 24)).toBe('FAIL');
  });
});
