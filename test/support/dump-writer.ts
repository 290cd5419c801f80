/**
 * TEST-ONLY writer of pg_dump custom-format archives: a header, TOC entries and (uncompressed) data blocks,
 * laid out as PostgreSQL's `src/bin/pg_dump/pg_backup_archiver.c` (`WriteHead`, `WriteToc`, `WriteInt`,
 * `WriteStr`, `WriteOffset`) and `pg_backup_custom.c` (`_WriteExtraToc`, `_StartData`, `_EndData`,
 * `_CloseArchive`) write them, with the per-version differences `ReadHead`/`ReadToc` read:
 *
 * - before 1.15 the header's compression is an Int level; from 1.15 one `pg_compress_algorithm` byte;
 * - the TOC entry's table access method string exists from 1.14; a `relkind` Int follows it from 1.16.
 *
 * It exists because Debian 12's pg_dump (PostgreSQL 15) writes archive 1.14 only: tests build 1.12, 1.13,
 * 1.15 and 1.16 archives with it. It is not a pg_dump: data blocks are always stored uncompressed whatever
 * the header says (the reader under test never decompresses data), and nothing here is used at runtime.
 */

/** One TOC entry to write. */
export interface WriterEntry {
  readonly dumpId: number;
  readonly tag: string | null;
  readonly desc: string;
  /** `teSection`: 1 none, 2 pre-data, 3 data, 4 post-data.
   * @default - 3 for TABLE DATA, else 2 */
  readonly section?: number;
  readonly namespace?: string | null;
  readonly defn?: string | null;
  readonly dropStmt?: string | null;
  readonly copyStmt?: string | null;
  readonly owner?: string | null;
  readonly tableam?: string | null;
  /** `relkind` as an int (1.16+), e.g. 'r'.charCodeAt(0). */
  readonly relkind?: number;
  readonly dependencies?: readonly number[];
  /** The entry's data (COPY text); an entry without it has no data (`K_OFFSET_NO_DATA`). */
  readonly data?: string | Uint8Array;
}

/** What to write. */
export interface WriteDumpOptions {
  /** Archive version `1.x`, e.g. `1.16`. */
  readonly version: string;
  /** @default 0 */
  readonly revision?: number;
  /** @default 4 */
  readonly intSize?: number;
  /** @default 8 */
  readonly offSize?: number;
  /** Format byte. @default 1 (custom) */
  readonly format?: number;
  /** Before 1.15: the level Int (0 none); from 1.15: the algorithm byte (0 none, 1 gzip, 2 lz4, 3 zstd). @default 0 */
  readonly compression?: number;
  /** Local creation time. @default 2025-11-10T03:00:12 */
  readonly createdAt?: { year: number; month: number; day: number; hour: number; minute: number; second: number };
  readonly database?: string | null;
  readonly serverVersion?: string | null;
  readonly dumpVersion?: string | null;
  readonly entries: readonly WriterEntry[];
  /** Whether the TOC records data offsets (a seekable file) or not (written to a pipe). @default true */
  readonly offsetsSet?: boolean;
  /** Bytes of each data chunk. @default 4096 */
  readonly chunkSize?: number;
}

