import * as errors from '../../functions/shared/errors';
import { ERROR_NAMES } from '../../functions/shared/errors';
import { synthesize } from '../support/synth';
import { stateMachineDefinitions } from '../support/workflow/template';

function errorEquals(value: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) errorEquals(v, found);
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'ErrorEquals' && Array.isArray(v)) {
        for (const name of v) found.add(String(name));
      } else errorEquals(v, found);
    }
  }
  return found;
}

describe('error names', () => {
  it('that workflows retry or catch from our functions are the names our functions throw', () => {
    const { primary, recovery } = synthesize();
    const names = new Set<string>();
    for (const [template, region] of [
      [primary, 'us-east-1'],
      [recovery, 'us-west-2'],
    ] as const) {
      for (const machine of Object.values(stateMachineDefinitions(template.toJSON(), { region })))
        errorEquals(machine.definition, names);
    }
    const ours = [...names].filter((n) => !n.includes('.'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((n) => !Object.values(ERROR_NAMES).includes(n as never))).toEqual([]);
  });

  it('each have an error class whose instances carry that name', () => {
    const classes = (Object.values(errors) as unknown[]).filter(
      (v): v is new (m: string) => Error => typeof v === 'function' && v.prototype instanceof errors.DrError,
    );
    const thrown = new Set(classes.map((C) => new C('x').name));
    expect([...thrown].sort()).toEqual([...Object.values(ERROR_NAMES)].sort());
  });
});
