/**
 * `entmoot-dr validate`: the database validator against any database (after a manual restore, say), with the
 * plan file's queries or the defaults. TLS verify-full always; `sslmode=disable` only for a loopback host. With
 * `--host/--user` the password is an IAM token signed locally (region from `--region` or `AWS_REGION`); with a URL,
 * the URL's password or `PGPASSWORD`. Exit codes (the CLI's one table): 0 no FAIL, 1 a FAIL, 2 usage or
 * configuration (before any connection), 3 the database could not be reached.
 */
import { readFileSync } from 'node:fs';
import type { CheckResult } from '../functions/shared/check-result';
import { DatabaseUnreachableError, InvalidInputError } from '../functions/shared/errors';
import { connect, isLoopback, rdsIamTokenProvider, type ConnectOptions } from '../functions/validator/connect';
import { validateDatabase } from '../functions/validator/validate-database';
import { loadPlan } from '../lib/plan-loader';
import { type DrPlan, PlanError } from '../lib/plan';
import { EXIT, UsageError, type CliIo } from './cli';
import { DAY_MS } from '../functions/shared/time';

/** The synopsis of `validate`. */
export const VALIDATE_ARGS =
  '<postgres-url | --host H --user U [--port P] [--database D] [--region R]> [--plan FILE] [--ca-file PEM] [--reference-time ISO] [--json]';

const VALUE_FLAGS = new Set(['host', 'user', 'port', 'database', 'region', 'plan', 'ca-file', 'reference-time']);

/** What `validate` takes from its surroundings; injectable for tests. */
export interface ValidateDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly connect: typeof connect;
  readonly now: () => number;
}

const defaultDeps = (): ValidateDeps => ({ env: process.env, connect, now: Date.now });

function parseArgs(args: readonly string[]): { flags: Map<string, string>; json: boolean; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option --${name}`);
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    flags.set(name, value);
  }
  return { flags, json, positional };
}

function portOf(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    throw new UsageError(`${what} must be a port from 1 to 65535, got "${text}"`);
  return port;
}

interface Connection {
  readonly options: Omit<ConnectOptions, 'connectTimeoutSeconds' | 'ca'>;
  /** Signs once before connecting, so missing credentials are a configuration error (exit 2), not exit 3. */
  readonly checkCredentials?: () => Promise<void>;
}

function fromUrl(
  text: string,
  flags: Map<string, string>,
  env: NodeJS.ProcessEnv,
  defaultDatabase: string,
): Connection {
  for (const flag of ['host', 'user', 'port', 'database', 'region'])
    if (flags.has(flag)) throw new UsageError(`--${flag} cannot be combined with a URL: put it in the URL`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('the database URL is not a URL: postgres://user[:password]@host[:port]/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new UsageError(`the database URL must start with postgres:// or postgresql://, not ${url.protocol}//`);
  if (!url.hostname) throw new UsageError('the database URL names no host');
  if (!url.username) throw new UsageError('the database URL names no user: postgres://USER@host/database');
  let tls: 'verify-full' | 'disable' = 'verify-full';
  for (const [key, value] of url.searchParams) {
    if (key !== 'sslmode') throw new UsageError(`the URL parameter ${key} is not supported: use the command's options`);
    if (value === 'disable') {
      if (!isLoopback(url.hostname))
        throw new UsageError(`sslmode=disable is allowed only for a loopback host, not ${url.hostname}: remove it`);
      tls = 'disable';
    } else if (value !== 'verify-full')
      throw new UsageError(
        `sslmode=${value} does not verify the server: leave sslmode out (verify-full is the default)`,
      );
  }
  const password = url.password ? decodeURIComponent(url.password) : (env.PGPASSWORD ?? '');
  return {
    options: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? portOf(url.port, 'the URL port') : 5432,
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || defaultDatabase,
      user: decodeURIComponent(url.username),
      password: async () => password,
      tls,
    },
  };
}

