import { InvalidInputError } from '../../../functions/shared/errors';
import type { ConnectOptions } from '../../../functions/validator/connect';
import { parseValidateEvent, runValidation } from '../../../functions/validator/run-validation';
import type { ValidatorPlan } from '../../../functions/validator/validate-database';

const plan: ValidatorPlan = {
  backups: {
    requiredTables: ['buildings'],
    validationQueries: [],
    validation: { statementTimeoutSeconds: 120, connectTimeoutSeconds: 15 },
  },
};
const event = {
  target: 'edr-restore-test-entmoot-prod-202611010500',
  host: 'edr-restore.abc.us-east-1.rds.amazonaws.com',
  port: 5432,
  database: 'entmoot',
  user: 'dr_validator',
  referenceTime: '2026-11-01T05:00:00Z',
};

describe('parseValidateEvent', () => {
  it.each([
    [{ ...event, port: '5432' }, 'event.port must be a whole number from 1 to 65535 (got "5432")'],
    [{ ...event, host: '' }, 'event.host must be a host name or IP address (got "")'],
    [
      { ...event, database: 'entmoot; DROP' },
      'event.database must be a PostgreSQL database name (got "entmoot; DROP")',
    ],
    [
      { ...event, referenceTime: 'yesterday' },
      'event.referenceTime must be an ISO 8601 time such as 2026-11-01T05:00:00Z (got "yesterday")',
    ],
    [{ ...event, target: undefined }, 'event.target must be a non-empty string (got null)'],
  ])('refuses %j naming the field', (input, message) => {
    expect(() => parseValidateEvent(input)).toThrow(new InvalidInputError(message));
  });
});

describe('runValidation', () => {
  it('connects with the plan’s connect timeout and a token for the event’s host, port and user, then closes', async () => {
    const seen: { options?: ConnectOptions; ended: boolean; tokenFor: unknown[] } = { ended: false, tokenFor: [] };
    const output = await runValidation(event, plan, {
      connect: async (options) => {
        seen.options = options;
        return {
          query: async () => ({ rows: [], fields: [{ name: 'name' }] }),
          end: async () => {
            seen.ended = true;
          },
        };
      },
      tokenFor: (host, port, user) => {
        seen.tokenFor.push(host, port, user);
        return async () => 'token';
      },
      now: () => Date.parse('2026-11-01T06:00:00Z'),
      remainingMs: () => 300_000,
    });
    expect(seen.options).toMatchObject({
      host: event.host,
      port: 5432,
      database: 'entmoot',
      user: 'dr_validator',
      connectTimeoutSeconds: 15,
    });
    expect(seen.options).not.toHaveProperty('tls');
    expect(seen.options).not.toHaveProperty('ca');
    expect(seen.tokenFor).toEqual([event.host, 5432, 'dr_validator']);
    expect(seen.ended).toBe(true);
    expect(output.results.map((r) => [r.check, r.target, r.status])).toEqual([
      ['required_tables', event.target, 'PASS'],
    ]);
  });

  it('reports every check "not run" when the Lambda has too little time left', async () => {
    const output = await runValidation(event, plan, {
      connect: async () => ({ query: async () => ({ rows: [], fields: [] }), end: async () => undefined }),
      tokenFor: () => async () => 'token',
      now: () => 0,
      remainingMs: () => 4000,
    });
    expect(output.results.map((r) => [r.check, r.status])).toEqual([['required_tables', 'FAIL']]);
    expect(output.results[0].detail).toMatch(/^not run/);
  });
});