class Out {
  private readonly parts: Uint8Array[] = [];
  length = 0;
  constructor(
    readonly intSize: number,
    readonly offSize: number,
  ) {}
  bytes(b: Uint8Array | number[]): this {
    const u = b instanceof Uint8Array ? b : Uint8Array.from(b);
    this.parts.push(u);
    this.length += u.length;
    return this;
  }
  byte(n: number): this {
    return this.bytes([n & 0xff]);
  }
  int(i: number): this {
    const out = [i < 0 ? 1 : 0];
    let v = Math.abs(i);
    for (let b = 0; b < this.intSize; b++) {
      out.push(v % 256);
      v = Math.floor(v / 256);
    }
    return this.bytes(out);
  }
  str(s: string | null | undefined): this {
    if (s === null || s === undefined) return this.int(-1);
    const b = Buffer.from(s, 'utf8');
    return this.int(b.length).bytes(b);
  }
  offset(state: number, o: number): this {
    const out = [state];
    let v = o;
    for (let b = 0; b < this.offSize; b++) {
      out.push(v % 256);
      v = Math.floor(v / 256);
    }
    return this.bytes(out);
  }
  done(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/** Writes a custom-format archive: header, TOC, then one data block per entry with data, in TOC order. */
export function writeCustomDump(options: WriteDumpOptions): Uint8Array {
  const [major, minor] = options.version.split('.').map(Number);
  const intSize = options.intSize ?? 4;
  const offSize = options.offSize ?? 8;
  const chunkSize = options.chunkSize ?? 4096;
  const created = options.createdAt ?? { year: 2025, month: 11, day: 10, hour: 3, minute: 0, second: 12 };
  const offsetsSet = options.offsetsSet ?? true;

  const head = new Out(intSize, offSize);
  head
    .bytes(Buffer.from('PGDMP'))
    .byte(major)
    .byte(minor)
    .byte(options.revision ?? 0)
    .byte(intSize)
    .byte(offSize)
    .byte(options.format ?? 1);
  if (minor >= 15) head.byte(options.compression ?? 0);
  else head.int(options.compression ?? 0);
  for (const n of [
    created.second,
    created.minute,
    created.hour,
    created.day,
    created.month - 1,
    created.year - 1900,
    0,
  ])
    head.int(n);
  head.str(options.database === undefined ? 'entmoot' : options.database);
  head.str(options.serverVersion === undefined ? '17.2' : options.serverVersion);
  head.str(options.dumpVersion === undefined ? '17.2' : options.dumpVersion);

  const blocks = options.entries.map((e) => (e.data === undefined ? null : dataBlock(e, intSize, offSize, chunkSize)));
  const toc = (offsets: (number | null)[]) => {
    const out = new Out(intSize, offSize);
    out.int(options.entries.length);
    options.entries.forEach((e, i) => {
      out
        .int(e.dumpId)
        .int(e.data === undefined ? 0 : 1)
        .str('1259')
        .str(String(16000 + e.dumpId));
      out
        .str(e.tag)
        .str(e.desc)
        .int(e.section ?? (e.desc === 'TABLE DATA' ? 3 : 2));
      out
        .str(e.defn ?? '')
        .str(e.dropStmt ?? '')
        .str(e.copyStmt ?? '');
      out.str(e.namespace === undefined ? 'public' : e.namespace).str('');
      if (minor >= 14) out.str(e.tableam === undefined ? (e.desc === 'TABLE' ? 'heap' : '') : e.tableam);
      if (minor >= 16) out.int(e.relkind ?? (e.desc === 'TABLE' ? 'r'.charCodeAt(0) : 0));
      out.str(e.owner === undefined ? 'postgres' : e.owner).str('false');
      for (const d of e.dependencies ?? []) out.str(String(d));
      out.str(null);
      const offset = offsets[i];
      if (e.data === undefined) out.offset(3, 0);
      else if (offset === null) out.offset(1, 0);
      else out.offset(2, offset);
    });
    return out.done();
  };
  const tocLength = toc(options.entries.map(() => null)).length;
  let position = head.length + tocLength;
  const offsets = blocks.map((b) => {
    if (!b) return null;
    const at = position;
    position += b.length;
    return offsetsSet ? at : null;
  });
  return Buffer.concat([head.done(), toc(offsets), ...blocks.filter((b): b is Uint8Array => b !== null)]);
}

/** `_StartData` + chunks (`_CustomWriteFunc`) + `_EndData`'s zero-length end marker. */
function dataBlock(e: WriterEntry, intSize: number, offSize: number, chunkSize: number): Uint8Array {
  const out = new Out(intSize, offSize);
  out.byte(1).int(e.dumpId);
  const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : (e.data as Uint8Array);
  for (let at = 0; at < data.length; at += chunkSize) {
    const chunk = data.subarray(at, Math.min(at + chunkSize, data.length));
    out.int(chunk.length).bytes(chunk);
  }
  out.int(0);
  return out.done();
}

/** The TOC of a small Entmoot database: encoding, the three plan tables with their data, an index. */
export function entmootEntries(options: { withData?: boolean } = {}): WriterEntry[] {
  const withData = options.withData ?? true;
  const entries: WriterEntry[] = [
    {
      dumpId: 1,
      tag: 'ENCODING',
      desc: 'ENCODING',
      section: 2,
      namespace: null,
      defn: "SET client_encoding = 'UTF8';\n",
      owner: null,
    },
    {
      dumpId: 2,
      tag: 'STDSTRINGS',
      desc: 'STDSTRINGS',
      section: 2,
      namespace: null,
      defn: "SET standard_conforming_strings = 'on';\n",
      owner: null,
    },
    {
      dumpId: 210,
      tag: 'buildings',
      desc: 'TABLE',
      defn: 'CREATE TABLE public.buildings (id integer, geom public.geometry(Polygon,4326), active boolean);\n',
    },
    {
      dumpId: 211,
      tag: 'projects',
      desc: 'TABLE',
      defn: 'CREATE TABLE public.projects (id integer PRIMARY KEY, modified_at timestamptz, created_at timestamptz);\n',
    },
    {
      dumpId: 212,
      tag: 'optimizations',
      desc: 'TABLE',
      defn: 'CREATE TABLE public.optimizations (id integer, project_id integer);\n',
    },
  ];
  if (withData) {
    entries.push(
      {
        dumpId: 4001,
        tag: 'buildings',
        desc: 'TABLE DATA',
        dependencies: [210],
        copyStmt: 'COPY public.buildings (id, geom, active) FROM stdin;\n',
        data: '1\t0103000020E6100000\tt\n2\t\\N\tf\n\\.\n\n\n',
      },
      {
        dumpId: 4002,
        tag: 'projects',
        desc: 'TABLE DATA',
        dependencies: [211],
        copyStmt: 'COPY public.projects (id, modified_at, created_at) FROM stdin;\n',
        data: '1\t2025-11-09 10:00:00+00\t2025-01-01 00:00:00+00\n\\.\n\n\n',
      },
      {
        dumpId: 4003,
        tag: 'optimizations',
        desc: 'TABLE DATA',
        dependencies: [212],
        copyStmt: 'COPY public.optimizations (id, project_id) FROM stdin;\n',
        data: '1\t1\n\\.\n\n\n',
      },
    );
  }
  entries.push({
    dumpId: 5001,
    tag: 'buildings_geom_idx',
    desc: 'INDEX',
    section: 4,
    dependencies: [210],
    defn: 'CREATE INDEX buildings_geom_idx ON public.buildings USING gist (geom);\n',
  });
  return entries;
}
