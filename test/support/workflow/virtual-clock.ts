/**
 * The virtual clock a workflow run waits on: Waits and retry back-offs advance the account model's clock, not
 * real time. One `Timeline` is shared by an execution and the child executions it starts (`.sync:2`), so their
 * waits interleave as on AWS; each execution sees it through its own `VirtualClock`, which carries that
 * execution's deadline (its TimeoutSeconds) and can be stopped on its own.
 */
import { UncatchableError } from './harness-errors';
import type { AwsModel } from './run';

interface Sleeper {
  readonly until: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly owner: VirtualClock;
}

/** Model time shared by the executions of one test run: the earliest pending wake-up or deadline is served first. */
export class Timeline {
  private readonly pending: Sleeper[] = [];
  private readonly clocks = new Set<VirtualClock>();
  private inFlight = 0;
  private flushScheduled = false;

  constructor(readonly model: Pick<AwsModel, 'now' | 'advance'>) {}

  /** @internal A clock joins the timeline while its execution runs. */
  join(clock: VirtualClock): void {
    this.clocks.add(clock);
  }

  /** @internal A clock leaves: its pending sleeps end with an error no Catch sees. */
  leave(clock: VirtualClock): void {
    this.clocks.delete(clock);
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].owner === clock)
        this.pending.splice(i, 1)[0].reject(new UncatchableError('WorkflowHarnessError', 'The execution is over'));
    }
    if (this.pending.length > 0) this.schedule();
  }

  /** @internal */
  sleep(owner: VirtualClock, seconds: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ until: this.model.now().getTime() + seconds * 1000, resolve, reject, owner });
      this.schedule();
    });
  }

  /** @internal */
  begin(): void {
    this.inFlight++;
  }

  /** @internal */
  end(): void {
    this.inFlight--;
    if (this.pending.length > 0) this.schedule();
  }

  /** @internal Moves the clock forward at once, then wakes whoever that made due. */
  advanceTo(ms: number): void {
    const seconds = (ms - this.model.now().getTime()) / 1000;
    if (seconds > 0) this.model.advance(seconds);
    if (this.pending.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A macrotask: every branch runs (microtasks) until it blocks on a wait or a handler first.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.pending.length === 0 || this.inFlight > 0) return;
    const wake = Math.min(...this.pending.map((p) => p.until));
    const deadlines = [...this.clocks].filter((c) => c.deadline !== undefined && c.deadline < wake);
    if (deadlines.length > 0) {
      // An execution's timeout comes before the next wake-up: it times out first (and its sleeps end).
      const first = Math.min(...deadlines.map((c) => c.deadline as number));
      this.advanceTo(first);
      for (const c of deadlines) if (c.deadline === first) c.timeOut();
      if (this.pending.length > 0) this.schedule();
      return;
    }
    this.advanceTo(wake);
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].until <= wake) this.pending.splice(i, 1)[0].resolve();
    }
    if (this.pending.length > 0) this.schedule();
  }
}

/** One execution's view of the timeline: its sleeps, its in-flight Tasks, its deadline. */
export class VirtualClock {
  private stopped = false;
  private readonly timeline: Timeline;

  constructor(
    model: Pick<AwsModel, 'now' | 'advance'>,
    /** Epoch milliseconds at which the execution times out, if it has a timeout. */
    readonly deadline: number | undefined,
    private readonly onDeadline: () => void,
    timeline?: Timeline,
  ) {
    this.timeline = timeline ?? new Timeline(model);
    this.timeline.join(this);
  }

  /** Sleeps `seconds` of model time; resolves once every branch that can run has run up to this point. */
  sleep(seconds: number): Promise<void> {
    if (this.stopped) return Promise.reject(new UncatchableError('WorkflowHarnessError', 'The execution is over'));
    if (!(seconds > 0)) return Promise.resolve();
    return this.timeline.sleep(this, seconds);
  }

  /** Advances the clock at once (retry of a Map/Parallel state, which has no harness handler to block). */
  advanceNow(seconds: number): void {
    const until = this.timeline.model.now().getTime() + seconds * 1000;
    if (this.deadline !== undefined && until > this.deadline) {
      this.timeline.advanceTo(this.deadline);
      this.timeOut();
      return;
    }
    this.timeline.advanceTo(until);
  }

  /** A Task handler is running: no wait (of this execution or any other on the timeline) may end before it finishes. */
  begin(): void {
    this.timeline.begin();
  }

  end(): void {
    this.timeline.end();
  }

  /**
   * Ends every pending sleep of this execution with an error no Catch sees, so branches still running after the
   * execution ended (timed out, stopped, or a sibling Map iteration failed) unwind and release the library's timers.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timeline.leave(this);
  }

  /** @internal The deadline has come (the timeline has moved the clock to it). */
  timeOut(): void {
    if (this.stopped) return;
    this.onDeadline();
    this.stop();
  }
}

/** Seconds a retrier waits before attempt `attempt` (1-based), without jitter (FULL jitter's upper bound). */
export function retryIntervalSeconds(retrier: Record<string, unknown>, attempt: number): number {
  const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
  const backoff = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : 2;
  const max = typeof retrier.MaxDelaySeconds === 'number' ? retrier.MaxDelaySeconds : Infinity;
  return Math.min(interval * backoff ** (attempt - 1), max);
}
