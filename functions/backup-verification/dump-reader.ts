/**
 * Reads the header and table of contents of a pg_dump custom-format archive (`pg_dump -Fc`) by ranged
 * reads, never the table data: enough to tell what a dump holds, where its data blocks lie and whether it
 * is cut short, for the cost of a few kilobytes of a file of any size.
 *
 * The layout follows PostgreSQL's `src/bin/pg_dump/pg_backup_archiver.c` (`ReadHead`, `ReadToc`,
 * `ReadInt`, `ReadStr`, `ReadOffset`) and `pg_backup_custom.c` (`_ReadExtraToc`, `_StartData`,
 * `_EndData`, `_CloseArchive`), for archive versions 1.12 (PostgreSQL 9.0) to 1.16 (PostgreSQL 17):
 *
 * - header: `PGDMP`, version bytes major, minor, revision; int size; offset size (1.7+); format byte
 *   (1 = custom); compression — an Int level before 1.15 (0 = none, anything else zlib/gzip, -1 its default
 *   level), from 1.15 one `pg_compress_algorithm` byte (0 none, 1 gzip, 2 lz4, 3 zstd; the level is not
 *   recorded); creation time as 7 Ints of the dumping host's `struct tm` (sec, min, hour, mday, mon 0-11,
 *   year-1900, isdst), in its local time; database name (1.4+); server and pg_dump versions (1.10+).
 * - TOC: an Int count, then per entry: dump id Int, had-dumper Int, table oid string (1.8+), oid string,
 *   tag, desc, section Int (1.11+), definition, drop statement, copy statement (1.3+), namespace (1.6+),
 *   tablespace (1.10+), table access method (1.14+), relkind Int (1.16+), owner, the "with oids" string
 *   (1.9+), dependency strings up to a NULL string (1.5+), and the custom format's extra: a data-offset
 *   flag byte (1 not set, 2 set, 3 no data) and `offSize` little-endian offset bytes (1.7+).
 * - An Int is a sign byte (non-zero = negative) and `intSize` little-endian magnitude bytes; a string is an
 *   Int length (negative = NULL) and that many bytes.
 *
 * Pure logic: no AWS imports; the bytes come through a `RangeReader`.
 */
import { DumpFormatError } from '../shared/errors';

/** Random access to an object of known size: S3 ranged GETs, a file, a buffer. */
export interface RangeReader {
  /** Size of the whole object in bytes. */
  readonly size: number;
  /** Bytes `start` to `endInclusive` (both within the object); fewer only when the object ends sooner. */
  read(start: number, endInclusive: number): Promise<Uint8Array>;
}

/** A `RangeReader` over bytes already in memory (tests, small objects). */
export function bufferRangeReader(buf: Uint8Array): RangeReader {
  return {
    size: buf.length,
    read: async (start, endInclusive) => buf.subarray(start, Math.min(endInclusive + 1, buf.length)),
  };
}

/** Compression of the archive's data blocks. */
export type DumpCompression = 'none' | 'gzip' | 'lz4' | 'zstd';
/** Where a TOC entry's data stands (`ReadOffset`): at a known offset, written without one (to a pipe), none. */
export type DataState = 'set' | 'notSet' | 'noData';
/** The section of a TOC entry (`teSection` in pg_backup.h). */
export type DumpSection = 'none' | 'pre-data' | 'data' | 'post-data';

/** One entry of the archive's table of contents. */
export interface DumpTocEntry {
  readonly dumpId: number;
  /** Object name, e.g. `buildings`. */
  readonly tag: string | null;
  /** Object kind, e.g. `TABLE`, `TABLE DATA`, `INDEX`. */
  readonly desc: string | null;
  readonly section: DumpSection;
  /** Schema, e.g. `public`; null for objects outside a schema. */
  readonly namespace: string | null;
  readonly dataState: DataState;
  /** Byte offset of the entry's data block when `dataState` is `set`, else null. */
  readonly offset: number | null;
  /** Dump ids this entry depends on (a TABLE DATA entry's first one is its TABLE). */
  readonly dependencies: readonly number[];
}

