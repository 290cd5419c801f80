import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { RestoreReport } from '../../functions/restore-runner/report';
import { writePlanFile } from '../../lib/bundling';
import { parsePlan } from '../../lib/plan';
import { bundleRestoreRunner } from '../../lib/restore-runner-bundle';
import { testDatabase, testServer } from '../support/database';
import { writeCustomDump } from '../support/dump-writer';
import { runPgRestore } from '../../functions/restore-runner/pg-restore';
import {
  createEntmootDatabase,
  createTestDumps,
  dropDatabase,
  pgDump,
  removeTestDumps,
  type TestDumps,
} from '../support/dumps';
import { startS3Server, type TestS3Server } from '../support/s3-server';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'entmoot-dr-cli.cjs');
const plan = parsePlan({});

let dumps: TestDumps;
let extra: string;
let bundle: string;
let s3: TestS3Server;
/** Dumps made for these tests only. */
const files: Record<'missingTable' | 'nullGeometry' | 'foreignOwner' | 'large', string> = {
  missingTable: '',
  nullGeometry: '',
  foreignOwner: '',
  large: '',
};

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const server = testServer();
  const client = new Client({ host: server.host, port: server.port, user: server.user, database: 'postgres' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Dumps a variant of the plan's database: `change` runs in it after the usual rows are in. */
async function variantDump(name: string, change: string): Promise<string> {
  const database = `edr_rr_${name}_${process.pid}`;
  await createEntmootDatabase(database);
  const server = testServer();
  const client = new Client({ host: server.host, port: server.port, user: server.user, database });
  await client.connect();
  try {
    await client.query(change);
  } finally {
    await client.end();
  }
  const file = join(extra, `${name}.dump`);
  try {
    await pgDump(database, ['-Fc', '-f', file]);
  } finally {
    await dropDatabase(database);
  }
  return file;
}

beforeAll(async () => {
  dumps = await createTestDumps();
  extra = mkdtempSync(join(tmpdir(), 'edr-rr-'));
  // The throwaway server runs as the postgres user (we are root in CI): it must reach the work folders inside.
  chmodSync(extra, 0o755);
  const role = `edr_rr_owner_${process.pid}`;
  await admin((c) => c.query(`DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role}`));
  try {
    files.missingTable = await variantDump('missing', 'DROP TABLE optimizations');
    files.nullGeometry = await variantDump('nullgeom', 'UPDATE buildings SET geom = NULL WHERE id = 1');
    files.foreignOwner = await variantDump(
      'owner',
      `ALTER TABLE buildings OWNER TO ${role}; GRANT SELECT ON projects TO ${role}`,
    );
    // Large enough that pg_restore runs for seconds: the interrupt tests stop it midway.
    files.large = await variantDump(
      'large',
      'CREATE TABLE filler AS SELECT i, md5(i::text) || md5((i + 1)::text) AS t FROM generate_series(1, 1500000) AS i; CREATE INDEX ON filler (t)',
    );
  } finally {
    await admin((c) => c.query(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => undefined));
  }
  bundle = bundleRestoreRunner(join(extra, 'bundle'), writePlanFile(plan));
  s3 = await startS3Server();
}, 300_000);

afterAll(async () => {
  await s3?.close();
  removeTestDumps(dumps);
  if (extra) rmSync(extra, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: RestoreReport | undefined;
}

/** Starts the CLI (`cli`) or the bundled runner (`bundle`) with `args`; `--json` is added unless `json` is false. */
function start(
  how: 'cli' | 'bundle',
  args: string[],
  env: NodeJS.ProcessEnv = {},
  json = true,
): { child: ChildProcess; done: Promise<Run> } {
  const server = testServer();
  const all = json ? [...args, '--json'] : args;
  const argv = how === 'cli' ? [CLI, 'restore-test', ...all] : [bundle, ...all];
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, EDR_PG_BINDIR: server.binDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => {
    child.once('close', (code) => {
      let report: RestoreReport | undefined;
      try {
        report = JSON.parse(stdout) as RestoreReport;
      } catch {
        report = undefined;
      }
      resolve({ code, stdout, stderr, report });
    });
  });
  return { child, done };
}

const run = (how: 'cli' | 'bundle', args: string[], env?: NodeJS.ProcessEnv) => start(how, args, env).done;

/** A work folder the server's user can reach. */
function workDir(): string {
  const dir = mkdtempSync(join(extra, 'work-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** Whether a pg_restore process is reading `dump`. */
function pgRestoreRunningOn(dump: string): boolean {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .some((pid) => {
      try {
        const argv = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0');
        return argv[0].endsWith('pg_restore') && argv.includes(dump);
      } catch {
        return false;
      }
    });
}

function databaseUrl(): string {
  const server = testServer();
  return `postgres://${server.user}@${server.host}:${server.port}/postgres?sslmode=disable`;
}

async function restoreDatabases(): Promise<string[]> {
  const rows = await admin((c) => c.query("SELECT datname FROM pg_database WHERE datname LIKE 'edr\\_restore\\_%'"));
  return rows.rows.map((r) => String(r.datname));
}

const statuses = (report: RestoreReport | undefined) =>
  Object.fromEntries((report?.results ?? []).map((r) => [r.check, r.status]));

describe('the dump restore runner, end to end', () => {
  it('restores and validates a good dump in a throwaway server through the CLI, and leaves nothing behind (exit 0)', async () => {
    const work = workDir();
    const { code, report, stderr } = await run('cli', [dumps.custom, '--jobs', '2', '--work-dir', work]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(report?.verdict).toBe('restored');
    expect(statuses(report)).toMatchObject({
      'dump-format': 'PASS',
      'dump-tables': 'PASS',
      'dump-completeness': 'PASS',
      'pg-restore': 'PASS',
      required_tables: 'PASS',
      postgis_works: 'PASS',
      latest_modification: 'PASS',
      'restore-time': 'PASS',
    });
    expect(report?.versions.postgis).toMatch(/^\d+\.\d+/);
    expect(report?.restore.jobs).toBe(2);
    expect(report?.timings.restoreSeconds).toBeGreaterThan(0);
    expect(readdirSync(work)).toEqual([]);
  });

  it('restores into a new database at --database-url through the bundled runner and drops it afterwards (exit 0)', async () => {
    const { code, report } = await run('bundle', [dumps.custom, '--database-url', databaseUrl()]);
    expect(code).toBe(0);
    expect(report?.restoredInto).toMatch(/\/edr_restore_\d{12}_[0-9a-f]{8}$/);
    expect(await restoreDatabases()).toEqual([]);
  });

  it("judges freshness against --reference-time when given, instead of the file's mtime", async () => {
    const { code, report } = await run('bundle', [
      dumps.custom,
      '--database-url',
      databaseUrl(),
      '--reference-time',
      '2020-01-01T00:00:00Z',
    ]);
    expect(code).toBe(1);
    expect(report?.referenceTime).toBe('2020-01-01T00:00:00.000Z');
    expect(report?.results.find((r) => r.check === 'latest_modification')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/min after the reference time: a copy holds nothing newer than its point in time$/),
    });
    expect(await restoreDatabases()).toEqual([]);
  });

  it('restores a dump written to a pipe (no data offsets) at -j 2 (exit 0)', async () => {
    const { code, report } = await run('bundle', [dumps.piped, '--jobs', '2']);
    expect(code).toBe(0);
    expect(report?.dump?.blocksWithoutOffset).toBeGreaterThan(0);
    expect(statuses(report)['dump-completeness']).toBe('WARN');
  });

  it('restores a dump with objects owned by a role the target lacks (exit 0)', async () => {
    const { code, report } = await run('bundle', [files.foreignOwner]);
    expect({ code, restore: statuses(report)['pg-restore'] }).toEqual({ code: 0, restore: 'PASS' });
  });

  it.each([
    ['a schema-only dump', () => dumps.schemaOnly, 'dump-tables', /no TABLE DATA for .*schema-only dump/],
    ['a dump missing a required table', () => files.missingTable, 'dump-tables', /no TABLE entry for optimizations/],
    ['a dump cut in its TOC', () => dumps.cutInToc, 'dump-format', /not a usable pg_dump archive/],
    ['a dump cut in its data', () => dumps.cutInData, 'dump-completeness', /cut short/],
    ['a plain SQL dump', () => dumps.plain, 'dump-format', /not a usable pg_dump archive/],
  ])('calls %s a bad backup before any restore (exit 1)', async (_name, file, check, detail) => {
    const { code, report } = await run('bundle', [file()]);
    expect(code).toBe(1);
    expect(report?.verdict).toBe('bad-backup');
    expect(report?.results.find((r) => r.check === check)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(detail),
    });
    expect(report?.restoredInto).toBeNull();
  });

  it('calls a dump whose data breaks a validation query a bad backup (exit 1)', async () => {
    const { code, report } = await run('cli', [files.nullGeometry]);
    expect(code).toBe(1);
    expect(report?.verdict).toBe('bad-backup');
    expect(report?.results.find((r) => r.check === 'error_count')).toMatchObject({ status: 'FAIL', observed: 1 });
    expect(report?.summary).toBe('restored, but 1 validation check failed: error_count');
  });

  it('prints the report as a table without --json, the verdict last, and the verdict on stderr', async () => {
    const { code, stdout, stderr } = await start('cli', [dumps.schemaOnly], {}, false).done;
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `source     ${dumps.schemaOnly} (${statSync(dumps.schemaOnly).size.toLocaleString('en-US')} bytes)`,
    );
    expect(lines).toContainEqual(expect.stringMatching(/^dump-tables\s+FAIL\s+0\s+3\s+no TABLE DATA for /));
    expect(lines.at(-1)).toMatch(/^bad-backup \(exit 1\): the dump is not restorable as it is: no TABLE DATA for /);
    expect(stderr).toMatch(/^entmoot-dr restore-test: bad-backup: /);
  });

  it('stops at its deadline, cleans up and exits 3', async () => {
    const work = workDir();
    const { code, report } = await run('bundle', [files.large, '--deadline', '2', '--work-dir', work]);
    expect(code).toBe(3);
    expect(report?.summary).toMatch(/^stopped: the deadline of 2 s \(.*\) passed/);
    expect(readdirSync(work)).toEqual([]);
  });

  it('reports a missing pg_restore as the runner failing (exit 3)', async () => {
    const { code, report } = await run('bundle', [dumps.custom], { EDR_PG_BINDIR: join(extra, 'no-such-dir') });
    expect(code).toBe(3);
    expect(report?.verdict).toBe('runner-failed');
    expect(report?.summary).toMatch(/^no pg_restore .*workload\.dumpRestore\.postgresMajor/);
  });

  it('reports an unreachable --database-url server as the runner failing (exit 3)', async () => {
    const { code, report } = await run('bundle', [
      dumps.custom,
      '--database-url',
      'postgres://postgres@127.0.0.1:1/postgres?sslmode=disable',
    ]);
    expect(code).toBe(3);
    expect(report?.summary).toMatch(/could not be prepared: cannot connect to 127\.0\.0\.1:1 .*connection refused/);
  });

  it.each([
    [['--jobs', '0'], /--jobs must be a whole number from 1 to 64, got "0"/],
    [['--bogus'], /unknown option --bogus/],
    [[], /no dump given/],
  ])('refuses bad flags %j with one line and the usage (exit 2)', async (args, message) => {
    const cli = await run('cli', [...(args.length ? [dumps.custom] : []), ...args]);
    const runner = await run('bundle', [...(args.length ? [dumps.custom] : []), ...args]);
    expect([cli.code, runner.code]).toEqual([2, 2]);
    expect(cli.stderr.split('\n')[0]).toMatch(message);
    expect(runner.stderr.split('\n')[0]).toMatch(message);
    expect(cli.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('refuses a plan file that is not a plan before any work (exit 2)', async () => {
    const file = join(extra, 'not-a-plan.json');
    writeFileSync(file, JSON.stringify({ regions: { primary: 'virginia' } }));
    const cli = await run('cli', [dumps.custom, '--plan', file]);
    const runner = await run('bundle', [dumps.custom, '--plan', file]);
    expect([cli.code, runner.code, cli.stdout, runner.stdout]).toEqual([2, 2, '', '']);
    expect(cli.stderr.trim()).toBe(
      'entmoot-dr restore-test: plan.regions.primary: must be an AWS region code such as us-east-1 (got "virginia")',
    );
    expect(runner.stderr.trim()).toBe(
      `restore-runner: the plan file ${file} has no backups.requiredTables: it is not a plan the CDK app validated (cdk synth writes it)`,
    );
  });

  it('stops pg_restore on SIGTERM, drops its database and exits 3', async () => {
    const { child, done } = start('bundle', [files.large, '--database-url', databaseUrl(), '--jobs', '2']);
    // Wait until pg_restore is connected to the new database, then interrupt.
    for (let i = 0; i < 600; i += 1) {
      const active = await admin((c) =>
        c.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'entmoot-dr-restore-runner'"),
      );
      if (active.rows.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    const { code, report } = await done;
    expect(code).toBe(3);
    expect(report?.summary).toMatch(/^stopped: interrupted by SIGTERM/);
    // pg_restore ran, and was stopped before it finished.
    expect(report?.results.find((r) => r.check === 'pg-restore')?.detail).toMatch(/^pg_restore was stopped after /);
    expect(pgRestoreRunningOn(files.large)).toBe(false);
    expect(await restoreDatabases()).toEqual([]);
  });

  it('stops the throwaway server on SIGTERM mid-restore and removes its folder (exit 3)', async () => {
    const work = workDir();
    const { child, done } = start('cli', [files.large, '--work-dir', work]);
    // Wait until pg_restore runs on the dump (Linux: /proc/<pid>/cmdline), then interrupt.
    let running = false;
    for (let i = 0; i < 600 && !running; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      running = pgRestoreRunningOn(files.large);
    }
    child.kill('SIGTERM');
    const { code, report } = await done;
    expect(running).toBe(true);
    expect(code).toBe(3);
    expect(report?.summary).toMatch(/^stopped: interrupted by SIGTERM/);
    expect(report?.results.find((r) => r.check === 'pg-restore')?.detail).toMatch(/^pg_restore was stopped after /);
    expect(pgRestoreRunningOn(files.large)).toBe(false);
    expect(readdirSync(work)).toEqual([]);
  });

  it('drops edr_restore_* databases older than its deadline before it starts', async () => {
    const stale = 'edr_restore_202001010000_0badcafe';
    await admin((c) => c.query(`CREATE DATABASE ${stale}`));
    const { code, report } = await run('bundle', [dumps.custom, '--database-url', databaseUrl(), '--deadline', '600']);
    expect(code).toBe(0);
    expect(report?.sweptDatabases).toEqual([stale]);
    expect(await restoreDatabases()).toEqual([]);
  });
});

describe("pg_restore's real stderr, sorted", () => {
  it('takes errors about RDS-only extensions as warnings and a failed COPY as an error of the backup', async () => {
    const server = testServer();
    const file = join(extra, 'rds-extension.dump');
    writeFileSync(
      file,
      writeCustomDump({
        version: '1.14',
        dumpVersion: '15.8',
        entries: [
          {
            dumpId: 1,
            tag: 'ENCODING',
            desc: 'ENCODING',
            namespace: null,
            owner: null,
            tableam: null,
            defn: "SET client_encoding = 'UTF8';\n",
          },
          {
            dumpId: 2,
            tag: 'aws_s3',
            desc: 'EXTENSION',
            namespace: null,
            owner: null,
            tableam: null,
            defn: 'CREATE EXTENSION IF NOT EXISTS aws_s3 WITH SCHEMA public;\n',
            dropStmt: 'DROP EXTENSION aws_s3;\n',
          },
          {
            dumpId: 3,
            tag: 'EXTENSION aws_s3',
            desc: 'COMMENT',
            namespace: null,
            owner: null,
            tableam: null,
            defn: "COMMENT ON EXTENSION aws_s3 IS 'AWS S3 extension for importing data from S3';\n",
            dependencies: [2],
          },
          { dumpId: 10, tag: 'projects', desc: 'TABLE', defn: 'CREATE TABLE public.projects (id integer);\n' },
          {
            dumpId: 20,
            tag: 'projects',
            desc: 'TABLE DATA',
            dependencies: [10],
            copyStmt: 'COPY public.projects (id) FROM stdin;\n',
            tableam: null,
            data: '1\nnot a number\n\\.\n\n\n',
          },
        ],
      }),
    );
    const database = `edr_rr_stderr_${process.pid}`;
    await (await testDatabase(database)).end();
    try {
      const outcome = await runPgRestore({
        pgRestore: join(server.binDir, 'pg_restore'),
        dumpPath: file,
        jobs: 1,
        connection: { database, env: { PGHOST: server.host, PGPORT: String(server.port), PGUSER: server.user } },
        ignorableExtensions: plan.workload.dumpRestore.ignorableExtensions,
        signal: new AbortController().signal,
        now: Date.now,
      });
      expect({
        exitCode: outcome.exitCode,
        errorCount: outcome.errorCount,
        warnings: outcome.warnings.map((w) => w.replace(/ Command was: .*/, '')),
        errors: outcome.errors,
        runnerErrors: outcome.runnerErrors,
      }).toEqual({
        exitCode: 1,
        errorCount: 3,
        warnings: [
          expect.stringMatching(
            /^could not execute query: ERROR: extension "aws_s3" is not available \(TOC entry 2; \d+ \d+ EXTENSION aws_s3 \(no owner\)\)$/,
          ),
          expect.stringMatching(
            /^could not execute query: ERROR: extension "aws_s3" does not exist \(TOC entry 3; \d+ \d+ COMMENT EXTENSION aws_s3 \(no owner\)\)$/,
          ),
        ],
        errors: [
          expect.stringMatching(
            /^COPY failed for table "projects": ERROR: invalid input syntax for type integer: "not a number" \(TOC entry 20; \d+ \d+ TABLE DATA projects postgres\)$/,
          ),
        ],
        runnerErrors: [],
      });
    } finally {
      await dropDatabase(database);
    }
  });
});

describe('the dump restore runner with s3:// sources (a real S3Client against a local server)', () => {
  const env = () => ({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL_S3: s3.url,
  });

  it('streams the object to disk, restores it, judges freshness against LastModified and writes the report (exit 0)', async () => {
    const lastModified = new Date(Date.now() - 60_000);
    s3.putFile('entmoot-prod-backups', 'latest.sql', dumps.custom, lastModified);
    const { code, report } = await run(
      'bundle',
      [
        's3://entmoot-prod-backups/latest.sql',
        '--report-bucket',
        'evidence',
        '--execution',
        'run-1',
        '--database',
        'entmoot-prod',
      ],
      env(),
    );
    expect(code).toBe(0);
    expect(report?.source).toMatchObject({
      kind: 's3',
      lastModified: new Date(Math.floor(lastModified.getTime() / 1000) * 1000).toISOString(),
    });
    expect(report?.referenceTime).toBe(report?.source.lastModified);
    expect(report?.timings.downloadSeconds).toBeGreaterThanOrEqual(0);
    const written = JSON.parse(
      String(s3.written.get('evidence/restore-reports/run-1/entmoot-prod.json')),
    ) as RestoreReport;
    expect(written).toEqual(report);
  });

  it('calls a missing object a bad backup (exit 1)', async () => {
    const { code, report } = await run('bundle', ['s3://entmoot-prod-backups/missing.sql'], env());
    expect(code).toBe(1);
    expect(report?.summary).toMatch(/^no object at s3:\/\/entmoot-prod-backups\/missing\.sql/);
  });

  it('names the permissions when the download is denied (exit 3)', async () => {
    s3.deny('entmoot-prod-backups', 'denied.sql');
    const { code, report } = await run('bundle', ['s3://entmoot-prod-backups/denied.sql'], env());
    expect(code).toBe(3);
    expect(report?.summary).toMatch(/s3:GetObject on arn:aws:s3:::entmoot-prod-backups\/denied\.sql .*s3:ListBucket/);
  });

  it('refuses an s3:// source without a region as a configuration error (exit 2)', async () => {
    const { AWS_REGION: _, ...noRegion } = env();
    const { code, report } = await run('bundle', ['s3://entmoot-prod-backups/latest.sql'], noRegion);
    expect(code).toBe(2);
    expect(report?.summary).toMatch(/no region .*AWS_REGION/);
  });
});
