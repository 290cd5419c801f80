/**
 * Integrity check of a pg_dump custom-format archive in S3, by ranged reads only: `HeadObject` (size,
 * LastModified, encryption), ranged `GetObject`s of the header and table of contents (see dump-reader.ts),
 * two tiny ranged reads near the end, and `GetObjectAttributes` for the stored checksum (reported when
 * present, never required). A multi-gigabyte dump is judged from a few kilobytes; the plan's script
 * downloads all of it.
 *
 * Results, one per check (`target` is `s3://bucket/key`):
 * - `dump-format`: the object is a readable custom-format archive (version, compression, database, server
 *   and pg_dump versions, bytes read). Any `DumpFormatError` FAILs here with its message, and only this
 *   result is returned: nothing else can be judged.
 * - `dump-tables`: each of the plan's required tables has a TABLE and a TABLE DATA entry (a schema-only dump
 *   FAILs naming the tables without data).
 * - `dump-completeness`: whether the object holds all the data its TOC announces (below).
 * - `dump-created`: the dump's creation time against the object's LastModified (WARN beyond the plan's
 *   `maxDumpSkewHours`, allowing for the unknown time zone of the dumping host).
 *
 * What `dump-completeness` catches, exactly — pg_dump writes the header, the TOC, then one data block per
 * entry with data in TOC order; each block is a type byte, the dump id, length-prefixed chunks (never
 * zero-length) and an Int 0 end marker; nothing follows the last block (pg_backup_custom.c `_StartData`,
 * `_CustomWriteFunc`, `_EndData`, `_CloseArchive`). Hence:
 * - FAIL, never wrongly, when the object ends inside the header or TOC; when it ends where the TOC ends
 *   although the TOC announces data; when a recorded data offset lies beyond the room for a block before the
 *   end (every block after a cut); when the block at the last recorded offset is not that entry's block;
 *   and when the last `intSize + 1` bytes are not an Int 0 (a complete archive with data always ends so).
 * - With offsets recorded (a dump written to a seekable file), the only cut that passes is one inside the
 *   last block right after `intSize + 1` zero bytes of its contents: impossible for uncompressed COPY text
 *   (it holds no NUL bytes, and chunk lengths are non-zero), a coincidence of about 2^-40 for compressed
 *   data, but possible inside large-object contents, which are raw binary.
 * - Without offsets (a dump written to a pipe — `pg_dump -Fc > file` through a pipe, or `| aws s3 cp -`),
 *   the end-marker test still catches a cut inside a block, but a cut exactly between two tables' blocks is
 *   indistinguishable from a complete archive: the result is a WARN saying completeness is not provable.
 * - Not caught at all: corruption inside the data (flipped bits, a bad compressed stream). That takes
 *   reading the data: the stored checksum (reported here) and the monthly restore test cover it.
 *
 * Errors: access denied FAILs naming the permission (`s3:GetObject`; and `kms:Decrypt` on the key for an
 * SSE-KMS object); persistent throttling throws `ThrottledError` (via `translateAwsError`) so the workflow
 * retries; other AWS errors are thrown as they are.
 */
import {
  GetObjectAttributesCommand,
  type GetObjectAttributesCommandOutput,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { DrPlan } from '../../lib/plan';
import type { CheckResult, CheckStatus } from '../shared/check-result';
import { DumpFormatError, isThrottling, translateAwsError } from '../shared/errors';
import { isObjectMissing, isPreconditionFailed, isS3AccessDenied } from '../shared/s3-errors';
import { HOUR_MS } from '../shared/time';
import {
  type DumpToc,
  type DumpTocEntry,
  type RangeReader,
  readBlockHeader,
  readDumpTail,
  readDumpToc,
} from './dump-reader';

/** The dump object to check. */
export interface DumpTarget {
  readonly bucket: string;
  readonly key: string;
}

/** What the check needs: an S3 client (only `send` is used) and the clock. */
export interface DumpIntegrityDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly now: () => Date;
  /** Bytes per ranged read of the TOC.
   * @default 65536 */
  readonly blockSize?: number;
}

/** The plan fields the check reads. */
export type DumpIntegrityPlan = {
  readonly backups: Pick<DrPlan['backups'], 'requiredTables' | 'verification'>;
  readonly buckets: DrPlan['buckets'];
};

/** Check names, as they appear in results and metrics. */
export const DUMP_CHECKS = {
  format: 'dump-format',
  tables: 'dump-tables',
  completeness: 'dump-completeness',
  created: 'dump-created',
} as const;

/** Hours a host's local time can differ from UTC: west (UTC-12) and east (UTC+14). */
const MAX_WEST_HOURS = 12;
const MAX_EAST_HOURS = 14;

