/**
 * Benchmark of the dump integrity check's reads: generates a real pg_dump custom-format archive of at least
 * 200 MB (the Entmoot tables plus a filler table of incompressible-enough text, dumped uncompressed), reads
 * its header and TOC through a counting `RangeReader`, and reports bytes and reads against the whole dump —
 * which is what the plan's script downloads. Starts and stops its own PostgreSQL. Run alone with
 * `npx tsx bench/dump-integrity.ts`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type RangeReader, readDumpToc } from '../functions/backup-verification/dump-reader';
import { openFileRangeReader } from '../functions/backup-verification/file-range-reader';
import { createEntmootDatabase, pgDump } from '../test/support/dumps';
import { startPostgres, stopPostgres, type TestPostgres } from '../test/support/postgres';

const TARGET_BYTES = 200 * 1024 * 1024;

/**
 * Generates the benchmark dump (≥ 200 MB, uncompressed custom format) at `file` on `server`: the Entmoot tables
 * plus a filler table. The dump restore benchmark (bench/restore-runner.ts) restores the same file.
 */
export async function generateBenchDump(
  server: TestPostgres,
  file: string,
): Promise<{ dumpBytes: number; generationMs: number }> {
  Object.assign(process.env, {
    EDR_TEST_PGHOST: server.host,
    EDR_TEST_PGPORT: String(server.port),
    EDR_TEST_PGUSER: server.user,
    EDR_TEST_PGBIN: server.binDir,
  });
  const started = Date.now();
  const database = 'edr_bench';
  await createEntmootDatabase(database);
  const db = new Client({ host: server.host, port: server.port, user: server.user, database });
  await db.connect();
  try {
    // 32 hex characters of md5 per 33 bytes of row text: about 1 KB a row, 215,000 rows
    await db.query(`CREATE TABLE filler (id integer, payload text)`);
    await db.query(
      `INSERT INTO filler SELECT i, (SELECT string_agg(md5(i::text || ':' || j), ' ') FROM generate_series(1, 30) AS j) FROM generate_series(1, 215000) AS i`,
    );
  } finally {
    await db.end();
  }
  await pgDump(database, ['-Fc', '-Z0', '-f', file]);
  const dumpBytes = statSync(file).size;
  if (dumpBytes < TARGET_BYTES)
    throw new Error(`the generated dump is ${dumpBytes} bytes, below the 200 MB the benchmark needs`);
  return { dumpBytes, generationMs: Date.now() - started };
}

/** Generates a ≥ 200 MB dump and measures what reading its TOC costs. */
export async function benchDumpIntegrity(): Promise<Record<string, unknown>> {
  const server = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'edr-bench-dump-'));
  try {
    const file = join(dir, 'bench.dump');
    const { dumpBytes, generationMs } = await generateBenchDump(server, file);

    const fileReader = openFileRangeReader(file);
    let reads = 0;
    let bytesRead = 0;
    const counting: RangeReader = {
      size: fileReader.size,
      read: async (start, end) => {
        const bytes = await fileReader.read(start, end);
        reads += 1;
        bytesRead += bytes.length;
        return bytes;
      },
    };
    try {
      const readStarted = process.hrtime.bigint();
      const toc = await readDumpToc(counting);
      const readMs = Number(process.hrtime.bigint() - readStarted) / 1e6;
      return {
        dumpBytes,
        tocEnd: toc.tocEnd,
        tocEntries: toc.entries.length,
        bytesRead,
        reads,
        scriptBytesRead: dumpBytes,
        fractionRead: bytesRead / dumpBytes,
        readMs: Math.round(readMs * 10) / 10,
        generationMs,
      };
    } finally {
      fileReader.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    stopPostgres(server);
  }
}

if (require.main === module) {
  benchDumpIntegrity().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
