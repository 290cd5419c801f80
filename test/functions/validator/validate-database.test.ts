import {
  expectationWords,
  judgeValue,
  validateDatabase,
  type SqlSession,
  type ValidatorPlan,
} from '../../../functions/validator/validate-database';

const reference = new Date('2026-11-01T05:00:00Z');
const at = (offsetMinutes: number) => new Date(reference.getTime() + offsetMinutes * 60_000);

describe('judgeValue with withinHoursOf 24', () => {
  const expect24 = { op: 'withinHoursOf', hours: 24 } as const;

  it.each([
    ['exactly 24 h before', at(-24 * 60), true],
    ['a minute more than 24 h before', at(-24 * 60 - 1), false],
    ['at the reference time', at(0), true],
    ['5 minutes after', at(5), true],
    ['6 minutes after', at(6), false],
  ])('judges a timestamp %s', (_, value, pass) => {
    expect(judgeValue(value, expect24, reference).pass).toBe(pass);
  });

  it('fails NULL', () => {
    expect(judgeValue(null, expect24, reference)).toEqual({ pass: false, why: 'is NULL: no timestamp to compare' });
  });

  it('fails a value that is not a timestamp', () => {
    expect(judgeValue('12', expect24, reference).pass).toBe(false);
  });
});

describe('judgeValue with a numeric expectation', () => {
  it.each([
    [{ op: 'gte', value: 1 } as const, '1', true],
    [{ op: 'gte', value: 1 } as const, '0', false],
    [{ op: 'eq', value: 0 } as const, '0', true],
    [{ op: 'gt', value: 0 } as const, 0, false],
    [{ op: 'lte', value: 5 } as const, 5, true],
  ])('judges %j against %p', (expectation, value, pass) => {
    expect(judgeValue(value, expectation, reference).pass).toBe(pass);
  });

  it('fails NULL and text for a numeric expectation', () => {
    expect(judgeValue(null, { op: 'eq', value: 0 }, reference).pass).toBe(false);
    expect(judgeValue('abc', { op: 'eq', value: 0 }, reference).pass).toBe(false);
  });

  it('passes anything, NULL included, when the plan sets no expectation', () => {
    expect(judgeValue(null, undefined, reference).pass).toBe(true);
  });
});

describe('expectationWords', () => {
  it('puts each expectation in words', () => {
    expect(expectationWords({ op: 'gte', value: 1 }, reference)).toBe('≥ 1');
    expect(expectationWords({ op: 'withinHoursOf', hours: 24 }, reference)).toBe(
      'within 24 h before 2026-11-01T05:00:00.000Z (at most 5 min after)',
    );
    expect(expectationWords(undefined, reference)).toBeNull();
  });
});

describe('validateDatabase', () => {
  const plan: ValidatorPlan = {
    backups: {
      requiredTables: ['buildings'],
      validationQueries: [{ name: 'one', sql: 'SELECT 1', expect: { op: 'eq', value: 1 } }],
      validation: { statementTimeoutSeconds: 120, connectTimeoutSeconds: 15 },
    },
  };

  function recordingSession(): SqlSession & { texts: string[] } {
    const texts: string[] = [];
    return {
      texts,
      query: async (text) => {
        texts.push(text);
        if (text.startsWith('SELECT name')) return { rows: [], fields: [{ name: 'name' }] };
        if (text === 'SELECT 1') return { rows: [{ v: 1 }], fields: [{ name: 'v' }] };
        return { rows: [], fields: [] };
      },
    };
  }

  it('runs each query alone in a read-only transaction with its statement timeout, then rolls back', async () => {
    const session = recordingSession();
    await validateDatabase(session, plan, {
      target: 'db',
      referenceTime: reference,
      deadline: at(60),
      now: () => reference.getTime(),
    });
    expect(session.texts.slice(4)).toEqual([
      'BEGIN READ ONLY',
      'SET LOCAL statement_timeout = 120000',
      'SELECT 1',
      'ROLLBACK',
    ]);
  });

  it('caps the statement timeout by the time left before the deadline, keeping half a second back', async () => {
    const session = recordingSession();
    await validateDatabase(session, plan, {
      target: 'db',
      referenceTime: reference,
      deadline: new Date(reference.getTime() + 10_000),
      now: () => reference.getTime(),
    });
    expect(session.texts.filter((t) => t.startsWith('SET LOCAL'))).toEqual([
      'SET LOCAL statement_timeout = 9500',
      'SET LOCAL statement_timeout = 9500',
    ]);
  });

  it('runs nothing and reports every check "not run" when less than a second is left', async () => {
    const session = recordingSession();
    const results = await validateDatabase(session, plan, {
      target: 'db',
      referenceTime: reference,
      deadline: new Date(reference.getTime() + 1400),
      now: () => reference.getTime(),
    });
    expect(session.texts).toEqual([]);
    expect(results.map((r) => [r.check, r.status, r.detail.slice(0, 8)])).toEqual([
      ['required_tables', 'FAIL', 'not run:'],
      ['one', 'FAIL', 'not run:'],
    ]);
  });

  it('rethrows an error without a SQLSTATE (a lost connection) instead of reporting it', async () => {
    const session: SqlSession = {
      query: async () => {
        throw new Error('Connection terminated unexpectedly');
      },
    };
    await expect(
      validateDatabase(session, plan, {
        target: 'db',
        referenceTime: reference,
        deadline: at(60),
        now: () => reference.getTime(),
      }),
    ).rejects.toThrow('Connection terminated unexpectedly');
  });
});
