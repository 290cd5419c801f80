/**
 * `.waitForTaskToken` as AWS runs it: the task invokes its handler (which stores the token somewhere), then
 * stays open until SendTaskSuccess/SendTaskFailure ends it with the output or error, or until its
 * `TimeoutSeconds` passes on the model clock (`States.Timeout`). Callbacks a test scheduled on the model clock
 * run, in order, while the task waits; a task that waits with no callback to come and no timeout fails the
 * test (on AWS it would wait for a year).
 */
import { TaskError } from './harness-errors';
import type { VirtualClock } from './virtual-clock';

/** How a waiting task ends: its output, or an error and cause. */
export type TaskOutcome = { readonly output: unknown } | { readonly error: string; readonly cause?: string };

/** A test's callback at a model time (epoch ms). */
export interface ScheduledCallback {
  readonly at: number;
  readonly run: () => Promise<unknown>;
}

/** The model's side of task tokens (test/support/account/task-tokens.ts). */
export interface TaskTokenRegistry {
  /** A task with `token` is waiting; `settle` is called once, by SendTaskSuccess or SendTaskFailure. */
  open(token: string, settle: (outcome: TaskOutcome) => void): void;
  /** The task ended otherwise (timed out): later calls with `token` fail with `TaskTimedOut`. */
  close(token: string): void;
  /** The earliest callback still to run. */
  nextCallback(): ScheduledCallback | undefined;
  /** Removes and returns the callbacks due by `nowMs`. */
  takeDue(nowMs: number): ScheduledCallback[];
}

/** Finds which of `issued` tokens `payload` carries (the task's own `$$.Task.Token`). */
export function tokenIn(payload: unknown, issued: ReadonlySet<string>): string | undefined {
  if (typeof payload === 'string') return issued.has(payload) ? payload : undefined;
  if (payload && typeof payload === 'object') {
    for (const v of Object.values(payload)) {
      const t = tokenIn(v, issued);
      if (t) return t;
    }
  }
  return undefined;
}

/**
 * Waits for the task holding `token`: runs the test's callbacks as the model clock reaches them, returns the
 * output of SendTaskSuccess, throws the error of SendTaskFailure, or `onTimeout()`'s error once
 * `timeoutSeconds` passed. The caller has ended its own in-flight mark on the clock.
 */
export async function awaitTaskToken(args: {
  readonly registry: TaskTokenRegistry;
  readonly token: string;
  readonly timeoutSeconds: number | undefined;
  readonly clock: VirtualClock;
  readonly now: () => Date;
  readonly state: string;
  readonly onTimeout: () => Promise<Error>;
  readonly onStuck: (message: string) => never;
}): Promise<unknown> {
  const { registry, token, clock } = args;
  let outcome: TaskOutcome | undefined;
  registry.open(token, (o) => {
    outcome = o;
  });
  const deadline = args.timeoutSeconds === undefined ? undefined : args.now().getTime() + args.timeoutSeconds * 1000;
  try {
    for (;;) {
      if (outcome) break;
      const next = registry.nextCallback();
      if (!next && deadline === undefined)
        args.onStuck(
          `Task state "${args.state}" waits for its task token, but no callback is scheduled and it has no TimeoutSeconds`,
        );
      const until = next && (deadline === undefined || next.at <= deadline) ? next.at : (deadline as number);
      await clock.sleep((until - args.now().getTime()) / 1000);
      if (outcome) break;
      const due = registry.takeDue(args.now().getTime());
      if (due.length === 0 && deadline !== undefined && args.now().getTime() >= deadline) break;
      clock.begin();
      try {
        for (const callback of due) await callback.run();
      } finally {
        clock.end();
      }
    }
  } finally {
    registry.close(token);
  }
  if (!outcome) throw await args.onTimeout();
  if ('output' in outcome) return outcome.output;
  throw new TaskError(outcome.error, outcome.cause ?? '');
}
