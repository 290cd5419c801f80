import { DumpFormatError } from '../../../functions/shared/errors';
import {
  bufferRangeReader,
  type RangeReader,
  readDumpTail,
  readDumpToc,
} from '../../../functions/backup-verification/dump-reader';
import { entmootEntries, type WriterEntry, writeCustomDump } from '../../support/dump-writer';

/** A buffer reader that records each range asked for. */
function recording(buf: Uint8Array): RangeReader & { ranges: [number, number][] } {
  const inner = bufferRangeReader(buf);
  const ranges: [number, number][] = [];
  return {
    size: inner.size,
    ranges,
    read: (start, end) => {
      ranges.push([start, end]);
      return inner.read(start, end);
    },
  };
}

async function formatError(buf: Uint8Array, blockSize?: number): Promise<string> {
  const error = await readDumpToc(bufferRangeReader(buf), { blockSize }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DumpFormatError);
  return (error as Error).message;
}

describe('readDumpToc', () => {
  it.each([
    { version: '1.12', compression: -1, expected: 'gzip', level: -1 },
    { version: '1.13', compression: 0, expected: 'none', level: null },
    { version: '1.14', compression: 6, expected: 'gzip', level: 6 },
    { version: '1.15', compression: 2, expected: 'lz4', level: null },
    { version: '1.16', compression: 3, expected: 'zstd', level: null },
  ])(
    'reads the header and tables of an archive $version compressed $expected',
    async ({ version, compression, expected, level }) => {
      const dump = writeCustomDump({
        version,
        compression,
        entries: entmootEntries(),
        database: 'entmoot',
        serverVersion: '16.4',
        dumpVersion: '17.2',
      });

      const toc = await readDumpToc(bufferRangeReader(dump));

      expect(toc).toMatchObject({
        format: 'custom',
        archiveVersion: version,
        intSize: 4,
        offSize: 8,
        compression: expected,
        compressionLevel: level,
        createdAt: '2025-11-10T03:00:12',
        database: 'entmoot',
        serverVersion: '16.4',
        dumpVersion: '17.2',
      });
      expect(toc.tables).toEqual([
        { schema: 'public', name: 'buildings', hasData: true },
        { schema: 'public', name: 'projects', hasData: true },
        { schema: 'public', name: 'optimizations', hasData: true },
      ]);
      expect(toc.entries.map((e) => e.desc)).toEqual([
        'ENCODING',
        'STDSTRINGS',
        'TABLE',
        'TABLE',
        'TABLE',
        'TABLE DATA',
        'TABLE DATA',
        'TABLE DATA',
        'INDEX',
      ]);
    },
  );

  it('reads the relkind Int of archive 1.16 entries so the fields after it line up', async () => {
    const entries: WriterEntry[] = [
      { dumpId: 7, tag: 'events', desc: 'TABLE', relkind: 'p'.charCodeAt(0), owner: 'app', namespace: 'audit' },
      { dumpId: 8, tag: 'events', desc: 'TABLE DATA', namespace: 'audit', dependencies: [7], data: 'x\n' },
    ];

    const toc = await readDumpToc(bufferRangeReader(writeCustomDump({ version: '1.16', entries })));

    expect(toc.entries).toEqual([
      {
        dumpId: 7,
        tag: 'events',
        desc: 'TABLE',
        section: 'pre-data',
        namespace: 'audit',
        dataState: 'noData',
        offset: null,
        dependencies: [],
      },
      {
        dumpId: 8,
        tag: 'events',
        desc: 'TABLE DATA',
        section: 'data',
        namespace: 'audit',
        dataState: 'set',
        offset: toc.tocEnd,
        dependencies: [7],
      },
    ]);
  });

  it('records where each data block starts and where the TOC ends', async () => {
    const dump = writeCustomDump({ version: '1.14', entries: entmootEntries() });

    const toc = await readDumpToc(bufferRangeReader(dump));

    const offsets = toc.entries.filter((e) => e.dataState === 'set').map((e) => e.offset as number);
    expect(offsets[0]).toBe(toc.tocEnd);
    expect(offsets.map((o) => dump[o])).toEqual([1, 1, 1]);
    expect(offsets.every((o, i) => i === 0 || o > offsets[i - 1])).toBe(true);
  });

  it('reports no offsets for a dump written to a pipe', async () => {
    const dump = writeCustomDump({ version: '1.14', entries: entmootEntries(), offsetsSet: false });

    const toc = await readDumpToc(bufferRangeReader(dump));

    expect(toc.entries.filter((e) => e.desc === 'TABLE DATA').map((e) => [e.dataState, e.offset])).toEqual([
      ['notSet', null],
      ['notSet', null],
      ['notSet', null],
    ]);
  });

  it('marks tables without TABLE DATA entries as having no data in a schema-only dump', async () => {
    const toc = await readDumpToc(
      bufferRangeReader(writeCustomDump({ version: '1.14', entries: entmootEntries({ withData: false }) })),
    );

    expect(toc.tables.map((t) => t.hasData)).toEqual([false, false, false]);
  });

  it('lists a table whose data is dumped without its definition, like PostGIS spatial_ref_sys', async () => {
    const entries = [
      ...entmootEntries(),
      { dumpId: 4100, tag: 'spatial_ref_sys', desc: 'TABLE DATA', dependencies: [], data: '\\.\n' },
    ];

    const toc = await readDumpToc(bufferRangeReader(writeCustomDump({ version: '1.14', entries })));

    expect(toc.tables).toContainEqual({ schema: 'public', name: 'spatial_ref_sys', hasData: true });
  });

  it('reads only the header and TOC of a large archive, never its data', async () => {
    const data = `${'x'.repeat(1000)}\n`;
    const entries = [
      ...entmootEntries({ withData: false }),
      { dumpId: 4001, tag: 'buildings', desc: 'TABLE DATA', dependencies: [210], data: data.repeat(2000) },
    ];
    const dump = writeCustomDump({ version: '1.14', entries });
    const reader = recording(dump);

    const toc = await readDumpToc(reader, { blockSize: 1024 });

    expect(dump.length).toBeGreaterThan(2_000_000);
    expect(reader.ranges.every(([start]) => start < toc.tocEnd)).toBe(true);
    expect(toc.bytesRead).toBeLessThan(toc.tocEnd + 1024);
    expect(toc.reads).toBe(reader.ranges.length);
  });

  it('fetches further ranges while a large TOC continues, in blockSize steps', async () => {
    const entries: WriterEntry[] = [];
    for (let i = 1; i <= 400; i++) {
      entries.push({
        dumpId: i,
        tag: `t${i}`,
        desc: 'TABLE',
        defn: `CREATE TABLE public.t${i} (id integer, payload text, created_at timestamptz);\n`.repeat(20),
      });
      entries.push({ dumpId: 1000 + i, tag: `t${i}`, desc: 'TABLE DATA', dependencies: [i], data: `${i}\n` });
    }
    const dump = writeCustomDump({ version: '1.15', entries });
    const reader = recording(dump);

    const toc = await readDumpToc(reader, { blockSize: 64 * 1024 });

    expect(toc.tocEnd).toBeGreaterThan(500_000);
    expect(toc.entries).toHaveLength(800);
    expect(toc.tables.filter((t) => t.hasData)).toHaveLength(400);
    expect(toc.reads).toBe(Math.ceil(toc.tocEnd / (64 * 1024)));
    expect(reader.ranges.slice(1).every(([start], i) => start === reader.ranges[i][1] + 1)).toBe(true);
  });

  it('reads a TOC string longer than the block size', async () => {
    const defn = 'SELECT 1;\n'.repeat(30_000);
    const entries: WriterEntry[] = [{ dumpId: 1, tag: 'f', desc: 'FUNCTION', defn }, ...entmootEntries()];

    const toc = await readDumpToc(bufferRangeReader(writeCustomDump({ version: '1.14', entries })), {
      blockSize: 4096,
    });

    expect(toc.entries).toHaveLength(entries.length);
    expect(toc.tocEnd).toBeGreaterThan(300_000);
  });

  it('reads a small archive in one ranged read with the default 64 KiB block', async () => {
    const toc = await readDumpToc(bufferRangeReader(writeCustomDump({ version: '1.14', entries: entmootEntries() })));

    expect(toc.reads).toBe(1);
  });

  describe('fails with a message naming the problem', () => {
    it('fails an empty object', async () => {
      expect(await formatError(new Uint8Array(0))).toMatch(/^empty object \(0 bytes\)/);
    });

    it.each([
      ['a pg_dump -Fp header', '--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n'],
      ['a SET statement', "SET client_encoding = 'UTF8';\n"],
    ])('fails a plain SQL dump starting with %s', async (_what, text) => {
      expect(await formatError(Buffer.from(text))).toBe(
        'plain SQL dump, not custom format: restore with psql or re-dump with pg_dump -Fc',
      );
    });

    it('fails a tar-format dump by its ustar magic at offset 257', async () => {
      const tar = Buffer.alloc(1024);
      tar.write('toc.dat', 0);
      tar.write('ustar', 257);

      expect(await formatError(tar)).toMatch(/^tar-format dump \(pg_dump -Ft\), not custom format/);
    });

    it('fails a gzip file', async () => {
      expect(await formatError(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]))).toMatch(
        /^gzip-compressed file/,
      );
    });

    it('fails binary garbage, showing its first bytes', async () => {
      expect(await formatError(Buffer.from([0, 1, 2, 3, 4, 5, 200, 201]))).toBe(
        'not a pg_dump archive: no PGDMP signature at offset 0 (found 00 01 02 03 04) in an object of 8 bytes',
      );
    });

    it('fails a text file that is not SQL', async () => {
      expect(await formatError(Buffer.from('{"hello": "world"}\n'))).toMatch(
        /^not a pg_dump archive: a text file that does not look like SQL/,
      );
    });

    it.each([3, 5, 9, 12, 40])('fails an archive cut short inside its header at %i bytes', async (cut) => {
      const dump = writeCustomDump({ version: '1.14', entries: entmootEntries() });

      expect(await formatError(dump.subarray(0, cut))).toBe(
        `archive header truncated: object ends at ${cut} inside the archive header`,
      );
    });

    it('fails a dump cut short inside its table of contents', async () => {
      const dump = writeCustomDump({ version: '1.16', entries: entmootEntries() });
      const toc = await readDumpToc(bufferRangeReader(dump));
      const cut = toc.tocEnd - 30;

      expect(await formatError(dump.subarray(0, cut), 128)).toBe(
        `table of contents truncated: object ends at ${cut} inside the table of contents (entry 9 of 9)`,
      );
    });

    it('fails an archive version newer than the reader knows, naming both versions', async () => {
      expect(await formatError(writeCustomDump({ version: '1.17', entries: [] }))).toBe(
        'archive version 1.17 is newer than this reader knows (up to 1.16): it was written by a newer pg_dump; update the reader',
      );
    });

    it('fails an archive version older than 1.12', async () => {
      expect(await formatError(writeCustomDump({ version: '1.11', entries: [] }))).toMatch(
        /^archive version 1\.11 is older than this reader supports \(1\.12 to 1\.16\)/,
      );
    });

    it.each([
      [3, 'tar'],
      [5, 'directory'],
    ])('fails an archive whose format byte is %i (%s)', async (format, name) => {
      expect(await formatError(writeCustomDump({ version: '1.14', format, entries: [] }))).toBe(
        `archive format byte is ${format} (${name}), not 1 (custom): this reader reads pg_dump -Fc archives only`,
      );
    });

    it('fails an unknown data offset flag', async () => {
      const dump = Buffer.from(writeCustomDump({ version: '1.14', entries: [{ dumpId: 1, tag: 't', desc: 'TABLE' }] }));
      const toc = await readDumpToc(bufferRangeReader(dump));
      dump[toc.tocEnd - 9] = 7;

      expect(await formatError(dump)).toMatch(/^unexpected data offset flag 7 at offset \d+/);
    });

    it('fails an entry id that is not positive', async () => {
      expect(
        await formatError(writeCustomDump({ version: '1.14', entries: [{ dumpId: -3, tag: 't', desc: 'TABLE' }] })),
      ).toMatch(/^entry ID -3 out of range/);
    });

    it('fails an unknown compression algorithm byte in a 1.15 header', async () => {
      expect(await formatError(writeCustomDump({ version: '1.15', compression: 9, entries: [] }))).toMatch(
        /^unknown compression algorithm 9/,
      );
    });
  });
});

describe('readDumpTail', () => {
  it('finds the end-of-data marker at the end of a complete archive', async () => {
    const dump = writeCustomDump({ version: '1.14', entries: entmootEntries() });

    expect((await readDumpTail(bufferRangeReader(dump), { intSize: 4 })).endsWithEndMarker).toBe(true);
  });

  it('finds no end-of-data marker when the archive is cut inside a data block', async () => {
    const dump = writeCustomDump({ version: '1.14', entries: entmootEntries() });

    expect(
      (await readDumpTail(bufferRangeReader(dump.subarray(0, dump.length - 9)), { intSize: 4 })).endsWithEndMarker,
    ).toBe(false);
  });
});