const fmt = (n: number) => n.toLocaleString('en-US');
const round1 = (n: number) => Math.round(n * 10) / 10;
const entryName = (e: Pick<DumpTocEntry, 'namespace' | 'tag'>) =>
  e.namespace ? `${e.namespace}.${e.tag}` : String(e.tag);

/** A failed S3 call of ours, with what it was for, so the outer handler can name the permission. */
class S3CallError extends Error {
  constructor(
    readonly action: string,
    readonly original: unknown,
  ) {
    super(`${action} failed`);
  }
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const b = body as { transformToByteArray?: () => Promise<Uint8Array> } | undefined;
  if (b && typeof b.transformToByteArray === 'function') return b.transformToByteArray();
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    const parts: Uint8Array[] = [];
    for await (const part of body as AsyncIterable<Uint8Array>) parts.push(part);
    return Buffer.concat(parts);
  }
  throw new Error('GetObject returned no body');
}

/**
 * A `RangeReader` over an S3 object: each read is one `GetObject` with `Range: bytes=a-b`, pinned to the
 * ETag seen by `HeadObject` (`IfMatch`) so a dump replaced mid-check is noticed rather than misread.
 */
export function s3RangeReader(
  s3: Pick<S3Client, 'send'>,
  target: DumpTarget,
  size: number,
  etag?: string,
): RangeReader {
  return {
    size,
    async read(start, endInclusive) {
      try {
        const out = await s3.send(
          new GetObjectCommand({
            Bucket: target.bucket,
            Key: target.key,
            Range: `bytes=${start}-${endInclusive}`,
            IfMatch: etag,
          }),
        );
        return await bodyBytes(out.Body);
      } catch (e) {
        throw new S3CallError('s3:GetObject', e);
      }
    },
  };
}

/** Runs the four dump checks on `target` (see the module comment). */
export async function checkDumpIntegrity(
  target: DumpTarget,
  plan: DumpIntegrityPlan,
  deps: DumpIntegrityDeps,
): Promise<CheckResult[]> {
  const where = `s3://${target.bucket}/${target.key}`;
  const arn = `arn:aws:s3:::${target.bucket}/${target.key}`;
  const formatFail = (detail: string, status: CheckStatus = 'FAIL'): CheckResult[] => [
    { check: DUMP_CHECKS.format, target: where, status, observed: null, threshold: null, detail },
  ];

  let head: HeadObjectCommandOutput;
  try {
    head = await deps.s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
  } catch (e) {
    if (isThrottling(e)) translateAwsError(e, 's3:HeadObject', where);
    if (isS3AccessDenied(e))
      return formatFail(`HeadObject on ${where} was denied: the function's role needs s3:GetObject on ${arn}`);
    if (isObjectMissing(e))
      return formatFail(`no object at ${where}: the backup job did not write it, or the plan's latestDumpKey is wrong`);
    throw e;
  }

  const size = head.ContentLength ?? 0;
  const kmsKey = head.ServerSideEncryption?.startsWith('aws:kms')
    ? (head.SSEKMSKeyId ?? plan.buckets.find((b) => b.name === target.bucket)?.kmsKeyArn ?? "the object's KMS key")
    : undefined;
  const reader = s3RangeReader(deps.s3, target, size, head.ETag);

  let toc: DumpToc;
  let tail: Awaited<ReturnType<typeof completeness>>;
  try {
    toc = await readDumpToc(reader, { blockSize: deps.blockSize });
    tail = await completeness(reader, toc, size);
  } catch (e) {
    if (e instanceof DumpFormatError) return formatFail(`${where} is not a usable pg_dump archive: ${e.message}`);
    const cause = e instanceof S3CallError ? e.original : e;
    if (isThrottling(cause)) translateAwsError(cause, 's3:GetObject', where);
    if (isS3AccessDenied(cause)) {
      const kms = kmsKey ? ` and kms:Decrypt on ${kmsKey} (the object is encrypted with SSE-KMS)` : '';
      return formatFail(
        `ranged GetObject on ${where} was denied: the function's role needs s3:GetObject on ${arn}${kms}`,
      );
    }
    if (isPreconditionFailed(cause))
      return formatFail(`${where} was replaced while it was being read: run the check again`, 'WARN');
    throw cause;
  }

  const checksum = await readChecksum(deps.s3, target, where);
  const bytesRead = toc.bytesRead + tail.bytesRead;
  const reads = toc.reads + tail.reads;
  const compression =
    toc.compression +
    (toc.compressionLevel !== null && toc.compressionLevel >= 0 ? ` level ${toc.compressionLevel}` : '');
  const encryption = kmsKey
    ? `SSE-KMS (${kmsKey})`
    : (head.ServerSideEncryption ?? 'no server-side encryption reported');

  const results: CheckResult[] = [
    {
      check: DUMP_CHECKS.format,
      target: where,
      status: 'PASS',
      observed: `custom ${toc.archiveVersion}`,
      threshold: null,
      detail:
        `custom-format archive ${toc.archiveVersion} (${compression}) of database ${toc.database ?? '(unnamed)'}, server ${toc.serverVersion ?? 'unknown'}, ` +
        `pg_dump ${toc.dumpVersion ?? 'unknown'}, ${toc.entries.length} TOC entries; read ${fmt(bytesRead)} of ${fmt(size)} bytes in ${reads} ranged reads; ` +
        `${encryption}; ${checksum}`,
    },
    tablesResult(toc, plan, where),
    {
      check: DUMP_CHECKS.completeness,
      target: where,
      status: tail.status,
      observed: size,
      threshold: null,
      detail: tail.detail,
    },
    createdResult(toc, head, plan, deps.now(), where),
  ];
  return results;
}

