/**
 * Where the runner restores: a throwaway PostgreSQL + PostGIS server of its own (`local-postgres.ts`, in the
 * work folder, removed whole afterwards), or, with `--database-url`, a new database
 * `edr_restore_<yyyymmddhhmm>_<hex>` on that server (dropped afterwards). SIGKILL cannot be caught, so a
 * `--database-url` run first drops the `edr_restore_*` databases whose name dates them before its own deadline
 * window: their runs have ended themselves by now, whatever happened to them.
 *
 * Connections: to a loopback host TLS may be off (`sslmode=disable`); any other host is verify-full, as the
 * validator always connects (`functions/validator/connect.ts`); pg_restore gets the same through libpq's
 * environment (`PGSSLMODE`, and `PGSSLROOTCERT` as the caller set it).
 */
import { randomBytes } from 'node:crypto';
import { connect, isLoopback, type ValidatorConnection } from '../validator/connect';
import { InvalidInputError } from '../shared/errors';
import { compactTimestamp } from '../shared/naming';
import { type LocalPostgres, startPostgres, stopPostgres } from './local-postgres';
import type { RestoreConnection } from './pg-restore';

/** Prefix of every database the runner creates. */
export const RESTORE_DATABASE_PREFIX = 'edr_restore_';
const NAME_PATTERN = /^edr_restore_(\d{12})_[0-9a-f]+$/;

/** `edr_restore_<yyyymmddhhmm>_<hex>` for a run started at `at`. */
export function restoreDatabaseName(at: Date, hex = randomBytes(4).toString('hex')): string {
  return `${RESTORE_DATABASE_PREFIX}${compactTimestamp(at)}_${hex}`;
}

