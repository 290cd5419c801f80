/**
 * A throwaway PostgreSQL server on this machine: the dump restore runner's restore target, and the server of the
 * integration tests and benchmarks. Started as the tests always started it: `initdb -A trust` into a new folder
 * under the temp directory (as the `postgres` user when run as root: initdb refuses root), `pg_ctl start` on a free
 * 127.0.0.1 port with fsync off, and removed whole by `stopPostgres`. Imports no CDK: it ships in the runner bundle.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server started for the runner, tests or benchmarks: its own data directory, a free port on 127.0.0.1. */
export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly dataDir: string;
  readonly binDir: string;
  /** The folder holding the data directory, the socket and the log; `stopPostgres` removes it whole. */
  readonly root: string;
}

/** Directory of the server binaries (`pg_config --bindir`, then Debian's versioned folders, newest first). */
export function postgresBinDir(): string {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [fromConfig.status === 0 && fromConfig.stdout ? fromConfig.stdout.trim() : ''];
  for (const major of ['18', '17', '16', '15', '14']) candidates.push(`/usr/lib/postgresql/${major}/bin`);
  const found = candidates.find((dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries not found: run scripts/test.sh, which installs postgresql and postgresql-postgis',
    );
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a server binary, as the `postgres` user when we are root (initdb refuses root). */
function runAsServerUser(binary: string, args: string[]): string {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Extra settings of a server started by `startPostgres`; none: the plain test server. */
export interface PostgresOptions {
  /** `listen_addresses`.
   * @default '127.0.0.1' */
  readonly listenAddresses?: string;
  /** Files written into the data directory before start, owned by the server's user (e.g. a TLS key, mode 0600). */
  readonly files?: Readonly<Record<string, { readonly content: string; readonly mode?: number }>>;
  /** Server settings passed as `-c name=value` (e.g. `ssl: 'on'`). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Replaces `pg_hba.conf`. */
  readonly hba?: string;
  /** Directory of the server binaries.
   * @default - postgresBinDir() */
  readonly binDir?: string;
  /** Where the server's folder is made (its data grows to the size of what is restored).
   * @default - the temp directory */
  readonly parentDir?: string;
}

function serverUserIds(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
}

/** Creates a data directory, starts the server with fsync off on a free port and waits until it accepts connections. */
export async function startPostgres(options: PostgresOptions = {}): Promise<LocalPostgres> {
  const binDir = options.binDir ?? postgresBinDir();
  const root = mkdtempSync(join(options.parentDir ?? tmpdir(), 'edr-pg-'));
  chmodSync(root, 0o777);
  const dataDir = join(root, 'data');
  const user = 'postgres';
  try {
    runAsServerUser(join(binDir, 'initdb'), ['-A', 'trust', '-U', user, '-E', 'UTF8', '--no-locale', '-D', dataDir]);
    const owner = serverUserIds();
    const files: NonNullable<PostgresOptions['files']> = {
      ...options.files,
      ...(options.hba === undefined ? {} : { 'pg_hba.conf': { content: options.hba } }),
    };
    for (const [name, file] of Object.entries(files)) {
      const path = join(dataDir, name);
      writeFileSync(path, file.content, { mode: file.mode ?? 0o600 });
      chmodSync(path, file.mode ?? 0o600);
      if (owner) chownSync(path, owner.uid, owner.gid);
    }
    const port = await freePort();
    const settings = Object.entries(options.settings ?? {})
      .map(([name, value]) => ` -c ${name}=${value}`)
      .join('');
    const serverOptions = `-p ${port} -c listen_addresses=${options.listenAddresses ?? '127.0.0.1'} -c fsync=off -c full_page_writes=off -c synchronous_commit=off -k ${root}${settings}`;
    runAsServerUser(join(binDir, 'pg_ctl'), [
      '-D',
      dataDir,
      '-o',
      serverOptions,
      '-l',
      join(root, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
    return { host: '127.0.0.1', port, user, dataDir, binDir, root };
  } catch (error) {
    // A server that started but was not waited for would keep running: stop it if its pid file exists.
    stopServer(binDir, dataDir);
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** Stops the server immediately and removes its data directory. */
export function stopPostgres(server: LocalPostgres): void {
  try {
    stopServer(server.binDir, server.dataDir);
  } finally {
    rmSync(server.root, { recursive: true, force: true });
  }
}

/**
 * Stops the server of `dataDir` immediately (`pg_ctl stop -m immediate`), if one runs: the cleanup of a server
 * whose start was interrupted, found by its data directory. Throws when pg_ctl fails with a server running.
 */
export function stopServer(binDir: string, dataDir: string): void {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  runAsServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
}
