/**
 * Runs `pg_restore --no-owner --no-privileges -j N` and sorts what it says. Without `--no-owner
 * --no-privileges`, a dump of RDS-owned objects (`rdsadmin`, `rds_superuser` grants) ends in "errors ignored
 * on restore" on any other server, so ownership and grants are not restored: the test proves the data and schema.
 *
 * pg_restore's stderr (PostgreSQL 12-17, `pg_backup_archiver.c` `warn_or_exit_horribly`, `pg_backup_db.c`):
 * an error inside a TOC entry is `pg_restore: while PROCESSING TOC:` (once) and `pg_restore: from TOC entry N; …
 * DESC [schema] name owner` — both at info level, so only with `--verbose` —, then `pg_restore: error: could not
 * execute query: ERROR:  …`, optional `DETAIL:`/`HINT:`/`CONTEXT:` lines, and `Command was: …` (possibly several
 * lines); the run ends with `pg_restore: warning: errors ignored on restore: N` and exit status 1. A fatal error (cannot read the archive, lost connection) is a single
 * `pg_restore: error: …` (or `pg_restore: fatal:` before PostgreSQL 15) and exit status 1.
 *
 * Sorting: a block that names only one of the plan's ignorable extensions (RDS-only ones: `aws_s3`, …) is a
 * warning; disk full, out of memory and a lost or refused server connection mean the runner cannot (not the
 * backup's fault); anything else is an error of the backup.
 */
import { spawn } from 'node:child_process';

/** Where pg_restore connects: libpq's environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGSSLMODE`, …). */
export interface RestoreConnection {
  readonly database: string;
  readonly env: Readonly<Record<string, string>>;
}

/** What pg_restore did, sorted. */
export interface PgRestoreOutcome {
  /** Exit status; null when it was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Errors of the backup (first ones, one line each). */
  readonly errors: string[];
  /** Errors about ignorable extensions (one line each). */
  readonly warnings: string[];
  /** Errors that mean the runner cannot (disk full, out of memory, connection lost), one line each. */
  readonly runnerErrors: string[];
  /** "errors ignored on restore: N", or the blocks counted. */
  readonly errorCount: number;
  readonly seconds: number;
  /** stderr's last lines, for an exit with nothing parsed. */
  readonly tail: string[];
}

/** Errors listed per kind at most (the count says how many there were). */
export const MAX_LISTED = 20;
/** stderr lines kept for the tail. */
const TAIL_LINES = 20;
/** A line longer than this is cut: a `Command was:` can hold a whole function body. */
const MAX_LINE = 400;

const RUNNER_CANNOT = [
  /No space left on device/i,
  /could not extend file/i,
  /could not write to file/i,
  /out of memory/i,
  /server closed the connection unexpectedly/i,
  /connection to server .* failed/i,
  /could not connect to (the )?server/i,
  /terminating connection/i,
  /the database system is (shutting down|in recovery mode|starting up)/i,
  /no connection to the server/i,
  /SSL (SYSCALL )?error/i,
  /password authentication failed|no pg_hba\.conf entry|role ".*" does not exist/i,
];

/** Kind of one error block, given the plan's ignorable extensions. */
export function classifyBlock(block: string, ignorableExtensions: readonly string[]): 'warning' | 'runner' | 'backup' {
  if (RUNNER_CANNOT.some((re) => re.test(block))) return 'runner';
  const names: readonly string[] = block.match(/[A-Za-z_][A-Za-z0-9_$]*/g) ?? [];
  if (ignorableExtensions.some((ext) => names.includes(ext))) return 'warning';
  return 'backup';
}

/** One line of a block: the TOC entry it was in (if any), and its first error line. */
function blockLine(lines: readonly string[]): string {
  const entry = lines.find((l) => l.startsWith('pg_restore: from TOC entry'));
  const error = lines.find((l) => /^pg_restore: (error|fatal):/.test(l)) ?? lines[0] ?? '';
  const command = lines.find((l) => l.startsWith('Command was:'));
  const text = [
    error.replace(/^pg_restore: (error|fatal): /, ''),
    entry ? `(${entry.replace(/^pg_restore: from /, '').trim()})` : '',
    command ?? '',
  ]
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ');
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
}

