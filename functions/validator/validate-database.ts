/**
 * The database validator's checks: the plan's required tables, then each validation query, each alone in a
 * read-only transaction under its own `statement_timeout`. A query that fails in the database (missing table
 * or function, statement timeout, read-only violation) is a FAIL carrying its SQLSTATE, never an exception:
 * only a lost connection throws (`DatabaseUnreachableError`, from the connection).
 *
 * PostgreSQL facts relied on: `to_regclass(text)` returns NULL for a relation that does not exist (no error);
 * `SET LOCAL` lasts until the transaction ends; `statement_timeout` cancels a statement with SQLSTATE 57014;
 * SQLSTATE class 08 (connection exception) and 57P01-57P05 (the server ending the session) mean the session
 * is gone, so they are not query results.
 */
import type { CheckResult } from '../shared/check-result';
import type { DrPlan, ValidationExpectation } from '../../lib/plan';
import { HOUR_MS } from '../shared/time';

/** The one thing the validator needs of a database session (node-postgres `Client` has it). */
export interface SqlSession {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; fields: { name: string }[] }>;
}

/** The parts of the plan the validator reads. */
export interface ValidatorPlan {
  readonly backups: Pick<DrPlan['backups'], 'requiredTables' | 'validationQueries' | 'validation'>;
}

/** What is being validated and by when. */
export interface ValidateOptions {
  /** Name of the checked database in results, e.g. `edr-restore-test-entmoot-prod-202611010500`. */
  readonly target: string;
  /** The time the copy should represent (a snapshot's or a restore's point in time; now for a live database). */
  readonly referenceTime: Date;
  /** When the caller must have its answer (a Lambda's remaining time); no query runs past it. */
  readonly deadline: Date;
  /** The clock.
   * @default - Date.now */
  readonly now?: () => number;
}

/**
 * How long after the reference time a `withinHoursOf` timestamp may be: a copy holds nothing newer than its point
 * in time, but clocks and snapshot times are not exact to the second.
 */
export const WITHIN_HOURS_AFTER_MINUTES = 5;

/** A query is not started with less than this left before the deadline. */
export const MIN_QUERY_MS = 1000;
/** Kept back from the deadline for ending each transaction and returning the results. */
export const DEADLINE_RESERVE_MS = 500;

/** SQLSTATE and message of a database error (node-postgres `DatabaseError`), or undefined for anything else. */
export function sqlState(error: unknown): { code: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? { code, message: error.message } : undefined;
}

/** Whether a SQLSTATE means the session is gone rather than that the statement failed. */
export function isSessionLost(code: string): boolean {
  return code.startsWith('08') || /^57P0[1-5]$/.test(code);
}

const OP_WORDS = { eq: '=', gte: '≥', gt: '>', lte: '≤' } as const;

/** The expectation in words, as `threshold`. */
export function expectationWords(expect: ValidationExpectation | undefined, referenceTime: Date): string | null {
  if (!expect) return null;
  if (expect.op === 'withinHoursOf')
    return `within ${expect.hours} h before ${referenceTime.toISOString()} (at most ${WITHIN_HOURS_AFTER_MINUTES} min after)`;
  return `${OP_WORDS[expect.op]} ${expect.value}`;
}

function observedValue(value: unknown): number | string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    // COUNT(*) is bigint, which node-postgres returns as text.
    return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return JSON.stringify(value);
}

function timestampOf(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  }
  return undefined;
}

