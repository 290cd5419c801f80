/**
 * The freshness monitor's check (DESIGN §3, Observability): how long ago each scheduled job last succeeded.
 * CloudWatch alarms look back at most 7 days, so a weekly or monthly job that silently stops running would
 * never alarm on its own metrics; the monitor runs daily and publishes `HoursSinceSuccess` per job instead.
 *
 * Every scheduled job is a Step Functions standard workflow. Facts from the Step Functions API reference:
 * - `ListExecutions`: "Results are sorted by time, with the most recent execution first", and the call is
 *   "eventually consistent" (best effort). So `statusFilter: SUCCEEDED, maxResults: 1` returns the newest
 *   successful run by start time; its `stopDate` is when it succeeded. (A run that started earlier and ended
 *   later than the newest one would be missed; that only makes the job look older, by at most one run, never
 *   fresher.) Not supported for EXPRESS state machines — our workflows are all STANDARD.
 * - `DescribeStateMachine.creationDate`: when the state machine was created. A job that has never succeeded is
 *   measured from there: it becomes overdue one interval plus grace after it was deployed, rather than staying
 *   silent (no metric) or reporting an invented sentinel.
 */
import { DescribeStateMachineCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { CheckResult } from '../shared/check-result';
import { awsErrorName, InvalidInputError, isAccessDenied, translateAwsError } from '../shared/errors';
import { HOUR_MS } from '../shared/time';

/** A job name (the `Job` dimension's value): 1-128 letters, digits, `_`, `.` or `-`, starting with a letter or digit. */
export const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** One scheduled job the monitor watches. */
export interface FreshnessJob {
  /** The job's name, the metric's `Job` dimension, e.g. `janitor`. */
  readonly job: string;
  /** The job's Step Functions state machine. */
  readonly stateMachineArn: string;
  /** The longest gap between two scheduled runs, in hours (see `intervalHoursOf`). */
  readonly intervalHours: number;
  /** Hours allowed on top of the interval before the job is overdue (`plan.freshness.graceHours`). */
  readonly graceHours: number;
}

/** What `checkFreshness` needs: a Step Functions client in the jobs' region, and the clock. */
export interface FreshnessDeps {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly now: () => Date;
}

/** One job's freshness. */
export interface FreshnessResult {
  readonly job: string;
  readonly stateMachineArn: string;
  /**
   * Hours (one decimal) since the last success, or since the state machine was created when it never succeeded;
   * null when it could not be read. This is the value published as `HoursSinceSuccess`.
   */
  readonly hoursSinceSuccess: number | null;
  /** When the newest successful run ended (ISO 8601); null when there is none (or it could not be read). */
  readonly lastSuccessAt: string | null;
  /** Whether `hoursSinceSuccess` is above the job's interval plus grace (false when it could not be read). */
  readonly overdue: boolean;
  /** The verdict as every check reports it: check `freshness`, target the job. */
  readonly result: CheckResult;
}

const CHECK = 'freshness';
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** Hours since each job last succeeded, held against its interval plus grace. Validates every job before any AWS call. */
export async function checkFreshness(jobs: FreshnessJob[], deps: FreshnessDeps): Promise<FreshnessResult[]> {
  validateJobs(jobs);
  const results: FreshnessResult[] = [];
  // One job after another: a handful of calls a day, no need to risk throttling with a burst.
  for (const job of jobs) results.push(await checkJob(job, deps));
  return results;
}

/** Throws `InvalidInputError` naming the first bad field, e.g. `jobs[1].stateMachineArn`. */
export function validateJobs(jobs: unknown): asserts jobs is FreshnessJob[] {
  if (!Array.isArray(jobs))
    throw new InvalidInputError(
      `jobs must be an array of { job, stateMachineArn, intervalHours, graceHours }, got ${describe(jobs)}`,
    );
  const seen = new Set<string>();
  jobs.forEach((item: unknown, i) => {
    const where = `jobs[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new InvalidInputError(
        `${where} must be an object { job, stateMachineArn, intervalHours, graceHours }, got ${describe(item)}`,
      );
    }
    const { job, stateMachineArn, intervalHours, graceHours } = item as Record<string, unknown>;
    if (typeof job !== 'string' || !JOB_NAME.test(job)) {
      throw new InvalidInputError(
        `${where}.job must be 1-128 letters, digits, '_', '.' or '-' starting with a letter or digit, got ${describe(job)}`,
      );
    }
    if (seen.has(job)) throw new InvalidInputError(`${where}.job "${job}" is listed twice: each job is watched once`);
    seen.add(job);
    if (typeof stateMachineArn !== 'string' || !STATE_MACHINE_ARN.test(stateMachineArn)) {
      throw new InvalidInputError(
        `${where}.stateMachineArn must be a Step Functions state machine ARN, got ${describe(stateMachineArn)}`,
      );
    }
    if (typeof intervalHours !== 'number' || !Number.isFinite(intervalHours) || intervalHours <= 0) {
      throw new InvalidInputError(
        `${where}.intervalHours must be a number of hours greater than 0, got ${describe(intervalHours)}`,
      );
    }
    if (typeof graceHours !== 'number' || !Number.isFinite(graceHours) || graceHours < 0) {
      throw new InvalidInputError(
        `${where}.graceHours must be a number of hours, 0 or more, got ${describe(graceHours)}`,
      );
    }
  });
}

async function checkJob(job: FreshnessJob, deps: FreshnessDeps): Promise<FreshnessResult> {
  const limit = job.intervalHours + job.graceHours;
  const expected = `expected every ${formatHours(job.intervalHours)} h + ${formatHours(job.graceHours)} h grace`;
  let lastSuccess: Date | undefined;
  let since: Date;
  try {
    lastSuccess = await newestSuccess(job, deps);
    since = lastSuccess ?? (await creationDate(job, deps));
  } catch (error) {
    return unreadable(job, limit, error);
  }
  const hoursSinceSuccess = hoursBetween(since, deps.now());
  // Compared as published (one decimal), so the result and the alarm on the metric always agree.
  const overdue = hoursSinceSuccess > limit;
  const seen = lastSuccess
    ? `${job.job} last succeeded ${hoursSinceSuccess.toFixed(1)} h ago`
    : `${job.job} has never succeeded since its state machine was created ${hoursSinceSuccess.toFixed(1)} h ago`;
  const fix = overdue
    ? `: check its schedule rule and the failed or missing executions of ${stateMachineName(job.stateMachineArn)}`
    : '';
  return {
    job: job.job,
    stateMachineArn: job.stateMachineArn,
    hoursSinceSuccess,
    lastSuccessAt: lastSuccess ? lastSuccess.toISOString() : null,
    overdue,
    result: {
      check: CHECK,
      target: job.job,
      status: overdue ? 'FAIL' : 'PASS',
      observed: hoursSinceSuccess,
      threshold: limit,
      detail: `${seen}; ${expected}${fix}`,
    },
  };
}

/** When the newest successful execution ended, or undefined when none has succeeded. */
async function newestSuccess(job: FreshnessJob, deps: FreshnessDeps): Promise<Date | undefined> {
  const out = await deps.sfn
    .send(new ListExecutionsCommand({ stateMachineArn: job.stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 1 }))
    .catch((e) => rethrow(e, 'states:ListExecutions', job.stateMachineArn));
  const newest = out.executions?.[0];
  if (!newest) return undefined;
  // A SUCCEEDED execution always has a stopDate; startDate is only a fallback for a malformed answer.
  return newest.stopDate ?? newest.startDate;
}

async function creationDate(job: FreshnessJob, deps: FreshnessDeps): Promise<Date> {
  const out = await deps.sfn
    .send(new DescribeStateMachineCommand({ stateMachineArn: job.stateMachineArn }))
    .catch((e) => rethrow(e, 'states:DescribeStateMachine', job.stateMachineArn));
  if (!out.creationDate) throw new Error(`DescribeStateMachine returned no creationDate for ${job.stateMachineArn}`);
  return out.creationDate;
}

/** A job whose state could not be read: access denied or state machine gone. Anything else is rethrown. */
class UnreadableJob extends Error {
  constructor(
    readonly action: string,
    readonly reason: 'denied' | 'missing',
    options: ErrorOptions,
  ) {
    super(`${action} ${reason}`, options);
  }
}

function rethrow(error: unknown, action: string, arn: string): never {
  if (isAccessDenied(error)) throw new UnreadableJob(action, 'denied', { cause: error });
  if (awsErrorName(error) === 'StateMachineDoesNotExist') throw new UnreadableJob(action, 'missing', { cause: error });
  // Throttling after the client's retries becomes ThrottledError (the whole run fails and is retried); others as they are.
  return translateAwsError(error, action, arn);
}

function unreadable(job: FreshnessJob, limit: number, error: unknown): FreshnessResult {
  if (!(error instanceof UnreadableJob)) throw error;
  const detail =
    error.reason === 'denied'
      ? `could not read when ${job.job} last succeeded: the monitor's role needs ${error.action} on ${job.stateMachineArn}`
      : `could not read when ${job.job} last succeeded: its state machine ${job.stateMachineArn} does not exist; redeploy the stack or stop watching the job`;
  return {
    job: job.job,
    stateMachineArn: job.stateMachineArn,
    hoursSinceSuccess: null,
    lastSuccessAt: null,
    overdue: false,
    result: { check: CHECK, target: job.job, status: 'FAIL', observed: null, threshold: limit, detail },
  };
}

function hoursBetween(from: Date, to: Date): number {
  // A clock a little behind Step Functions' must not give a negative age.
  return Math.max(0, Math.round(((to.getTime() - from.getTime()) / HOUR_MS) * 10) / 10);
}

function formatHours(hours: number): string {
  return Number.isInteger(hours) ? String(hours) : hours.toFixed(2).replace(/\.?0+$/, '');
}

function stateMachineName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}
