import {
  executionName,
  MAX_EXECUTION_NAME_LENGTH,
  MAX_NAME_LENGTH,
  resourceName,
  tagKeys,
} from '../../../functions/shared/naming';
import { seedPlan } from '../../support/plans';

describe('names', () => {
  const at = new Date('2025-11-10T03:04:00Z');

  it('follow edr-<purpose>-<source>-<yyyymmddhhmm>', () => {
    expect(resourceName('edr', 'restore', 'entmoot-prod', at)).toBe('edr-restore-entmoot-prod-202511100304');
  });

  it('cut a long source to 63 characters with a hash that keeps two sources apart', () => {
    const a = resourceName('edr', 'pitr', `entmoot-${'a'.repeat(60)}-one`, at);
    const b = resourceName('edr', 'pitr', `entmoot-${'a'.repeat(60)}-two`, at);
    expect(a.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(a).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(a).not.toBe(b);
  });

  it('make execution names of [A-Za-z0-9_-] at most 80 long, the same for the same parts', () => {
    const name = executionName('alarm', 'entmoot:prod/cpu high', 'x'.repeat(100));
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name.length).toBeLessThanOrEqual(MAX_EXECUTION_NAME_LENGTH);
    expect(executionName('alarm', 'entmoot:prod/cpu high', 'x'.repeat(100))).toBe(name);
  });

  it('use the plan’s tag prefix', () => {
    expect(tagKeys(seedPlan())).toEqual({
      owner: 'entmoot-dr:owner',
      execution: 'entmoot-dr:execution',
      lifecycle: 'entmoot-dr:lifecycle',
    });
  });
});