/** When a runner's database was created, from its name (minute precision, UTC); undefined for other names. */
export function createdAtOf(name: string): Date | undefined {
  const match = NAME_PATTERN.exec(name);
  if (!match) return undefined;
  const t = match[1];
  const at = new Date(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:00Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** A server to connect to. */
interface Server {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly tls: 'verify-full' | 'disable';
  /** The database to connect to for CREATE/DROP DATABASE. */
  readonly adminDatabase: string;
}

/** A database ready for pg_restore, and how to get rid of it. */
export interface RestoreTarget {
  /** For the report: `throwaway server` or `host:port/database`. */
  readonly description: string;
  readonly database: string;
  /** pg_restore's connection. */
  readonly connection: RestoreConnection;
  /** A session on the restored database, every transaction read-only. */
  openReadOnly(): Promise<ValidatorConnection>;
  /** Databases of earlier runs dropped before this one (database URL only). */
  readonly swept: readonly string[];
  /** Drops the database, or stops the throwaway server and removes its folder. Safe to call twice; synchronous parts first. */
  remove(): Promise<void>;
  /** What `remove` does, as far as it can be done without waiting (a signal arrived): stops a throwaway server. */
  removeNow(): void;
}

/** Parses a `postgres://` URL into a server; throws `InvalidInputError` (exit 2) for what it refuses. */
export function parseDatabaseUrl(text: string, env: NodeJS.ProcessEnv): Server {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError('--database-url is not a URL: postgres://user[:password]@host[:port]/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new InvalidInputError(`--database-url must start with postgres:// or postgresql://, not ${url.protocol}//`);
  if (!url.hostname) throw new InvalidInputError('--database-url names no host');
  if (!url.username) throw new InvalidInputError('--database-url names no user: postgres://USER@host/database');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let tls: Server['tls'] = 'verify-full';
  for (const [key, value] of url.searchParams) {
    if (key !== 'sslmode') throw new InvalidInputError(`the --database-url parameter ${key} is not supported`);
    if (value === 'disable') {
      if (!isLoopback(host))
        throw new InvalidInputError(`sslmode=disable is allowed only for a loopback host, not ${host}: remove it`);
      tls = 'disable';
    } else if (value !== 'verify-full')
      throw new InvalidInputError(
        `sslmode=${value} does not verify the server: leave sslmode out (verify-full is the default)`,
      );
  }
  const port = url.port ? Number(url.port) : 5432;
  return {
    host,
    port,
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : (env.PGPASSWORD ?? ''),
    tls,
    adminDatabase: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
  };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function open(server: Server, database: string, connectTimeoutSeconds: number): Promise<ValidatorConnection> {
  return connect({
    host: server.host,
    port: server.port,
    user: server.user,
    database,
    password: async () => server.password,
    tls: server.tls,
    connectTimeoutSeconds,
  });
}

function libpqEnv(server: Server): Record<string, string> {
  return {
    PGHOST: server.host,
    PGPORT: String(server.port),
    PGUSER: server.user,
    PGPASSWORD: server.password,
    PGSSLMODE: server.tls,
    PGAPPNAME: 'entmoot-dr-restore-runner',
  };
}

async function openReadOnlyOn(server: Server, database: string, connectTimeoutSeconds: number) {
  const session = await open(server, database, connectTimeoutSeconds);
  // Every transaction of this session is read-only: the validator proves the copy, it never changes it.
  await session.query('SET default_transaction_read_only = on');
  return session;
}

/** Settings that make a throwaway restore faster: nothing here must survive a crash. */
const THROWAWAY_SETTINGS = {
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_wal_size: '4GB',
  checkpoint_timeout: '30min',
  autovacuum: 'off',
  maintenance_work_mem: '256MB',
};

/** Starts a throwaway server in `workDir` and creates the restore database there. */
export async function throwawayTarget(options: {
  readonly binDir: string;
  readonly workDir: string;
  readonly at: Date;
  readonly connectTimeoutSeconds: number;
  /** Called as soon as the server runs, before anything else can fail, so an interrupt can stop it. */
  readonly onStarted: (server: LocalPostgres) => void;
}): Promise<RestoreTarget> {
  const local = await startPostgres({
    binDir: options.binDir,
    parentDir: options.workDir,
    settings: THROWAWAY_SETTINGS,
  });
  options.onStarted(local);
  let stopped = false;
  const removeNow = () => {
    if (stopped) return;
    stopped = true;
    stopPostgres(local);
  };
  const server: Server = {
    host: local.host,
    port: local.port,
    user: local.user,
    password: '',
    tls: 'disable',
    adminDatabase: 'postgres',
  };
  const database = restoreDatabaseName(options.at);
  try {
    const admin = await open(server, 'postgres', options.connectTimeoutSeconds);
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    removeNow();
    throw error;
  }
  return {
    description: `throwaway server (${local.binDir})`,
    database,
    connection: { database, env: libpqEnv(server) },
    openReadOnly: () => openReadOnlyOn(server, database, options.connectTimeoutSeconds),
    swept: [],
    remove: async () => removeNow(),
    removeNow,
  };
}

/**
 * Sweeps stale runner databases on the URL's server, then creates this run's. `maxAgeMs`: a database whose name
 * dates it more than this before `at` belongs to a run past its deadline.
 */
export async function urlTarget(options: {
  readonly server: Server;
  readonly at: Date;
  readonly maxAgeMs: number;
  readonly connectTimeoutSeconds: number;
}): Promise<RestoreTarget> {
  const { server, at } = options;
  const database = restoreDatabaseName(at);
  const swept: string[] = [];
  const admin = await open(server, server.adminDatabase, options.connectTimeoutSeconds);
  try {
    const existing = await admin.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'edr\\_restore\\_%' ORDER BY datname",
    );
    for (const row of existing.rows) {
      const name = String(row.datname);
      const created = createdAtOf(name);
      // The name has minute precision: one more minute keeps a run that started in the same minute safe.
      if (created && at.getTime() - created.getTime() > options.maxAgeMs + 60_000) {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        swept.push(name);
      }
    }
    await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
  } finally {
    await admin.end();
  }
  let removed = false;
  return {
    description: `${server.host}:${server.port}/${database}`,
    database,
    connection: { database, env: libpqEnv(server) },
    openReadOnly: () => openReadOnlyOn(server, database, options.connectTimeoutSeconds),
    swept,
    remove: async () => {
      if (removed) return;
      const session = await open(server, server.adminDatabase, options.connectTimeoutSeconds);
      try {
        // FORCE (PostgreSQL 13+) ends pg_restore's sessions that a kill left behind on the server.
        await session.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
        removed = true;
      } finally {
        await session.end();
      }
    },
    removeNow: () => undefined,
  };
}
