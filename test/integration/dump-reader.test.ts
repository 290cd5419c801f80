import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkDumpIntegrity } from '../../functions/backup-verification/check-integrity';
import { type DumpToc, type RangeReader, readDumpToc } from '../../functions/backup-verification/dump-reader';
import { openFileRangeReader } from '../../functions/backup-verification/file-range-reader';
import { DumpFormatError } from '../../functions/shared/errors';
import { drPlanSchema } from '../../lib/plan';
import { entmootEntries, writeCustomDump } from '../support/dump-writer';
import { createTestDumps, removeTestDumps, type TestDumps } from '../support/dumps';

const exec = promisify(execFile);
const root = join(__dirname, '..', '..');
let dumps: TestDumps;

beforeAll(async () => {
  dumps = await createTestDumps();
}, 120_000);

afterAll(() => removeTestDumps(dumps));

/** Reads a real dump file through a ranged-read fake that records every range. */
async function readFile(
  path: string,
  blockSize?: number,
): Promise<{ toc: DumpToc; ranges: [number, number][]; size: number }> {
  const file = openFileRangeReader(path);
  const ranges: [number, number][] = [];
  const reader: RangeReader = {
    size: file.size,
    read: (start, end) => {
      ranges.push([start, end]);
      return file.read(start, end);
    },
  };
  try {
    return { toc: await readDumpToc(reader, { blockSize }), ranges, size: file.size };
  } finally {
    file.close();
  }
}

async function failureOf(path: string): Promise<string> {
  const error = await readFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DumpFormatError);
  return (error as Error).message;
}