/** Splits pg_restore's stderr into error blocks (each starting at its TOC entry or error line). */
export function errorBlocks(stderr: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  let entry: string | undefined;
  for (const line of stderr.split('\n')) {
    if (line === '' || line === 'pg_restore: while PROCESSING TOC:') continue;
    if (line.startsWith('pg_restore: from TOC entry')) {
      entry = line;
      current = undefined;
      continue;
    }
    if (/^pg_restore: (error|fatal):/.test(line)) {
      current = entry ? [entry, line] : [line];
      entry = undefined;
      blocks.push(current);
      continue;
    }
    if (line.startsWith('pg_restore: warning: errors ignored on restore')) {
      current = undefined;
      continue;
    }
    if (line.startsWith('pg_restore: ')) {
      current = undefined;
      continue;
    }
    current?.push(line);
  }
  return blocks;
}

/** Sorts pg_restore's stderr into errors, warnings and runner errors. */
export function sortRestoreErrors(
  stderr: string,
  ignorableExtensions: readonly string[],
): Pick<PgRestoreOutcome, 'errors' | 'warnings' | 'runnerErrors' | 'errorCount'> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const runnerErrors: string[] = [];
  const blocks = errorBlocks(stderr);
  for (const block of blocks) {
    const kind = classifyBlock(block.join('\n'), ignorableExtensions);
    const list = kind === 'warning' ? warnings : kind === 'runner' ? runnerErrors : errors;
    if (list.length < MAX_LISTED) list.push(blockLine(block));
  }
  const ignored = /errors ignored on restore: (\d+)/.exec(stderr);
  return { errors, warnings, runnerErrors, errorCount: ignored ? Number(ignored[1]) : blocks.length };
}

/** Options of one pg_restore run. */
export interface PgRestoreOptions {
  readonly pgRestore: string;
  readonly dumpPath: string;
  readonly jobs: number;
  readonly connection: RestoreConnection;
  readonly ignorableExtensions: readonly string[];
  /** Aborting kills pg_restore (its process group: the parallel workers too). */
  readonly signal: AbortSignal;
  readonly now: () => number;
}

/** stderr kept in memory at most: a restore of thousands of failing objects must not grow the runner. */
const MAX_STDERR = 4 * 1024 * 1024;
/** After SIGTERM, pg_restore gets this long before SIGKILL. */
const KILL_GRACE_MS = 5000;

/** Runs pg_restore into `connection.database` and returns what it did; never rejects for pg_restore's own failure. */
export async function runPgRestore(options: PgRestoreOptions): Promise<PgRestoreOutcome> {
  const started = options.now();
  const args = [
    // Verbose, for the `from TOC entry` line before each error (pg_restore prints it only at info level).
    '--verbose',
    '--no-owner',
    '--no-privileges',
    '--jobs',
    String(options.jobs),
    '--dbname',
    options.connection.database,
    options.dumpPath,
  ];
  const child = spawn(options.pgRestore, args, {
    // Its own process group, so the parallel workers are stopped with it.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.connection.env },
  });
  let stderr = '';
  let dropped = 0;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    // Keep the first part (the first errors) and count the rest; the final summary line is kept from the tail.
    if (stderr.length < MAX_STDERR) stderr += chunk;
    else dropped += chunk.length;
    if (dropped) stderr = stderr.slice(0, MAX_STDERR) + chunk.slice(-512);
  });
  const kill = () => {
    const group = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    group('SIGTERM');
    setTimeout(() => group('SIGKILL'), KILL_GRACE_MS).unref();
  };
  if (options.signal.aborted) kill();
  else options.signal.addEventListener('abort', kill, { once: true });
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', (error) => {
      stderr += `pg_restore: error: cannot start ${options.pgRestore}: ${error.message}\n`;
      resolve([127, null]);
    });
    child.once('close', (code, sig) => resolve([code, sig]));
  });
  options.signal.removeEventListener('abort', kill);
  const sorted = sortRestoreErrors(stderr, options.ignorableExtensions);
  return {
    exitCode,
    signal,
    ...sorted,
    seconds: (options.now() - started) / 1000,
    // The verbose progress lines say nothing about a failure.
    tail: stderr
      .trimEnd()
      .split('\n')
      .filter((line) => !line.startsWith('pg_restore: ') || /^pg_restore: (error|fatal|warning):/.test(line))
      .slice(-TAIL_LINES),
  };
}