/**
 * `dump-tables`: each required table has its TABLE and TABLE DATA entries. The dump restore runner's pre-flight
 * judges a dump with it too, in the same words.
 */
export function tablesResult(
  toc: DumpToc,
  plan: { readonly backups: Pick<DrPlan['backups'], 'requiredTables'> },
  where: string,
): CheckResult {
  const required = plan.backups.requiredTables;
  const missing: string[] = [];
  const withoutData: string[] = [];
  for (const name of required) {
    const tables = toc.tables.filter(
      (t) =>
        t.name === name && toc.entries.some((e) => e.desc === 'TABLE' && e.tag === name && e.namespace === t.schema),
    );
    if (tables.length === 0) missing.push(name);
    else if (!tables.some((t) => t.hasData)) withoutData.push(tables[0].schema ? `${tables[0].schema}.${name}` : name);
  }
  const complete = required.length - missing.length - withoutData.length;
  const problems = [
    missing.length ? `no TABLE entry for ${missing.join(', ')}` : '',
    withoutData.length
      ? `no TABLE DATA for ${withoutData.join(', ')}${withoutData.length === required.length ? ' (a schema-only dump: pg_dump -s?)' : ''}`
      : '',
  ].filter(Boolean);
  return {
    check: DUMP_CHECKS.tables,
    target: where,
    status: problems.length ? 'FAIL' : 'PASS',
    observed: complete,
    threshold: required.length,
    detail: problems.length
      ? `${problems.join('; ')}: the dump cannot restore the plan's required tables; fix the backup job's pg_dump options and re-dump`
      : `all ${required.length} required tables (${required.join(', ')}) have their definition and data in the archive`,
  };
}

/**
 * Judges whether the data the TOC announces is all there (see the module comment), with its own reads: FAIL for a
 * data offset inside the TOC or past the end of the object, or an object not ending in the end-of-data marker.
 * The operator CLI judges a local file with it, the same way.
 */
