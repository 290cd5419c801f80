/**
 * Reading and preparing ASL definitions for local execution: finding every state (nested ones too),
 * refusing what aws-local-stepfunctions would run unfaithfully, and the small reference-path reader the
 * harness needs to evaluate a Wait's `SecondsPath` / `TimestampPath` itself.
 */
import type { AslDefinition, AslState } from './template';

/** A state anywhere in a definition: at the top level, in a Map's item processor or a Parallel branch. */
export interface StateInfo {
  readonly name: string;
  readonly state: AslState;
  /** Names of the Map/Parallel states enclosing it, outermost first. */
  readonly parents: readonly string[];
}

/**
 * Every state of the definition by name, nested ones included. Step Functions requires state names to be
 * unique across the whole machine, and the harness relies on it (overrides and faults are keyed by name).
 */
export function collectStates(definition: AslDefinition): Map<string, StateInfo> {
  const out = new Map<string, StateInfo>();
  const visit = (states: Record<string, AslState>, parents: string[]): void => {
    for (const [name, state] of Object.entries(states)) {
      if (out.has(name))
        throw new Error(`State name "${name}" is used twice; Step Functions requires unique state names`);
      out.set(name, { name, state, parents });
      for (const sub of subMachines(state)) visit(sub.States, [...parents, name]);
    }
  };
  visit(definition.States, []);
  return out;
}

/** The nested state machines of a Map (ItemProcessor/Iterator) or Parallel (Branches) state. */
export function subMachines(state: AslState): AslDefinition[] {
  if (state.Type === 'Map') return [(state.ItemProcessor ?? state.Iterator) as AslDefinition];
  if (state.Type === 'Parallel') return state.Branches as AslDefinition[];
  return [];
}

/** Throws for features aws-local-stepfunctions (or this harness) would run differently from AWS. */
export function assertSupported(definition: AslDefinition): void {
  const problems: string[] = [];
  if (definition.QueryLanguage === 'JSONata')
    problems.push('QueryLanguage JSONata (aws-local-stepfunctions runs JSONPath only)');
  for (const { name, state } of collectStates(definition).values()) {
    if (state.QueryLanguage === 'JSONata') problems.push(`state "${name}": QueryLanguage JSONata`);
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? {}) as Record<string, any>;
      if (processor.ProcessorConfig?.Mode === 'DISTRIBUTED') {
        problems.push(
          `Map "${name}": Distributed mode (child executions are not emulated; $$.Execution would be wrong)`,
        );
      }
      for (const field of [
        'ItemReader',
        'ItemBatcher',
        'ResultWriter',
        'ToleratedFailureCount',
        'ToleratedFailurePercentage',
      ]) {
        if (field in state) problems.push(`Map "${name}": ${field} is not supported by aws-local-stepfunctions`);
      }
    }
    if (state.Type === 'Task' && state.Credentials !== undefined)
      problems.push(`Task "${name}": Credentials (cross-account) is not emulated`);
  }
  const text = JSON.stringify(definition);
  for (const path of ['$$.State.Name', '$$.State.RetryCount']) {
    if (text.includes(path))
      problems.push(
        `${path} is not provided by the harness (aws-local-stepfunctions cannot tell it which state is running)`,
      );
  }
  if (problems.length > 0)
    throw new Error(`The workflow harness cannot run this definition faithfully:\n  ${problems.join('\n  ')}`);
}

/**
 * Reads a reference path (`$`, `$.a.b`, `$.a[0]`, `$['a b']`, `$$.Execution.Input.x`) — the only kind
 * a Wait's SecondsPath/TimestampPath may hold. Returns `undefined` when a segment is missing.
 */
export function readReferencePath(path: string, input: unknown, context: unknown): unknown {
  let value: unknown = input;
  let rest = path;
  if (rest.startsWith('$$')) {
    value = context;
    rest = rest.slice(1);
  }
  if (!rest.startsWith('$')) throw new Error(`Not a reference path: ${path}`);
  rest = rest.slice(1);
  const segment = /^(?:\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\])/;
  while (rest.length > 0) {
    const m = segment.exec(rest);
    if (!m) throw new Error(`Unsupported reference path for the workflow harness: ${path}`);
    rest = rest.slice(m[0].length);
    const key = m[1] ?? m[2] ?? Number(m[3]);
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Keys and fields whose string values are paths or intrinsic functions (where `$$.Execution` may appear). */
const PATH_FIELDS = new Set([
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ItemsPath',
  'Variable',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'MaxConcurrencyPath',
  'ErrorPath',
  'CausePath',
]);

/**
 * Deep-copies `value`, applying `rewrite` to every string that is a JSONPath or intrinsic function: the
 * values of `*.$` keys and of path fields (including Choice rules' `...Path` comparisons and `Variable`).
 */
export function rewritePaths(value: unknown, rewrite: (s: string) => string, key = ''): unknown {
  if (typeof value === 'string') {
    return key.endsWith('.$') || PATH_FIELDS.has(key) || /Path$/.test(key) ? rewrite(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => rewritePaths(v, rewrite, ''));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewritePaths(v, rewrite, k)]));
}
