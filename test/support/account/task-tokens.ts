/**
 * Step Functions task tokens in the account model (AWS Step Functions API Reference, SendTaskSuccess and
 * SendTaskFailure): a token Step Functions never issued fails with `InvalidToken`; the token of a task that
 * is no longer open (it ended, timed out, or its execution ended) fails with `TaskTimedOut`. `output` must be
 * a JSON text (`InvalidOutput` otherwise). The harness opens a token when a `.waitForTaskToken` task starts
 * and closes it when the task ends; tests schedule callbacks on the model clock with `at`.
 */
import type { ScheduledCallback, TaskOutcome, TaskTokenRegistry } from '../workflow/task-tokens';
import { ServiceFault } from './errors';

interface TaskState {
  open: boolean;
  settle: (outcome: TaskOutcome) => void;
}

/** The model's task tokens and the callbacks tests schedule on the model clock. */
export class TaskTokens implements TaskTokenRegistry {
  private readonly tasks = new Map<string, TaskState>();
  private readonly callbacks: ScheduledCallback[] = [];
  /** Every SendTaskSuccess/SendTaskFailure accepted, in order. */
  readonly sent: Array<{ token: string } & TaskOutcome> = [];

  open(token: string, settle: (outcome: TaskOutcome) => void): void {
    this.tasks.set(token, { open: true, settle });
  }

  close(token: string): void {
    const task = this.tasks.get(token);
    if (task) task.open = false;
  }

  /** Schedules `run` (a decision arriving, say) at `when` on the model clock, while a task waits. */
  at(when: Date, run: () => Promise<unknown>): void {
    this.callbacks.push({ at: when.getTime(), run });
    this.callbacks.sort((a, b) => a.at - b.at);
  }

  nextCallback(): ScheduledCallback | undefined {
    return this.callbacks[0];
  }

  takeDue(nowMs: number): ScheduledCallback[] {
    const due: ScheduledCallback[] = [];
    while (this.callbacks.length > 0 && (this.callbacks[0] as ScheduledCallback).at <= nowMs)
      due.push(this.callbacks.shift() as ScheduledCallback);
    return due;
  }

  private task(token: unknown): TaskState {
    const t = typeof token === 'string' ? this.tasks.get(token) : undefined;
    if (!t) throw new ServiceFault('InvalidToken', 'Invalid Token', 400);
    if (!t.open) throw new ServiceFault('TaskTimedOut', 'Task Timed Out', 400);
    return t;
  }

  succeed(token: unknown, output: unknown): void {
    const t = this.task(token);
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(output));
    } catch {
      throw new ServiceFault('InvalidOutput', 'Invalid Output: not JSON', 400);
    }
    t.open = false;
    this.sent.push({ token: String(token), output: parsed });
    t.settle({ output: parsed });
  }

  fail(token: unknown, error: unknown, cause: unknown): void {
    const t = this.task(token);
    t.open = false;
    const outcome = {
      error: error === undefined ? '' : String(error),
      ...(cause === undefined ? {} : { cause: String(cause) }),
    };
    this.sent.push({ token: String(token), ...outcome });
    t.settle(outcome);
  }
}