/** Verdict of one value against its expectation: PASS, or FAIL with the reason. */
export function judgeValue(
  value: unknown,
  expect: ValidationExpectation | undefined,
  referenceTime: Date,
): { pass: boolean; why: string } {
  if (!expect) return { pass: true, why: 'reported (the plan sets no expectation)' };
  if (expect.op === 'withinHoursOf') {
    if (value === null || value === undefined) return { pass: false, why: 'is NULL: no timestamp to compare' };
    const at = timestampOf(value);
    if (!at) return { pass: false, why: 'is not a timestamp' };
    const hours = (referenceTime.getTime() - at.getTime()) / HOUR_MS;
    if (hours > expect.hours)
      return { pass: false, why: `is ${hours.toFixed(1)} h before the reference time, more than ${expect.hours} h` };
    if (-hours * 60 > WITHIN_HOURS_AFTER_MINUTES)
      return {
        pass: false,
        why: `is ${(-hours * 60).toFixed(1)} min after the reference time: a copy holds nothing newer than its point in time`,
      };
    return { pass: true, why: `is ${hours.toFixed(1)} h before the reference time` };
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (value === null || value === undefined) return { pass: false, why: 'is NULL, not a number' };
  if (typeof value === 'string' && value.trim() === '') return { pass: false, why: 'is empty, not a number' };
  if (!Number.isFinite(n)) return { pass: false, why: 'is not a number' };
  const ok = { eq: n === expect.value, gte: n >= expect.value, gt: n > expect.value, lte: n <= expect.value }[
    expect.op
  ];
  return {
    pass: ok,
    why: ok ? `meets ${OP_WORDS[expect.op]} ${expect.value}` : `does not meet ${OP_WORDS[expect.op]} ${expect.value}`,
  };
}

type Outcome = { kind: 'rows'; rows: Record<string, unknown>[]; column?: string } | { kind: 'error'; text: string };

/** Runs one statement alone in a read-only transaction with `statement_timeout` = `timeoutMs`. */
async function runAlone(session: SqlSession, sql: string, values: unknown[] | undefined, timeoutMs: number) {
  await session.query('BEGIN READ ONLY');
  try {
    await session.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    const result = await session.query(sql, values);
    return { kind: 'rows', rows: result.rows, column: result.fields[0]?.name } satisfies Outcome;
  } catch (error) {
    const state = sqlState(error);
    if (!state || isSessionLost(state.code)) throw error;
    return { kind: 'error', text: `SQLSTATE ${state.code}: ${state.message}` } satisfies Outcome;
  } finally {
    await session.query('ROLLBACK');
  }
}

/**
 * Validates one database: a `required_tables` result, then one result per validation query (`check` = its name,
 * `observed` = the first column of its single row, `threshold` = the expectation in words).
 */
export async function validateDatabase(
  session: SqlSession,
  plan: ValidatorPlan,
  options: ValidateOptions,
): Promise<CheckResult[]> {
  const now = options.now ?? Date.now;
  const { target, referenceTime } = options;
  const statementMs = plan.backups.validation.statementTimeoutSeconds * 1000;
  const budget = (): number => Math.min(statementMs, options.deadline.getTime() - DEADLINE_RESERVE_MS - now());
  const notRun = (check: string, threshold: string | null): CheckResult => ({
    check,
    target,
    status: 'FAIL',
    observed: null,
    threshold,
    detail: `not run: less than ${MIN_QUERY_MS / 1000} s was left before the deadline ${options.deadline.toISOString()}`,
  });
  const results: CheckResult[] = [];

  const required = plan.backups.requiredTables;
  const tablesThreshold = `all of ${required.join(', ')}`;
  if (budget() < MIN_QUERY_MS) results.push(notRun('required_tables', tablesThreshold));
  else {
    const outcome = await runAlone(
      session,
      'SELECT name FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i) WHERE to_regclass(quote_ident(name)) IS NULL ORDER BY i',
      [required],
      budget(),
    );
    if (outcome.kind === 'error') {
      results.push({
        check: 'required_tables',
        target,
        status: 'FAIL',
        observed: null,
        threshold: tablesThreshold,
        detail: `the table lookup failed: ${outcome.text}`,
      });
    } else {
      const missing = outcome.rows.map((r) => String(r.name));
      results.push({
        check: 'required_tables',
        target,
        status: missing.length === 0 ? 'PASS' : 'FAIL',
        observed: missing.length === 0 ? required.length : `missing: ${missing.join(', ')}`,
        threshold: tablesThreshold,
        detail:
          missing.length === 0
            ? `all ${required.length} required tables exist`
            : `missing table${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the copy is incomplete or not the plan's database`,
      });
    }
  }

  for (const query of plan.backups.validationQueries) {
    const threshold = expectationWords(query.expect, referenceTime);
    if (budget() < MIN_QUERY_MS) {
      results.push(notRun(query.name, threshold));
      continue;
    }
    const timeoutMs = budget();
    const outcome = await runAlone(session, query.sql, undefined, timeoutMs);
    const fail = (detail: string) =>
      results.push({ check: query.name, target, status: 'FAIL', observed: null, threshold, detail });
    if (outcome.kind === 'error') {
      fail(`the query failed (statement timeout ${timeoutMs} ms): ${outcome.text}`);
      continue;
    }
    if (outcome.rows.length !== 1 || !outcome.column) {
      fail(`the query returned ${outcome.rows.length} rows: a validation query must return exactly one`);
      continue;
    }
    const value = outcome.rows[0][outcome.column];
    const verdict = judgeValue(value, query.expect, referenceTime);
    results.push({
      check: query.name,
      target,
      status: verdict.pass ? 'PASS' : 'FAIL',
      observed: observedValue(value),
      threshold,
      detail: `${query.name} = ${value === null || value === undefined ? 'NULL' : String(observedValue(value))} ${verdict.why}`,
    });
  }
  return results;
}
