/**
 * The Wait and falsy-Result Pass states of a definition, converted into harness Tasks (why: see run.ts's
 * header), and the seconds a converted Wait waits.
 */
import { readReferencePath, rewritePaths, subMachines } from './asl';
import { UncatchableError } from './harness-errors';
import type { AslDefinition, AslState } from './template';

export const WAIT_RESOURCE = 'arn:aws:states:::edr-harness:wait';
export const PASS_RESOURCE = 'arn:aws:states:::edr-harness:pass';
/** The real-time guard against a hung handler (aws-local-stepfunctions times Tasks in real time). */
export const REAL_TIME_TASK_GUARD_SECONDS = 600;

/** What the harness runs in place of a Wait or a falsy-Result Pass state. */
export type Converted = { type: 'Wait' | 'Pass'; original: AslState };

/**
 * The copy of the definition aws-local-stepfunctions executes (see the file comment for each change):
 * Waits (and falsy-Result Passes) become harness Tasks, `$$.Execution` reads the harness's key, and
 * real-time timeouts are replaced by a generous guard.
 */
export function prepareForExecution(definition: AslDefinition, converted: Map<string, Converted>): AslDefinition {
  const rewritten = rewritePaths(definition, (s) =>
    s.replace(/\$\$\.Execution\b/g, '$$$$.EdrExecution'),
  ) as AslDefinition;
  const visit = (machine: AslDefinition): void => {
    for (const [name, state] of Object.entries(machine.States)) {
      for (const sub of subMachines(state)) visit(sub);
      const ending = state.End === true ? { End: true } : { Next: state.Next };
      const io = {
        ...(state.InputPath !== undefined ? { InputPath: state.InputPath } : {}),
        ...(state.OutputPath !== undefined ? { OutputPath: state.OutputPath } : {}),
      };
      if (state.Type === 'Wait') {
        converted.set(name, { type: 'Wait', original: state });
        machine.States[name] = {
          Type: 'Task',
          Resource: WAIT_RESOURCE,
          ...io,
          TimeoutSeconds: REAL_TIME_TASK_GUARD_SECONDS,
          ...ending,
        };
      } else if (state.Type === 'Pass' && 'Result' in state && !state.Result) {
        converted.set(name, { type: 'Pass', original: state });
        const resultPath = 'ResultPath' in state ? { ResultPath: state.ResultPath } : {};
        machine.States[name] = {
          Type: 'Task',
          Resource: PASS_RESOURCE,
          ...io,
          ...resultPath,
          TimeoutSeconds: REAL_TIME_TASK_GUARD_SECONDS,
          ...ending,
        };
      } else if (state.Type === 'Task') {
        delete state.TimeoutSecondsPath;
        delete state.HeartbeatSeconds;
        delete state.HeartbeatSecondsPath;
        state.TimeoutSeconds = REAL_TIME_TASK_GUARD_SECONDS;
      }
    }
  };
  visit(rewritten);
  delete rewritten.TimeoutSeconds;
  return rewritten;
}

/** Seconds the original Wait state would wait for `input` (its effective input, after InputPath). */
export function waitSeconds(name: string, wait: AslState, input: unknown, context: object, now: Date): number {
  const runtime = (message: string): never => {
    throw new UncatchableError('States.Runtime', `Wait state "${name}": ${message}`);
  };
  if (typeof wait.Seconds === 'number') return wait.Seconds;
  const timestampSeconds = (value: unknown, field: string): number => {
    const isRfc3339 =
      typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value);
    if (!isRfc3339 || Number.isNaN(Date.parse(value)))
      runtime(`${field} is not an RFC 3339 timestamp: ${JSON.stringify(value)}`);
    return Math.max(0, (Date.parse(value as string) - now.getTime()) / 1000);
  };
  if (typeof wait.Timestamp === 'string') return timestampSeconds(wait.Timestamp, 'Timestamp');
  if (typeof wait.SecondsPath === 'string') {
    const value = readReferencePath(wait.SecondsPath, input, context);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      runtime(`SecondsPath ${wait.SecondsPath} is not a non-negative integer: ${JSON.stringify(value)}`);
    }
    return value as number;
  }
  if (typeof wait.TimestampPath === 'string') {
    return timestampSeconds(
      readReferencePath(wait.TimestampPath, input, context),
      `TimestampPath ${wait.TimestampPath}`,
    );
  }
  return runtime('no Seconds, Timestamp, SecondsPath or TimestampPath');
}