/** A table the archive knows of. */
export interface DumpTable {
  readonly schema: string | null;
  readonly name: string;
  /** Whether the archive holds a TABLE DATA entry (with data) for it. */
  readonly hasData: boolean;
}

/** What the header and TOC of a custom-format archive say. */
export interface DumpToc {
  readonly format: 'custom';
  /** `major.minor`, e.g. `1.14`. */
  readonly archiveVersion: string;
  readonly intSize: number;
  readonly offSize: number;
  readonly compression: DumpCompression;
  /** Compression level for archives before 1.15 that use compression (-1 = zlib's default); null otherwise. */
  readonly compressionLevel: number | null;
  /** Creation time in the dumping host's local time, with no offset: `YYYY-MM-DDTHH:MM:SS`. */
  readonly createdAt: string;
  readonly database: string | null;
  /** Version of the server dumped, e.g. `15.8 (Debian 15.8-0+deb12u1)`. */
  readonly serverVersion: string | null;
  /** Version of the pg_dump that wrote the archive. */
  readonly dumpVersion: string | null;
  readonly entries: readonly DumpTocEntry[];
  /**
   * Tables: every TABLE entry, and every table whose data the archive holds without its definition (an
   * extension's configuration table, such as PostGIS's `public.spatial_ref_sys`).
   */
  readonly tables: readonly DumpTable[];
  /** Byte offset where the TOC ends (where the first data block starts, when there is one). */
  readonly tocEnd: number;
  /** Bytes fetched from the reader. */
  readonly bytesRead: number;
  /** Range reads made. */
  readonly reads: number;
}

/** Options of `readDumpToc`. */
export interface ReadDumpTocOptions {
  /** Bytes fetched per range read.
   * @default 65536 */
  readonly blockSize?: number;
}

/** Oldest and newest archive versions this reader knows. */
export const MIN_ARCHIVE_VERSION = '1.12';
export const MAX_ARCHIVE_VERSION = '1.16';

const version = (major: number, minor: number) => major * 256 + minor;
const K_VERS_1_12 = version(1, 12);
const K_VERS_1_14 = version(1, 14);
const K_VERS_1_15 = version(1, 15);
const K_VERS_1_16 = version(1, 16);

/** `ArchiveFormat` in pg_backup.h. */
const FORMAT_NAMES: Record<number, string> = {
  0: 'unknown',
  1: 'custom',
  2: 'files',
  3: 'tar',
  4: 'null',
  5: 'directory',
};
const SECTIONS: Record<number, DumpSection> = { 1: 'none', 2: 'pre-data', 3: 'data', 4: 'post-data' };
/** `pg_compress_algorithm` in src/include/common/compression.h. */
const ALGORITHMS: DumpCompression[] = ['none', 'gzip', 'lz4', 'zstd'];
/** `K_OFFSET_POS_NOT_SET`, `K_OFFSET_POS_SET`, `K_OFFSET_NO_DATA` in pg_backup_archiver.h. */
const DATA_STATES: Record<number, DataState> = { 1: 'notSet', 2: 'set', 3: 'noData' };

const DEFAULT_BLOCK_SIZE = 64 * 1024;
/** tar's `ustar` magic sits at offset 257 of its first 512-byte header. */
const SNIFF_BYTES = 512;

/** Thrown inside a synchronous parse when the buffer ends before the field does. */
class NeedMore {
  constructor(readonly until: number) {}
}

/** A window of the object, from `base`, parsed synchronously; `NeedMore` says how far it must reach. */
class Cursor {
  pos: number;
  constructor(
    private bytes: Uint8Array,
    private base: number,
    readonly intSize: number,
    readonly offSize: number,
  ) {
    this.pos = base;
  }

