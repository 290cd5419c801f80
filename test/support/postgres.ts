import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Creates a data directory, starts the server with fsync off on a free port and waits until it accepts connections. */
export async function startPostgres(): Promise<TestPostgres> {
  const binDir = postgresBinDir();
  const root = mkdtempSync(join(tmpdir(), 'edr-pg-'));
  chmodSync(root, 0o777);
  const dataDir = join(root, 'data');
  const user = 'postgres';
  runAsServerUser(join(binDir, 'initdb'), ['-A', 'trust', '-U', user, '-E', 'UTF8', '--no-locale', '-D', dataDir]);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -k ${root}`;
  runAsServerUser(join(binDir, 'pg_ctl'), [
    '-D',
    dataDir,
    '-o',
    options,
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