/** A hand-written S3 fake serving a file: HeadObject, ranged GetObject, GetObjectAttributes without a checksum. */
function fileS3(path: string) {
  const file = openFileRangeReader(path);
  const send = async (command: { constructor: { name: string }; input: { Range?: string } }) => {
    switch (command.constructor.name) {
      case 'HeadObjectCommand':
        return { ContentLength: file.size, LastModified: new Date(), ETag: '"e"' };
      case 'GetObjectCommand': {
        const [, a, b] = /^bytes=(\d+)-(\d+)$/.exec(command.input.Range ?? '') ?? [];
        const bytes = await file.read(Number(a), Number(b));
        return { Body: { transformToByteArray: async () => bytes } };
      }
      case 'GetObjectAttributesCommand':
        return { ObjectSize: file.size };
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  return { s3: { send } as never, close: () => file.close() };
}

async function completenessOf(path: string): Promise<{ status: string; detail: string }> {
  const { s3, close } = fileS3(path);
  try {
    const results = await checkDumpIntegrity(
      { bucket: 'entmoot-prod-backups', key: 'latest.sql' },
      drPlanSchema.parse({}),
      { s3, now: () => new Date() },
    );
    const result = results.find((r) => r.check === 'dump-completeness') ?? results[0];
    return { status: result.status, detail: result.detail };
  } finally {
    close();
  }
}

describe('readDumpToc on real pg_dump files', () => {
  it('reads a compressed custom-format dump of the Entmoot tables', async () => {
    const { toc } = await readFile(dumps.custom);

    expect(toc).toMatchObject({
      format: 'custom',
      archiveVersion: '1.14',
      compression: 'gzip',
      database: dumps.database,
    });
    expect(toc.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(toc.serverVersion).toMatch(/^\d+\.\d+/);
    expect(toc.dumpVersion).toMatch(/^\d+\.\d+/);
    expect(toc.tables).toEqual(
      expect.arrayContaining([
        { schema: 'public', name: 'buildings', hasData: true },
        { schema: 'public', name: 'projects', hasData: true },
        { schema: 'public', name: 'optimizations', hasData: true },
      ]),
    );
    expect(toc.entries.some((e) => e.desc === 'INDEX' && e.tag === 'buildings_geom_idx')).toBe(true);
  });

  it('lists PostGIS spatial_ref_sys, whose data is dumped without a TABLE entry', async () => {
    const { toc } = await readFile(dumps.custom);

    expect(toc.entries.some((e) => e.desc === 'TABLE' && e.tag === 'spatial_ref_sys')).toBe(false);
    expect(toc.tables).toContainEqual({ schema: 'public', name: 'spatial_ref_sys', hasData: true });
  });

  it('reads nothing past the range the TOC ends in', async () => {
    const { toc, ranges, size } = await readFile(dumps.uncompressed, 1024);

    expect(size).toBeGreaterThan(toc.tocEnd + 2048);
    expect(ranges.every(([start]) => start < toc.tocEnd)).toBe(true);
    expect(toc.bytesRead).toBeLessThanOrEqual(toc.tocEnd + 1024);
  });

  it('reads an uncompressed dump as compression none', async () => {
    expect((await readFile(dumps.uncompressed)).toc.compression).toBe('none');
  });

  it('finds no data offsets in a dump written to a pipe', async () => {
    const { toc } = await readFile(dumps.piped);

    const data = toc.entries.filter((e) => e.desc === 'TABLE DATA');
    expect(data.length).toBeGreaterThanOrEqual(3);
    expect(data.every((e) => e.dataState === 'notSet' && e.offset === null)).toBe(true);
  });

  it('finds data offsets inside the file in a dump written to a file', async () => {
    const { toc, size } = await readFile(dumps.custom);

    const offsets = toc.entries.filter((e) => e.desc === 'TABLE DATA').map((e) => e.offset as number);
    expect(offsets.every((o) => o >= toc.tocEnd && o < size)).toBe(true);
  });

  it('reads a schema-only dump as tables without data', async () => {
    const { toc } = await readFile(dumps.schemaOnly);

    expect(
      toc.tables.filter((t) => ['buildings', 'projects', 'optimizations'].includes(t.name)).map((t) => t.hasData),
    ).toEqual([false, false, false]);
  });

  it('fails a plain SQL dump', async () => {
    expect(await failureOf(dumps.plain)).toBe(
      'plain SQL dump, not custom format: restore with psql or re-dump with pg_dump -Fc',
    );
  });

  it('fails a tar-format dump', async () => {
    expect(await failureOf(dumps.tar)).toMatch(/^tar-format dump \(pg_dump -Ft\)/);
  });

  it('fails an empty file', async () => {
    expect(await failureOf(dumps.empty)).toMatch(/^empty object/);
  });

  it('fails a dump cut short inside its header', async () => {
    expect(await failureOf(dumps.cutInHeader)).toBe(
      'archive header truncated: object ends at 20 inside the archive header',
    );
  });

  it('fails a dump cut short inside its table of contents', async () => {
    expect(await failureOf(dumps.cutInToc)).toMatch(
      new RegExp(
        `^table of contents truncated: object ends at ${Math.floor(dumps.customTocEnd / 2)} inside the table of contents \\(entry \\d+ of \\d+\\)$`,
      ),
    );
  });
});

describe('checkDumpIntegrity on real pg_dump files', () => {
  it('passes the completeness of a dump written to a file', async () => {
    expect(await completenessOf(dumps.custom)).toMatchObject({ status: 'PASS' });
  });

  it('fails a dump cut short in its data, by offsets beyond its end', async () => {
    expect(await completenessOf(dumps.cutInData)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('before the data blocks of'),
    });
  });

  it('fails a dump cut short inside its last data block, by its missing end-of-data marker', async () => {
    expect(await completenessOf(dumps.cutInLastBlock)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('not the end-of-data marker'),
    });
  });

  it('warns that a complete dump written to a pipe cannot be proven complete', async () => {
    expect(await completenessOf(dumps.piped)).toMatchObject({
      status: 'WARN',
      detail: expect.stringMatching(/^completeness not provable without offsets/),
    });
  });

  it('fails a piped dump cut inside a data block', async () => {
    expect(await completenessOf(dumps.pipedCutInBlock)).toMatchObject({ status: 'FAIL' });
  });

  it('cannot tell a piped dump cut between two blocks from a complete one, and warns', async () => {
    expect(await completenessOf(dumps.pipedCutAtBlockEnd)).toMatchObject({ status: 'WARN' });
  });
});

describe('entmoot-dr inspect-dump', () => {
  const cli = (...args: string[]) =>
    exec(process.execPath, [join(root, 'bin', 'entmoot-dr-cli.cjs'), ...args], { cwd: root }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('prints the dump header and tables as JSON', async () => {
    const { code, stdout } = await cli('inspect-dump', dumps.custom);

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual([
      'format',
      'archiveVersion',
      'compression',
      'createdAt',
      'database',
      'serverVersion',
      'dumpVersion',
      'tables',
      'completeness',
    ]);
    expect(report).toMatchObject({
      format: 'custom',
      archiveVersion: '1.14',
      compression: 'gzip',
      database: dumps.database,
    });
    expect(report.tables).toContainEqual({ schema: 'public', name: 'buildings', hasData: true });
  });

  it.each([
    ['a plain SQL dump', () => dumps.plain, /plain SQL dump, not custom format/],
    ['a dump cut short in its TOC', () => dumps.cutInToc, /inside the table of contents/],
    ['a missing file', () => join(dumps.dir, 'missing.dump'), /cannot read .*missing\.dump: no such file/],
  ])('prints one line naming the problem and exits 1 for %s', async (_what, file, message) => {
    const { code, stdout, stderr } = await cli('inspect-dump', file());

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
  });

  it('exits 2 with a usage line when the file is missing from the command line', async () => {
    const { code, stderr } = await cli('inspect-dump');

    expect(code).toBe(2);
    expect(stderr).toContain('usage: entmoot-dr inspect-dump <file>');
  });

  it('exits 2 with the usage for an unknown command', async () => {
    const { code, stderr } = await cli('restore-everything');

    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "restore-everything"');
    expect(stderr).toContain('usage: entmoot-dr <command>');
  });
});

describe('the test-only dump writer', () => {
  it('writes a 1.14 archive that the real pg_restore lists', async () => {
    const file = join(dumps.dir, 'writer-1.14.dump');
    writeFileSync(file, writeCustomDump({ version: '1.14', entries: entmootEntries() }));

    const { stdout } = await exec(join(process.env.EDR_TEST_PGBIN as string, 'pg_restore'), ['-l', file]);

    expect(stdout).toMatch(/TABLE DATA public buildings postgres/);
    expect(stdout).toMatch(/INDEX public buildings_geom_idx postgres/);
  });
});