  get end(): number {
    return this.base + this.bytes.length;
  }

  /** Appends `more` (the bytes right after the window), dropping what lies before `keepFrom`. */
  extend(more: Uint8Array, keepFrom: number): void {
    const kept = this.bytes.subarray(keepFrom - this.base);
    const joined = new Uint8Array(kept.length + more.length);
    joined.set(kept, 0);
    joined.set(more, kept.length);
    this.bytes = joined;
    this.base = keepFrom;
  }

  setIntSize(intSize: number, offSize: number): Cursor {
    const c = new Cursor(this.bytes, this.base, intSize, offSize);
    c.pos = this.pos;
    return c;
  }

  private need(n: number): number {
    const at = this.pos - this.base;
    if (at + n > this.bytes.length) throw new NeedMore(this.pos + n);
    this.pos += n;
    return at;
  }

  byte(): number {
    return this.bytes[this.need(1)];
  }

  buf(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  /** `ReadInt`: sign byte, then `intSize` little-endian bytes. */
  int(): number {
    const at = this.need(1 + this.intSize);
    let value = 0;
    for (let b = this.intSize; b >= 1; b--) value = value * 256 + this.bytes[at + b];
    return this.bytes[at] !== 0 ? -value : value;
  }

  /** `ReadStr`: an Int length (negative = NULL) and the bytes, as UTF-8. */
  str(): string | null {
    const start = this.pos;
    const length = this.int();
    if (length < 0) return null;
    if (length > 0x7fffffff)
      throw new DumpFormatError(
        `string length ${length} at offset ${start} is impossible: the table of contents is corrupt`,
      );
    return Buffer.from(this.buf(length)).toString('utf8');
  }

  /** `ReadOffset` (1.7+): flag byte, then `offSize` little-endian bytes. */
  offset(): { state: DataState; offset: number | null } {
    const at = this.pos;
    const flag = this.byte();
    const state = DATA_STATES[flag];
    if (!state)
      throw new DumpFormatError(
        `unexpected data offset flag ${flag} at offset ${at}: the table of contents is corrupt`,
      );
    const bytes = this.buf(this.offSize);
    let value = 0;
    for (let b = bytes.length - 1; b >= 0; b--) value = value * 256 + bytes[b];
    if (!Number.isSafeInteger(value))
      throw new DumpFormatError(`data offset at ${at} is too large to be real: the table of contents is corrupt`);
    return { state, offset: state === 'set' ? value : null };
  }
}

const ascii = (bytes: Uint8Array, from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');

/** Names what a non-custom object is, from its first bytes; never returns for a recognized kind. */
function rejectForeign(first: Uint8Array, size: number): never {
  if (first.length >= 262 && ascii(first, 257, 262) === 'ustar') {
    throw new DumpFormatError(
      'tar-format dump (pg_dump -Ft), not custom format: restore with pg_restore or re-dump with pg_dump -Fc',
    );
  }
  if (first[0] === 0x1f && first[1] === 0x8b) {
    throw new DumpFormatError(
      'gzip-compressed file, not a custom-format dump (a compressed plain SQL dump?): re-dump with pg_dump -Fc',
    );
  }
  const head = ascii(first, 0, Math.min(first.length, 64)).replace(/^\xEF\xBB\xBF/, '');
  if (/^\s*(--|\/\*|SET\b|CREATE\b|BEGIN\b|SELECT\b|\\connect\b)/i.test(head)) {
    throw new DumpFormatError('plain SQL dump, not custom format: restore with psql or re-dump with pg_dump -Fc');
  }
  const text = first.subarray(0, 256).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127));
  if (text) {
    const start = JSON.stringify(ascii(first, 0, Math.min(first.length, 24)));
    throw new DumpFormatError(
      `not a pg_dump archive: a text file that does not look like SQL (it starts ${start}) in an object of ${size} bytes`,
    );
  }
  const hex = Array.from(first.subarray(0, 5), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DumpFormatError(
    `not a pg_dump archive: no PGDMP signature at offset 0 (found ${hex}) in an object of ${size} bytes`,
  );
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function createdAtOf(tm: number[]): string {
  const [sec, min, hour, mday, mon, year] = tm;
  const ok =
    sec >= 0 &&
    sec <= 61 &&
    min >= 0 &&
    min <= 59 &&
    hour >= 0 &&
    hour <= 23 &&
    mday >= 1 &&
    mday <= 31 &&
    mon >= 0 &&
    mon <= 11 &&
    year >= 0;
  if (!ok)
    throw new DumpFormatError(
      `invalid creation time in the archive header (${tm.slice(0, 6).join(', ')}): the header is corrupt`,
    );
  return `${pad(year + 1900, 4)}-${pad(mon + 1)}-${pad(mday)}T${pad(hour)}:${pad(min)}:${pad(Math.min(sec, 59))}`;
}

/**
 * Reads the header and table of contents by ranged reads of `blockSize` bytes, fetching further ranges
 * only while the TOC continues — never the data blocks beyond the last range the TOC ends in.
 *
 * @throws DumpFormatError naming what is wrong: empty object, plain SQL or tar or gzip file, no PGDMP
 *   signature, header or TOC cut short (with the offset the object ends at), an archive version outside
 *   1.12–1.16, a format byte other than custom, corrupt fields.
 */
export async function readDumpToc(reader: RangeReader, options: ReadDumpTocOptions = {}): Promise<DumpToc> {
  const blockSize = Math.max(16, Math.floor(options.blockSize ?? DEFAULT_BLOCK_SIZE));
  const size = reader.size;
  if (size === 0)
    throw new DumpFormatError(
      'empty object (0 bytes): not a pg_dump archive; the dump was never written or its upload failed',
    );

  let bytesRead = 0;
  let reads = 0;
  let fetchedEnd = 0;
  let part: 'archive header' | 'table of contents' = 'archive header';
  let detail = '';

  const fetch = async (until: number): Promise<Uint8Array> => {
    if (fetchedEnd >= size || until > size) {
      throw new DumpFormatError(`${part} truncated: object ends at ${size} inside the ${part}${detail}`);
    }
    const end = Math.min(size, Math.max(fetchedEnd + blockSize, until)) - 1;
    const bytes = await reader.read(fetchedEnd, end);
    reads += 1;
    bytesRead += bytes.length;
    if (bytes.length === 0)
      throw new DumpFormatError(`${part} truncated: object ends at ${fetchedEnd} inside the ${part}${detail}`);
    fetchedEnd += bytes.length;
    return bytes;
  };

  const first = await fetch(Math.min(size, Math.max(blockSize, SNIFF_BYTES)));
  if (first.length < 5 || ascii(first, 0, 5) !== 'PGDMP') {
    if (first.length < 5 && 'PGDMP'.startsWith(ascii(first, 0, first.length))) {
      throw new DumpFormatError(`archive header truncated: object ends at ${size} inside the archive header`);
    }
    rejectForeign(first, size);
  }

  let cursor = new Cursor(first, 0, 4, 8);
  /** Runs a synchronous parse step; when the window ends first, fetches more (keeping bytes from `keepFrom`) and retries. */
  const step = async <T>(keepFrom: number, parse: () => T): Promise<T> => {
    for (;;) {
      const resumeAt = cursor.pos;
      try {
        return parse();
      } catch (e) {
        if (!(e instanceof NeedMore)) throw e;
        cursor.pos = resumeAt;
        cursor.extend(await fetch(e.until), keepFrom);
      }
    }
  };

  cursor.pos = 5;
  const head = await step(0, () => {
    const vmaj = cursor.byte();
    const vmin = cursor.byte();
    const vrev = cursor.byte();
    const intSize = cursor.byte();
    const offSize = cursor.byte();
    const format = cursor.byte();
    return { vmaj, vmin, vrev, intSize, offSize, format };
  });
  const archiveVersion = `${head.vmaj}.${head.vmin}`;
  const v = version(head.vmaj, head.vmin);
  if (v > K_VERS_1_16) {
    throw new DumpFormatError(
      `archive version ${archiveVersion} is newer than this reader knows (up to ${MAX_ARCHIVE_VERSION}): it was written by a newer pg_dump; update the reader`,
    );
  }
  if (v < K_VERS_1_12) {
    throw new DumpFormatError(
      `archive version ${archiveVersion} is older than this reader supports (${MIN_ARCHIVE_VERSION} to ${MAX_ARCHIVE_VERSION}): re-dump with a current pg_dump -Fc`,
    );
  }
  if (head.format !== 1) {
    const name = FORMAT_NAMES[head.format] ?? 'unknown';
    throw new DumpFormatError(
      `archive format byte is ${head.format} (${name}), not 1 (custom): this reader reads pg_dump -Fc archives only`,
    );
  }
  if (head.intSize < 1 || head.intSize > 8 || head.offSize < 1 || head.offSize > 16) {
    throw new DumpFormatError(
      `archive header has impossible integer size ${head.intSize} or offset size ${head.offSize}: the header is corrupt`,
    );
  }
  cursor = cursor.setIntSize(head.intSize, head.offSize);

  const header = await step(0, () => {
    let compression: DumpCompression;
    let compressionLevel: number | null = null;
    if (v >= K_VERS_1_15) {
      const at = cursor.pos;
      const algorithm = cursor.byte();
      if (algorithm >= ALGORITHMS.length)
        throw new DumpFormatError(`unknown compression algorithm ${algorithm} at offset ${at} in the archive header`);
      compression = ALGORITHMS[algorithm];
    } else {
      const level = cursor.int();
      compression = level === 0 ? 'none' : 'gzip';
      compressionLevel = level === 0 ? null : level;
    }
    const tm = Array.from({ length: 7 }, () => cursor.int());
    const database = cursor.str();
    const serverVersion = cursor.str();
    const dumpVersion = cursor.str();
    return { compression, compressionLevel, tm, database, serverVersion, dumpVersion };
  });
  const createdAt = createdAtOf(header.tm);

  part = 'table of contents';
  const tocCount = await step(cursor.pos, () => cursor.int());
  if (tocCount < 0)
    throw new DumpFormatError(`table of contents count ${tocCount} is negative: the table of contents is corrupt`);

  const entries: DumpTocEntry[] = [];
  for (let i = 0; i < tocCount; i++) {
    detail = ` (entry ${i + 1} of ${tocCount})`;
    const entryStart = cursor.pos;
    const entry = await step(entryStart, () => {
      const dumpId = cursor.int();
      if (dumpId <= 0)
        throw new DumpFormatError(
          `entry ID ${dumpId} out of range at offset ${entryStart}: the table of contents is corrupt`,
        );
      cursor.int(); // had dumper
      cursor.str(); // table oid (1.8+)
      cursor.str(); // oid
      const tag = cursor.str();
      const desc = cursor.str();
      const sectionNumber = cursor.int();
      const section = SECTIONS[sectionNumber];
      if (!section)
        throw new DumpFormatError(
          `unknown section ${sectionNumber} in entry ${dumpId} (${desc} ${tag}): the table of contents is corrupt`,
        );
      cursor.str(); // definition
      cursor.str(); // drop statement
      cursor.str(); // copy statement (1.3+)
      const namespace = cursor.str(); // 1.6+
      cursor.str(); // tablespace (1.10+)
      if (v >= K_VERS_1_14) cursor.str(); // table access method
      if (v >= K_VERS_1_16) cursor.int(); // relkind
      cursor.str(); // owner
      cursor.str(); // "with oids" (1.9+): "false"
      const dependencies: number[] = [];
      for (let dep = cursor.str(); dep !== null; dep = cursor.str()) dependencies.push(Number.parseInt(dep, 10));
      const { state, offset } = cursor.offset(); // pg_backup_custom.c _ReadExtraToc
      return { dumpId, tag, desc, section, namespace, dataState: state, offset, dependencies };
    });
    entries.push(entry);
  }

  return {
    format: 'custom',
    archiveVersion,
    intSize: head.intSize,
    offSize: head.offSize,
    compression: header.compression,
    compressionLevel: header.compressionLevel,
    createdAt,
    database: header.database,
    serverVersion: header.serverVersion,
    dumpVersion: header.dumpVersion,
    entries,
    tables: tablesOf(entries),
    tocEnd: cursor.pos,
    bytesRead,
    reads,
  };
}

/** Tables of the TOC, each with whether its TABLE DATA entry is there (matched by dependency, else by name). */
function tablesOf(entries: readonly DumpTocEntry[]): DumpTable[] {
  const key = (schema: string | null, name: string | null) => `${schema ?? ''}\u0000${name ?? ''}`;
  const data = entries.filter((e) => e.desc === 'TABLE DATA' && e.dataState !== 'noData');
  const dataByDependency = new Set(data.map((e) => e.dependencies[0]).filter((d) => d !== undefined));
  const dataByName = new Set(data.map((e) => key(e.namespace, e.tag)));
  const tables: DumpTable[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.desc !== 'TABLE' || e.tag === null) continue;
    seen.add(key(e.namespace, e.tag));
    tables.push({
      schema: e.namespace,
      name: e.tag,
      hasData: dataByDependency.has(e.dumpId) || dataByName.has(key(e.namespace, e.tag)),
    });
  }
  for (const e of data) {
    if (e.tag === null || seen.has(key(e.namespace, e.tag))) continue;
    seen.add(key(e.namespace, e.tag));
    tables.push({ schema: e.namespace, name: e.tag, hasData: true });
  }
  return tables;
}

/** What the last bytes of an archive say about its end (see `readDumpTail`). */
export interface DumpTail {
  /** Whether the object ends with an Int 0 — the end marker every data block (and LO list) ends with. */
  readonly endsWithEndMarker: boolean;
  /** The bytes read, for the message. */
  readonly bytes: Uint8Array;
}

/**
 * Reads the last `intSize + 1` bytes of the object. A custom-format archive with data ends with the
 * zero-length chunk Int (`WriteInt(AH, 0)` in `_EndData`, and `_EndLOs`'s zero OID after the last large
 * object): pg_dump writes nothing after its last data block (`_CloseArchive` only rewrites the TOC in
 * place). So a tail that is not an Int 0 proves the object was cut short; a tail that is one does not
 * prove it complete (see check-integrity.ts).
 */
export async function readDumpTail(reader: RangeReader, toc: Pick<DumpToc, 'intSize'>): Promise<DumpTail> {
  const length = toc.intSize + 1;
  const start = Math.max(0, reader.size - length);
  const bytes = await reader.read(start, reader.size - 1);
  return { endsWithEndMarker: bytes.length === length && bytes.every((b) => b === 0), bytes };
}

/** Header of the data block at `offset`: block type byte (1 data, 3 large objects) and the dump id (`_readBlockHeader`). */
export async function readBlockHeader(
  reader: RangeReader,
  toc: Pick<DumpToc, 'intSize'>,
  offset: number,
): Promise<{ type: number; dumpId: number; bytesRead: number } | null> {
  const length = 1 + 1 + toc.intSize;
  if (offset + length > reader.size) return null;
  const bytes = await reader.read(offset, offset + length - 1);
  if (bytes.length < length) return null;
  let id = 0;
  for (let b = toc.intSize; b >= 1; b--) id = id * 256 + bytes[1 + b];
  return { type: bytes[0], dumpId: bytes[1] !== 0 ? -id : id, bytesRead: bytes.length };
}