function fromFlags(flags: Map<string, string>, env: NodeJS.ProcessEnv, defaultDatabase: string): Connection {
  const host = flags.get('host');
  const user = flags.get('user');
  if (!host || !user) throw new UsageError('give a postgres:// URL, or --host and --user');
  const region = flags.get('region') ?? env.AWS_REGION;
  if (!region) throw new UsageError('no region to sign the IAM token for: pass --region or set AWS_REGION');
  const port = flags.has('port') ? portOf(flags.get('port') as string, '--port') : 5432;
  const token = rdsIamTokenProvider({ host, port, user, region });
  return {
    options: { host, port, user, database: flags.get('database') ?? defaultDatabase, password: token },
    checkCredentials: async () => {
      try {
        await token();
      } catch (error) {
        throw new UsageError(
          `no AWS credentials to sign the IAM token (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): set a profile or credentials`,
        );
      }
    },
  };
}

function readCa(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read the CA file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): check --ca-file`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new UsageError(
      `the CA file ${path} holds no PEM certificate: pass the RDS bundle (global-bundle.pem) or your CA`,
    );
  return pem;
}

function text(value: CheckResult['observed']): string {
  return value === null ? '-' : String(value);
}

/** The results as an aligned table, then one summary line. */
export function resultsTable(results: readonly CheckResult[]): string {
  const header = ['check', 'status', 'observed', 'threshold', 'detail'];
  const rows = results.map((r) => [r.check, r.status, text(r.observed), text(r.threshold), r.detail]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const failed = results.filter((r) => r.status === 'FAIL').length;
  return [
    line(header),
    ...rows.map(line),
    '',
    `${results.length} checks: ${results.length - failed} passed, ${failed} failed`,
  ].join('\n');
}

/** Runs `validate`; returns the exit code. Usage and configuration problems throw `UsageError` (exit 2). */
export async function validateCommand(
  args: readonly string[],
  io: CliIo,
  deps: ValidateDeps = defaultDeps(),
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: entmoot-dr validate ${VALIDATE_ARGS}`);
    return EXIT.ok;
  }
  const { flags, json, positional } = parseArgs(args);
  if (positional.length > 1) throw new UsageError(`validate takes one database URL, got: ${positional.join(' ')}`);
  let plan: DrPlan;
  try {
    plan = loadPlan(flags.get('plan'));
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    for (const issue of error.issues) io.err(`entmoot-dr validate: ${issue}`);
    return EXIT.usage;
  }
  const referenceText = flags.get('reference-time');
  const referenceTime = referenceText === undefined ? new Date(deps.now()) : new Date(referenceText);
  if (
    referenceText !== undefined &&
    (!/^\d{4}-\d{2}-\d{2}/.test(referenceText) || Number.isNaN(referenceTime.getTime()))
  )
    throw new UsageError(
      `--reference-time must be an ISO 8601 time such as 2026-11-01T05:00:00Z, got "${referenceText}"`,
    );
  const ca = flags.has('ca-file') ? readCa(flags.get('ca-file') as string) : undefined;
  const defaultDatabase = plan.databases[0].databaseName;
  const connection =
    positional.length === 1
      ? fromUrl(positional[0], flags, deps.env, defaultDatabase)
      : fromFlags(flags, deps.env, defaultDatabase);
  await connection.checkCredentials?.();

  const { options } = connection;
  const target = `${options.host}:${options.port}/${options.database}`;
  let results: CheckResult[];
  try {
    const session = await deps.connect({
      ...options,
      ...(ca === undefined ? {} : { ca }),
      connectTimeoutSeconds: plan.backups.validation.connectTimeoutSeconds,
    });
    try {
      results = await validateDatabase(session, plan, {
        target,
        referenceTime,
        // No Lambda clock here: each query is bounded by its statement timeout alone.
        deadline: new Date(deps.now() + DAY_MS),
        now: deps.now,
      });
    } finally {
      await session.end();
    }
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.message);
    io.err(
      `entmoot-dr validate: ${error instanceof DatabaseUnreachableError ? '' : 'unexpected error: '}${error instanceof Error ? error.message : String(error)}`,
    );
    return EXIT.failure;
  }
  io.out(
    json
      ? JSON.stringify({ target, referenceTime: referenceTime.toISOString(), results }, null, 2)
      : resultsTable(results),
  );
  return results.some((r) => r.status === 'FAIL') ? EXIT.problem : EXIT.ok;
}