export async function completeness(
  reader: RangeReader,
  toc: DumpToc,
  size: number,
): Promise<{ status: CheckStatus; detail: string; bytesRead: number; reads: number }> {
  let bytesRead = 0;
  let reads = 0;
  const result = (status: CheckStatus, detail: string) => ({ status, detail, bytesRead, reads });

  const data = toc.entries.filter((e) => e.dataState !== 'noData');
  if (data.length === 0) {
    if (size === toc.tocEnd)
      return result('PASS', `the archive records no data blocks and ends where its TOC ends, at ${fmt(size)} bytes`);
    return result(
      'WARN',
      `${fmt(size - toc.tocEnd)} bytes follow the TOC of an archive that records no data: not written by pg_dump as is; inspect it`,
    );
  }
  if (size <= toc.tocEnd) {
    return result(
      'FAIL',
      `the object ends at ${fmt(size)} bytes where its TOC ends: none of its ${data.length} data blocks were written; the dump was cut short — re-run the backup`,
    );
  }

  const set = data.filter((e) => e.dataState === 'set').sort((a, b) => (a.offset as number) - (b.offset as number));
  const notSet = data.length - set.length;
  const minBlock = 1 + 2 * (toc.intSize + 1);
  const misplaced = set.filter((e) => (e.offset as number) < toc.tocEnd);
  if (misplaced.length) {
    return result(
      'FAIL',
      `data offsets of ${misplaced.map(entryName).join(', ')} point inside the TOC (before ${fmt(toc.tocEnd)}): the archive is corrupt`,
    );
  }
  const beyond = set.filter((e) => (e.offset as number) + minBlock > size);
  if (beyond.length) {
    const names =
      beyond.slice(0, 5).map(entryName).join(', ') + (beyond.length > 5 ? ` and ${beyond.length - 5} more` : '');
    return result(
      'FAIL',
      `the object ends at ${fmt(size)} bytes, before the data blocks of ${names} (${beyond.length} of ${data.length} blocks, the first recorded at offset ${fmt(beyond[0].offset as number)}): the dump was cut short — re-run the backup`,
    );
  }

  const tail = await readDumpTail(reader, toc);
  reads += 1;
  bytesRead += tail.bytes.length;
  if (!tail.endsWithEndMarker) {
    const last = set.length ? set[set.length - 1] : undefined;
    const inside = last && notSet === 0 ? ` of ${entryName(last)} (from offset ${fmt(last.offset as number)})` : '';
    const hex = Array.from(tail.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
    return result(
      'FAIL',
      `the object ends at ${fmt(size)} bytes inside a data block${inside}: its last bytes (${hex}) are not the end-of-data marker every complete archive ends with; the dump was cut short — re-run the backup`,
    );
  }

  if (set.length) {
    const last = set[set.length - 1];
    const header = await readBlockHeader(reader, toc, last.offset as number);
    reads += 1;
    bytesRead += header?.bytesRead ?? 0;
    if (!header || (header.type !== 1 && header.type !== 3) || header.dumpId !== last.dumpId) {
      const found = header ? `block type ${header.type} of dump id ${header.dumpId}` : 'nothing readable';
      return result(
        'FAIL',
        `the data offset ${fmt(last.offset as number)} of ${entryName(last)} points at ${found}, not its data block (dump id ${last.dumpId}): the archive is corrupt`,
      );
    }
  }

  if (notSet === 0) {
    return result(
      'PASS',
      `all ${data.length} data blocks start inside the object's ${fmt(size)} bytes and it ends with the end-of-data marker`,
    );
  }
  return result(
    'WARN',
    `completeness not provable without offsets: ${notSet} of ${data.length} data blocks have no recorded offset (the dump was written to a pipe); ` +
      `the object ends with an end-of-data marker, so it was not cut inside a block, but a dump cut between two tables' data would look the same — ` +
      'write the dump to a file (pg_dump -Fc -f) before uploading it',
  );
}

function createdResult(
  toc: DumpToc,
  head: HeadObjectCommandOutput,
  plan: DumpIntegrityPlan,
  now: Date,
  where: string,
): CheckResult {
  const maxSkew = plan.backups.verification.maxDumpSkewHours;
  const createdAsUtc = Date.parse(`${toc.createdAt}Z`);
  const written = head.LastModified ?? now;
  const skew = (written.getTime() - createdAsUtc) / HOUR_MS;
  const age = (now.getTime() - createdAsUtc) / HOUR_MS;
  const base =
    `dump created ${toc.createdAt} (the dumping host's local time; the archive records no offset), object written ${written.toISOString()}: ` +
    `${round1(skew)} h apart if the host ran on UTC, about ${round1(age)} h before now`;
  let status: CheckStatus = 'PASS';
  let advice = `; within the plan's ${maxSkew} h`;
  if (skew - MAX_WEST_HOURS > maxSkew) {
    status = 'WARN';
    advice = `; at least ${round1(skew - MAX_WEST_HOURS)} h in any time zone, more than the plan's ${maxSkew} h: the object holds an old dump — check that the backup job uploads the dump it just made`;
  } else if (skew + MAX_EAST_HOURS < 0) {
    status = 'WARN';
    advice =
      "; the dump claims to be created after its object was written, in any time zone: the dumping host's clock is wrong";
  }
  return {
    check: DUMP_CHECKS.created,
    target: where,
    status,
    observed: round1(skew),
    threshold: maxSkew,
    detail: base + advice,
  };
}

/** The object's stored checksum, as a phrase; absence (or no permission to read it) is reported, never failed. */
async function readChecksum(s3: Pick<S3Client, 'send'>, target: DumpTarget, where: string): Promise<string> {
  let out: GetObjectAttributesCommandOutput;
  try {
    out = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: target.bucket,
        Key: target.key,
        ObjectAttributes: ['Checksum', 'ObjectSize'],
      }),
    );
  } catch (e) {
    if (isThrottling(e)) translateAwsError(e, 's3:GetObjectAttributes', where);
    if (isS3AccessDenied(e)) return 'stored checksum not read: the role lacks s3:GetObjectAttributes';
    return `stored checksum not read: GetObjectAttributes failed (${e instanceof Error ? e.name : 'error'})`;
  }
  const c = out.Checksum;
  const found = c
    ? Object.entries(c).find(
        ([k, v]) => k.startsWith('Checksum') && k !== 'ChecksumType' && typeof v === 'string' && v.length > 0,
      )
    : undefined;
  if (!found) return 'no stored checksum (upload with --checksum-algorithm to have S3 verify and keep one)';
  const type = c?.ChecksumType ? ` ${c.ChecksumType}` : '';
  return `stored checksum ${found[0].replace('Checksum', '')}${type} ${found[1]}`;
}
