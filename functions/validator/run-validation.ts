/**
 * One validator invocation: checks the event, opens a session (TLS verify-full, a fresh IAM token) and runs the
 * plan's checks before the Lambda's own deadline. Pure: the session factory, token signer and clock are passed in.
 */
import type { CheckResult } from '../shared/check-result';
import { InvalidInputError } from '../shared/errors';
import type { ConnectOptions, PasswordProvider, ValidatorConnection } from './connect';
import { validateDatabase, type ValidatorPlan } from './validate-database';

/** What a workflow asks the validator to check. */
export interface ValidateEvent {
  /** Name of the checked database in the results (an instance id). */
  readonly target: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** ISO time the copy should represent (snapshot time, restore point, or the promotion time). */
  readonly referenceTime: string;
}

/** The validator's answer. */
export interface ValidateOutput {
  readonly results: CheckResult[];
}

/** What the invocation needs from outside. */
export interface RunValidationDeps {
  readonly connect: (options: ConnectOptions) => Promise<ValidatorConnection>;
  readonly tokenFor: (host: string, port: number, user: string) => PasswordProvider;
  readonly now: () => number;
  /** Milliseconds until the Lambda is stopped. */
  readonly remainingMs: () => number;
}

/** Kept back from the Lambda's own timeout for closing the session and returning. */
export const LAMBDA_RESERVE_MS = 3000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;

/** Checks the event and returns it typed; throws `InvalidInputError` naming the first bad field. */
export function parseValidateEvent(input: unknown): ValidateEvent {
  const event = (input ?? {}) as Record<string, unknown>;
  const text = (field: string, pattern?: RegExp, hint = 'a non-empty string'): string => {
    const value = event[field];
    if (typeof value !== 'string' || value.trim() === '' || (pattern && !pattern.test(value)))
      throw new InvalidInputError(`event.${field} must be ${hint} (got ${JSON.stringify(value ?? null)})`);
    return value;
  };
  const target = text('target');
  const host = text('host', /^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address');
  const port = event.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidInputError(
      `event.port must be a whole number from 1 to 65535 (got ${JSON.stringify(port ?? null)})`,
    );
  const database = text('database', IDENTIFIER, 'a PostgreSQL database name');
  const user = text('user', IDENTIFIER, 'a PostgreSQL role name');
  const referenceTime = text('referenceTime', /^\d{4}-\d{2}-\d{2}T/, 'an ISO 8601 time such as 2026-11-01T05:00:00Z');
  if (Number.isNaN(Date.parse(referenceTime)))
    throw new InvalidInputError(`event.referenceTime must be an ISO 8601 time (got "${referenceTime}")`);
  return { target, host, port, database, user, referenceTime };
}

/** Validates the database the event names; connection failures throw `DatabaseUnreachableError`. */
export async function runValidation(
  input: unknown,
  plan: ValidatorPlan,
  deps: RunValidationDeps,
): Promise<ValidateOutput> {
  const event = parseValidateEvent(input);
  const deadline = new Date(deps.now() + deps.remainingMs() - LAMBDA_RESERVE_MS);
  const session = await deps.connect({
    host: event.host,
    port: event.port,
    database: event.database,
    user: event.user,
    password: deps.tokenFor(event.host, event.port, event.user),
    connectTimeoutSeconds: plan.backups.validation.connectTimeoutSeconds,
  });
  try {
    const results = await validateDatabase(session, plan, {
      target: event.target,
      referenceTime: new Date(event.referenceTime),
      deadline,
      now: deps.now,
    });
    return { results };
  } finally {
    await session.end();
  }
}
