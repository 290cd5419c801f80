import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server started for tests or benchmarks: its own data directory, a free port on 127.0.0.1. */
export interface TestPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly dataDir: string;
  readonly binDir: string;
}

/** Directory of the server binaries (`pg_config --bindir`, then Debian's versioned folders). */
export function postgresBinDir(): string {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [fromConfig.status === 0 ? fromConfig.stdout.trim() : ''];
  for (const major of ['17', '16', '15', '14']) candidates.push(`/usr/lib/postgresql/${major}/bin`);
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
}

function serverUserIds(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
}

/** Creates a data directory, starts the server with fsync off on a free port and waits until it accepts connections. */
export async function startPostgres(options: PostgresOptions = {}): Promise<TestPostgres> {
  const binDir = postgresBinDir();
  const root = mkdtempSync(join(tmpdir(), 'edr-pg-'));
  chmodSync(root, 0o777);
  const dataDir = join(root, 'data');
  const user = 'postgres';
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
  const options_ = `-p ${port} -c listen_addresses=${options.listenAddresses ?? '127.0.0.1'} -c fsync=off -c full_page_writes=off -c synchronous_commit=off -k ${root}${settings}`;
  runAsServerUser(join(binDir, 'pg_ctl'), [
    '-D',
    dataDir,
    '-o',
    options_,
    '-l',
    join(root, 'server.log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  return { host: '127.0.0.1', port, user, dataDir, binDir };
}

/** Stops the server immediately and removes its data directory. */
export function stopPostgres(server: TestPostgres): void {
  try {
    runAsServerUser(join(server.binDir, 'pg_ctl'), ['-D', server.dataDir, '-m', 'immediate', '-w', 'stop']);
  } finally {
    rmSync(join(server.dataDir, '..'), { recursive: true, force: true });
  }
}
