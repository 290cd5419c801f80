/**
 * Step Functions' payload cap, as the harness enforces it: a state's input, its output, a Task's effective input
 * (after Parameters) and result, and a Map state's gathered results may each hold at most 262,144 bytes of UTF-8
 * JSON. Past it the execution fails with `States.DataLimitExceeded`, which no Retry or Catch sees — not even
 * `States.ALL` (Step Functions quotas: "Maximum input or output size for a task, state, or execution: 256 KiB of
 * data as a UTF-8 encoded string"; error handling: `States.ALL` does not catch `States.DataLimitExceeded`).
 */

/** The cap on one payload, in bytes. */
export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;

/** Bytes of a value as Step Functions counts them: its JSON text in UTF-8. */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value === undefined ? null : value), 'utf8');
}

/** A payload past the cap: where it was and how large. */
export interface PayloadViolation {
  readonly error: 'States.DataLimitExceeded';
  readonly cause: string;
  readonly bytes: number;
}

/** The violation of `value` at `what` (e.g. `the output of state "X"`), or undefined when it fits. */
export function checkPayload(value: unknown, what: string): PayloadViolation | undefined {
  const bytes = payloadBytes(value);
  if (bytes <= STATE_PAYLOAD_LIMIT_BYTES) return undefined;
  return {
    error: 'States.DataLimitExceeded',
    cause: `The ${what} has ${bytes} bytes, more than the ${STATE_PAYLOAD_LIMIT_BYTES}-byte limit of a state payload`,
    bytes,
  };
}

type LogEvent = {
  type: string;
  index?: number;
  output?: unknown;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
};

/**
 * Watches aws-local-stepfunctions' event log: every state's input and output, and each Map state's gathered
 * results (the iterations' outputs as one array, before its ResultSelector/ResultPath). The first violation is
 * kept; `largest` is the largest payload seen, for the benchmark.
 */
export class PayloadWatch {
  /** The first payload past the cap, if any. */
  public violation: PayloadViolation | undefined;
  /** Bytes of the largest payload seen. */
  public largest = 0;
  private readonly mapResults = new Map<string, Map<number, number>>();

  /** Checks a payload the harness sees directly (a Task's effective input or result). */
  public check(value: unknown, what: string): PayloadViolation | undefined {
    const found = checkPayload(value, what);
    this.largest = Math.max(this.largest, found?.bytes ?? payloadBytes(value));
    this.violation ??= found;
    return found;
  }

  /** Reads one event of the log; returns the first violation once there is one. */
  public observe(event: LogEvent): PayloadViolation | undefined {
    if (event.type === 'StateEntered' && event.state) {
      if (event.state.type === 'Map') this.mapResults.set(event.state.name, new Map());
      this.check(event.state.input, `input of state "${event.state.name}"`);
    } else if (event.type === 'StateExited' && event.state) {
      this.check(event.state.output, `output of state "${event.state.name}"`);
    } else if (event.type === 'MapIterationSucceeded' && event.parentState && event.index !== undefined) {
      const results = this.mapResults.get(event.parentState.name) ?? new Map<number, number>();
      results.set(event.index, payloadBytes(event.output));
      this.mapResults.set(event.parentState.name, results);
      // The gathered array: "[" + the outputs joined by "," + "]".
      const bytes = [...results.values()].reduce((sum, b) => sum + b, 0) + results.size + 1;
      this.largest = Math.max(this.largest, bytes);
      if (bytes > STATE_PAYLOAD_LIMIT_BYTES) {
        this.violation ??= {
          error: 'States.DataLimitExceeded',
          cause: `The result of Map state "${event.parentState.name}" has ${bytes} bytes, more than the ${STATE_PAYLOAD_LIMIT_BYTES}-byte limit of a state payload`,
          bytes,
        };
      }
    }
    return this.violation;
  }
}
