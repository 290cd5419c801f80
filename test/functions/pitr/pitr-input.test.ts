import { checkPitrInput, MAX_REASON_CHARS, parseIsoUtc } from '../../../functions/pitr/pitr-input';
import { InvalidInputError } from '../../../functions/shared/errors';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const NOW = new Date('2025-11-10T14:07:00Z');
const GOOD = { sourceDbInstanceId: 'entmoot-prod', targetTime: '2025-11-10T12:00:00Z', reason: 'bad migration 4711' };

function refusal(input: unknown, p = plan): string {
  try {
    checkPitrInput(input, p, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('the point-in-time recovery’s input', () => {
  it('accepts a target time and names the copy after the source and the run’s start', () => {
    const request = checkPitrInput(GOOD, plan, NOW);

    expect(request).toEqual({
      source: 'entmoot-prod',
      targetTime: '2025-11-10T12:00:00.000Z',
      useLatest: false,
      reason: 'bad migration 4711',
      targetId: 'edr-pitr-entmoot-prod-202511101407',
      trigger: { kind: 'console' },
    });
  });

  it('accepts the latest restorable time, a named target under the prefix and an alarm trigger', () => {
    const request = checkPitrInput(
      {
        sourceDbInstanceId: 'entmoot-prod',
        useLatestRestorableTime: true,
        reason: 'consistency alarm',
        targetDbInstanceId: 'edr-pitr-orders-fix',
        trigger: { kind: 'alarm', alarmName: 'edr-consistency', stateChangeTime: '2025-11-10T14:00:00.000+0000' },
      },
      plan,
      NOW,
    );

    expect(request).toEqual({
      source: 'entmoot-prod',
      useLatest: true,
      reason: 'consistency alarm',
      targetId: 'edr-pitr-orders-fix',
      trigger: { kind: 'alarm', alarmName: 'edr-consistency', stateChangeTime: '2025-11-10T14:00:00.000+0000' },
    });
  });

  it('accepts a target time exactly at the window’s edge and at now, with milliseconds', () => {
    expect(checkPitrInput({ ...GOOD, targetTime: '2025-11-03T14:07:00Z' }, plan, NOW).targetTime).toBe(
      '2025-11-03T14:07:00.000Z',
    );
    expect(checkPitrInput({ ...GOOD, targetTime: '2025-11-10T14:07:00.000Z' }, plan, NOW).targetTime).toBe(
      '2025-11-10T14:07:00.000Z',
    );
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'entmoot-prod', 'input must be an object such as'],
    ['an array', [GOOD], 'input must be an object such as'],
    ['an unknown key', { ...GOOD, force: true }, 'input has unknown key force'],
    ['no source', { targetTime: GOOD.targetTime, reason: 'x' }, 'input.sourceDbInstanceId is required'],
    [
      'a source that is not a string',
      { ...GOOD, sourceDbInstanceId: 42 },
      'input.sourceDbInstanceId must be a string (got 42)',
    ],
    [
      'a source not in the plan',
      { ...GOOD, sourceDbInstanceId: 'billing-prod' },
      '"billing-prod" is not one of the plan',
    ],
    ['a replica as the source', { ...GOOD, sourceDbInstanceId: 'entmoot-prod-replica' }, 'is not one of the plan'],
    [
      'both time fields',
      { ...GOOD, useLatestRestorableTime: true },
      'give either input.targetTime or input.useLatestRestorableTime, not both',
    ],
    ['neither time field', { sourceDbInstanceId: 'entmoot-prod', reason: 'x' }, 'give input.targetTime'],
    [
      'useLatestRestorableTime false',
      { sourceDbInstanceId: 'entmoot-prod', useLatestRestorableTime: false, reason: 'x' },
      'input.useLatestRestorableTime may only be true (got false)',
    ],
    [
      'useLatestRestorableTime as a string',
      { sourceDbInstanceId: 'entmoot-prod', useLatestRestorableTime: 'true', reason: 'x' },
      'may only be true (got "true")',
    ],
    ['a local time', { ...GOOD, targetTime: '2025-11-10T12:00:00' }, 'must be YYYY-MM-DDTHH:MM:SS[.sss]Z'],
    ['an offset time', { ...GOOD, targetTime: '2025-11-10T12:00:00+01:00' }, 'must be YYYY-MM-DDTHH:MM:SS[.sss]Z'],
    ['a date only', { ...GOOD, targetTime: '2025-11-10' }, 'must be YYYY-MM-DDTHH:MM:SS[.sss]Z'],
    ['a number', { ...GOOD, targetTime: 1762776000000 }, 'must be YYYY-MM-DDTHH:MM:SS[.sss]Z'],
    [
      'the 31st of November',
      { ...GOOD, targetTime: '2025-11-31T12:00:00Z' },
      '2025-11-31T12:00:00Z is not a real instant',
    ],
    ['hour 24', { ...GOOD, targetTime: '2025-11-09T24:00:00Z' }, 'is not a real instant'],
    [
      'a time in the future',
      { ...GOOD, targetTime: '2025-11-10T14:07:01Z' },
      'is in the future (now is 2025-11-10T14:07:00.000Z)',
    ],
    [
      'a time beyond the PITR window',
      { ...GOOD, targetTime: '2025-11-03T14:06:59Z' },
      'is more than backups.pitrWindowDays (7) days ago (before 2025-11-03T14:07:00.000Z)',
    ],
    ['no reason', { sourceDbInstanceId: 'entmoot-prod', targetTime: GOOD.targetTime }, 'input.reason is required'],
    ['a blank reason', { ...GOOD, reason: '   ' }, 'input.reason is required'],
    ['a reason that is not text', { ...GOOD, reason: ['a'] }, 'input.reason is required'],
    [
      'a reason too long',
      { ...GOOD, reason: 'x'.repeat(MAX_REASON_CHARS + 1) },
      'input.reason is 501 characters: at most 500',
    ],
    ['a reason over two lines', { ...GOOD, reason: 'line one\nline two' }, 'without control characters'],
    ['a reason with an escape', { ...GOOD, reason: 'red \u001b[31m' }, 'without control characters'],
    [
      'a target that is not an RDS identifier',
      { ...GOOD, targetDbInstanceId: 'edr-pitr--x' },
      'input.targetDbInstanceId must be an RDS instance identifier',
    ],
    [
      'a target ending in a hyphen',
      { ...GOOD, targetDbInstanceId: 'edr-pitr-x-' },
      'must be an RDS instance identifier',
    ],
    [
      'a target too long',
      { ...GOOD, targetDbInstanceId: `edr-pitr-${'a'.repeat(55)}` },
      'must be an RDS instance identifier',
    ],
    ['a target outside the prefix', { ...GOOD, targetDbInstanceId: 'entmoot-recovered' }, 'must start with edr-pitr-'],
    ['the source itself as the target', { ...GOOD, targetDbInstanceId: 'entmoot-prod' }, 'must start with edr-pitr-'],
    ['a trigger that is a string', { ...GOOD, trigger: 'cli' }, 'input.trigger must be an object'],
    [
      'a trigger of an unknown kind',
      { ...GOOD, trigger: { kind: 'pager' } },
      'input.trigger.kind must be one of console, cli, alarm',
    ],
    [
      'a trigger with an unknown key',
      { ...GOOD, trigger: { kind: 'cli', user: 'x' } },
      'input.trigger has unknown key user',
    ],
    [
      'an alarm trigger without its alarm',
      { ...GOOD, trigger: { kind: 'alarm', stateChangeTime: '2025-11-10T14:00:00Z' } },
      'input.trigger.alarmName must name',
    ],
    [
      'an alarm trigger without its time',
      { ...GOOD, trigger: { kind: 'alarm', alarmName: 'a' } },
      'input.trigger.stateChangeTime must be',
    ],
    [
      'a cli trigger with an alarm name',
      { ...GOOD, trigger: { kind: 'cli', alarmName: 'a' } },
      'belong to kind alarm, not cli',
    ],
  ])('refuses %s in one line', (_what, input, message) => {
    const text = refusal(input);

    expect(text).toContain(message);
    expect(text).not.toContain('\n');
  });

  it('refuses a target that is one of the plan’s instances even under the prefix', () => {
    const odd = { ...plan, databases: [{ ...plan.databases[0]!, replica: 'edr-pitr-taken' }] };

    expect(refusal({ ...GOOD, targetDbInstanceId: 'edr-pitr-taken' }, odd)).toBe(
      'input.targetDbInstanceId edr-pitr-taken is an instance of the plan: the recovery never writes over one',
    );
  });

  it('never repeats the reason in a refusal', () => {
    const text = refusal({ ...GOOD, reason: 'secret-ish\tdetail' });

    expect(text).not.toContain('secret-ish');
  });
});

describe('parseIsoUtc', () => {
  it.each([
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2025-02-29T00:00:00Z', undefined],
    ['2025-11-10T12:00:00.5Z', '2025-11-10T12:00:00.500Z'],
    ['2025-11-10T12:60:00Z', undefined],
  ])('reads %s as %s', (text, iso) => {
    expect(parseIsoUtc(text)?.toISOString()).toBe(iso);
  });
});
