/**
 * Real pg_dump files for tests: creates a database with the plan's three tables on the test server
 * (EDR_TEST_PG*), dumps it with the real `pg_dump` in every format the integrity check must tell apart,
 * and cuts copies short in the header, the TOC and the data. Call `createTestDumps()` once per test file
 * (in `beforeAll`) and `removeTestDumps()` in `afterAll`.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { bufferRangeReader, readDumpToc } from '../../functions/backup-verification/dump-reader';
import { createPlanSchema, testDatabase, testServer } from './database';

const run = promisify(execFile);

/** Paths of the dump files, and where the full custom dump's TOC and data lie. */
export interface TestDumps {
  readonly dir: string;
  readonly database: string;
  /** `pg_dump -Fc` (compressed, offsets set). */
  readonly custom: string;
  /** `pg_dump -Fc -Z0`. */
  readonly uncompressed: string;
  /** `pg_dump -Fc` written to a pipe: no data offsets set. */
  readonly piped: string;
  /** `pg_dump -Fc -s`. */
  readonly schemaOnly: string;
  /** `pg_dump -Fp`. */
  readonly plain: string;
  /** `pg_dump -Ft`. */
  readonly tar: string;
  readonly empty: string;
  /** The custom dump cut 20 bytes in. */
  readonly cutInHeader: string;
  /** The custom dump cut halfway through its TOC. */
  readonly cutInToc: string;
  /** The custom dump cut halfway through its data: later blocks' offsets lie beyond the end. */
  readonly cutInData: string;
  /** The custom dump cut 3 bytes before its end, inside its last data block's end marker. */
  readonly cutInLastBlock: string;
  /** The piped dump cut inside a data block. */
  readonly pipedCutInBlock: string;
  /** The piped dump cut exactly where a data block ends (indistinguishable from complete without offsets). */
  readonly pipedCutAtBlockEnd: string;
  /** Where the custom dump's TOC ends, and its size. */
  readonly customTocEnd: number;
  readonly customSize: number;
}

/** Creates the plan's tables (test/support/database.ts) in a new database `name`, with a few hundred rows more. */
export async function createEntmootDatabase(name: string): Promise<void> {
  const db = await testDatabase(name);
  try {
    await createPlanSchema(db);
    await db.query(`
      INSERT INTO projects (name, modified_at) SELECT 'project ' || i, now() - i * interval '1 hour' FROM generate_series(1, 40) AS i;
      INSERT INTO buildings (project_id, name, geom, active)
        SELECT 1 + i % 40, 'building ' || i || ' ' || md5(i::text),
               ST_MakeEnvelope(i * 0.001, 0, i * 0.001 + 0.0005, 0.0005, 4326),
               i % 7 <> 0
        FROM generate_series(1, 600) AS i;
      INSERT INTO optimizations (project_id, score) SELECT 1 + i % 40, (i % 100) / 100.0 FROM generate_series(1, 300) AS i;
    `);
  } finally {
    await db.end();
  }
}

/** Drops database `name` (after the dumps are made). */
export async function dropDatabase(name: string): Promise<void> {
  const server = testServer();
  const admin = new Client({ host: server.host, port: server.port, user: server.user, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Runs pg_dump with `args` against `database`, its output written by pg_dump itself (seekable file). */
export async function pgDump(database: string, args: string[]): Promise<void> {
  const server = testServer();
  await run(join(server.binDir, 'pg_dump'), [
    '-h',
    server.host,
    '-p',
    String(server.port),
    '-U',
    server.user,
    ...args,
    database,
  ]);
}

/** Runs pg_dump writing to stdout through a pipe into `file`, so it cannot seek back to record offsets. */
export async function pgDumpPiped(database: string, args: string[], file: string): Promise<void> {
  const server = testServer();
  const child = spawn(
    join(server.binDir, 'pg_dump'),
    ['-h', server.host, '-p', String(server.port), '-U', server.user, ...args, database],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out = createWriteStream(file);
  child.stdout.pipe(out);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  await new Promise<void>((resolve) => (out.writableFinished ? resolve() : out.once('finish', () => resolve())));
  if (code !== 0) throw new Error(`pg_dump exited ${code}: ${stderr}`);
}

/** Creates the database and every dump file in a new temp directory. */
export async function createTestDumps(): Promise<TestDumps> {
  const dir = mkdtempSync(join(tmpdir(), 'edr-dumps-'));
  const database = `edr_dumps_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await createEntmootDatabase(database);
  const path = (name: string) => join(dir, name);
  try {
    await Promise.all([
      pgDump(database, ['-Fc', '-f', path('custom.dump')]),
      pgDump(database, ['-Fc', '-Z0', '-f', path('uncompressed.dump')]),
      pgDumpPiped(database, ['-Fc', '-Z0'], path('piped.dump')),
      pgDump(database, ['-Fc', '-s', '-f', path('schema-only.dump')]),
      pgDump(database, ['-Fp', '-f', path('plain.sql')]),
      pgDump(database, ['-Ft', '-f', path('tar.dump')]),
    ]);
  } finally {
    await dropDatabase(database);
  }
  writeFileSync(path('empty.dump'), Buffer.alloc(0));

  const custom = readFileSync(path('custom.dump'));
  const toc = await readDumpToc(bufferRangeReader(custom));
  const headerEnd = 20;
  writeFileSync(path('cut-in-header.dump'), custom.subarray(0, headerEnd));
  writeFileSync(path('cut-in-toc.dump'), custom.subarray(0, Math.floor(toc.tocEnd / 2)));
  writeFileSync(path('cut-in-data.dump'), custom.subarray(0, Math.floor((toc.tocEnd + custom.length) / 2)));
  writeFileSync(path('cut-in-last-block.dump'), custom.subarray(0, custom.length - 3));

  // the piped dump has no offsets: find its block boundaries from the uncompressed dump of the same data
  const piped = readFileSync(path('piped.dump'));
  const uncompressed = readFileSync(path('uncompressed.dump'));
  const plainToc = await readDumpToc(bufferRangeReader(uncompressed));
  const pipedToc = await readDumpToc(bufferRangeReader(piped));
  const offsets = plainToc.entries.filter((e) => e.dataState === 'set').map((e) => e.offset as number);
  const shift = pipedToc.tocEnd - plainToc.tocEnd;
  const secondLastBlockEnd = offsets.sort((a, b) => a - b)[offsets.length - 1] + shift;
  writeFileSync(path('piped-cut-at-block-end.dump'), piped.subarray(0, secondLastBlockEnd));
  writeFileSync(path('piped-cut-in-block.dump'), piped.subarray(0, secondLastBlockEnd - 7));

  return {
    dir,
    database,
    custom: path('custom.dump'),
    uncompressed: path('uncompressed.dump'),
    piped: path('piped.dump'),
    schemaOnly: path('schema-only.dump'),
    plain: path('plain.sql'),
    tar: path('tar.dump'),
    empty: path('empty.dump'),
    cutInHeader: path('cut-in-header.dump'),
    cutInToc: path('cut-in-toc.dump'),
    cutInData: path('cut-in-data.dump'),
    cutInLastBlock: path('cut-in-last-block.dump'),
    pipedCutInBlock: path('piped-cut-in-block.dump'),
    pipedCutAtBlockEnd: path('piped-cut-at-block-end.dump'),
    customTocEnd: toc.tocEnd,
    customSize: custom.length,
  };
}

/** Removes the dump files. */
export function removeTestDumps(dumps: TestDumps | undefined): void {
  if (dumps) rmSync(dumps.dir, { recursive: true, force: true });
}
