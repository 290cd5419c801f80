/** The virtual clock a workflow run waits on: Waits and retry back-offs advance the account model's clock, not real time. */
import { UncatchableError } from './harness-errors';
import type { AwsModel } from './run';

/** Waits and retry intervals on the model's clock: the earliest pending wake-up is served first. */
export class VirtualClock {
  private readonly pending: Array<{ until: number; resolve: () => void; reject: (err: Error) => void }> = [];
  private inFlight = 0;
  private flushScheduled = false;
  private stopped = false;

  constructor(
    private readonly model: Pick<AwsModel, 'now' | 'advance'>,
    private readonly deadline: number | undefined,
    private readonly onDeadline: () => void,
  ) {}

  /** Sleeps `seconds` of model time; resolves once every branch that can run has run up to this point. */
  sleep(seconds: number): Promise<void> {
    if (this.stopped) return Promise.reject(new UncatchableError('WorkflowHarnessError', 'The execution is over'));
    if (!(seconds > 0)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ until: this.model.now().getTime() + seconds * 1000, resolve, reject });
      this.schedule();
    });
  }

  /** Advances the clock at once (retry of a Map/Parallel state, which has no harness handler to block). */
  advanceNow(seconds: number): void {
    const until = this.model.now().getTime() + seconds * 1000;
    if (this.deadline !== undefined && until > this.deadline) {
      this.timeOut();
      return;
    }
    this.advanceTo(until);
  }

  /** A Task handler is running: no wait may end before it finishes. */
  begin(): void {
    this.inFlight++;
  }

  end(): void {
    this.inFlight--;
    if (this.pending.length > 0) this.schedule();
  }

  /**
   * Ends every pending sleep with an error no Catch sees, so branches still running after the execution
   * ended (timed out, or a sibling Map iteration failed) unwind and release the library's timers.
   */
  stop(): void {
    this.stopped = true;
    for (const p of this.pending.splice(0))
      p.reject(new UncatchableError('WorkflowHarnessError', 'The execution is over'));
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
    if (this.stopped || this.pending.length === 0 || this.inFlight > 0) return;
    const next = Math.min(...this.pending.map((p) => p.until));
    if (this.deadline !== undefined && next > this.deadline) {
      this.timeOut();
      return;
    }
    this.advanceTo(next);
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].until <= next) this.pending.splice(i, 1)[0].resolve();
    }
    if (this.pending.length > 0) this.schedule();
  }

  private timeOut(): void {
    if (this.deadline !== undefined) this.advanceTo(this.deadline);
    this.onDeadline();
    this.stop();
  }

  private advanceTo(ms: number): void {
    const seconds = (ms - this.model.now().getTime()) / 1000;
    if (seconds > 0) this.model.advance(seconds);
  }
}

/** Seconds a retrier waits before attempt `attempt` (1-based), without jitter (FULL jitter's upper bound). */
export function retryIntervalSeconds(retrier: Record<string, unknown>, attempt: number): number {
  const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
  const backoff = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : 2;
  const max = typeof retrier.MaxDelaySeconds === 'number' ? retrier.MaxDelaySeconds : Infinity;
  return Math.min(interval * backoff ** (attempt - 1), max);
}
