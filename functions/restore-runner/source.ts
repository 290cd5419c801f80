/**
 * The runner's dump source: a local file as it is, or an `s3://bucket/key` object streamed to a file in the work
 * folder (`pg_restore -j` needs a seekable file; the stream keeps memory flat whatever the dump's size) once
 * `HeadObject`'s size fits the free disk. The download is pinned to the ETag HeadObject saw (`IfMatch`), so a
 * dump replaced mid-download fails rather than mixing two dumps.
 *
 * S3 facts relied on: without `s3:ListBucket`, a missing key answers 403, not 404 (so a denial names both
 * permissions); a bucket in another region answers 301 `PermanentRedirect` with `x-amz-bucket-region` — and a
 * gateway endpoint reaches only its own region's buckets; an SSE-KMS object also needs `kms:Decrypt`.
 */
import { GetObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { createWriteStream, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { awsErrorName } from '../shared/errors';
import { httpStatus, isObjectMissing, isPreconditionFailed, isS3AccessDenied } from '../shared/s3-errors';
import type { RestoreSource } from './report';

/** Bytes kept free beyond the download, for the throwaway server's start and the report. */
export const DISK_MARGIN_BYTES = 256 * 1024 * 1024;

/** Why the source could not be had: the backup is missing or bad (1), a configuration error (2), or the runner failed (3). */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly kind: 'bad-backup' | 'usage' | 'runner-failed',
    readonly source: RestoreSource,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/** A dump ready on local disk. */
export interface LocalDump {
  readonly path: string;
  readonly source: RestoreSource;
  /** Seconds the download took; null for a local file. */
  readonly downloadSeconds: number | null;
}

/** Where an `s3://` location points. */
export function parseS3Location(location: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!match) throw new Error(`"${location}" is not s3://bucket/key`);
  return { bucket: match[1], key: match[2] };
}

function fileSource(path: string): LocalDump {
  const unknown: RestoreSource = { location: path, kind: 'file', sizeBytes: null, lastModified: null, etag: null };
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SourceError(`no such file ${path}: the backup is missing`, 'bad-backup', unknown);
    throw new SourceError(`cannot read ${path} (${code ?? String(error)})`, 'runner-failed', unknown);
  }
  if (stat.isDirectory()) throw new SourceError(`${path} is a directory, not a dump file`, 'usage', unknown);
  return {
    path,
    source: { ...unknown, sizeBytes: stat.size, lastModified: stat.mtime.toISOString() },
    downloadSeconds: null,
  };
}

/** What the S3 streaming needs. */
export interface S3SourceDeps {
  /** The client, or undefined when no region is configured. */
  readonly s3: Pick<S3Client, 'send' | 'config'> | undefined;
  readonly now: () => number;
  /** Bytes free where the download goes.
   * @default - statfs of the work folder */
  readonly freeBytes?: (dir: string) => number;
}

function freeBytesOf(dir: string): number {
  const stat = statfsSync(dir);
  return Number(stat.bavail) * Number(stat.bsize);
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** The region a 301 names, when S3 redirected us to the bucket's region. */
function redirectRegion(error: unknown): string | undefined {
  if (awsErrorName(error) !== 'PermanentRedirect' && httpStatus(error) !== 301) return undefined;
  const headers = (error as { $response?: { headers?: Record<string, string> } }).$response?.headers ?? {};
  return headers['x-amz-bucket-region'] ?? 'another region';
}

async function s3Source(
  location: string,
  workDir: string,
  deps: S3SourceDeps,
  signal: AbortSignal,
): Promise<LocalDump> {
  const { bucket, key } = parseS3Location(location);
  let source: RestoreSource = { location, kind: 's3', sizeBytes: null, lastModified: null, etag: null };
  const s3 = deps.s3;
  if (!s3) throw new SourceError(`no region for ${location}: set AWS_REGION`, 'usage', source);
  try {
    await s3.config.credentials();
  } catch (error) {
    throw new SourceError(
      `no AWS credentials to read ${location} (${firstLine(error)}): set a profile or credentials`,
      'usage',
      source,
    );
  }
  const arn = `arn:aws:s3:::${bucket}/${key}`;
  const ownRegion = await s3.config.region();
  const explain = (action: string, error: unknown): SourceError => {
    const region = redirectRegion(error);
    if (region)
      return new SourceError(
        `${location} is in ${region}, not in this runner's region ${ownRegion}: a gateway endpoint reaches only its own region's buckets; run the test in the bucket's region`,
        'runner-failed',
        source,
      );
    if (isObjectMissing(error))
      return new SourceError(
        `no object at ${location}: the backup job did not write it, or the plan's latestDumpKey is wrong`,
        'bad-backup',
        source,
      );
    if (isS3AccessDenied(error))
      return new SourceError(
        `${action} on ${location} was denied: the runner's role needs s3:GetObject on ${arn} (and s3:ListBucket on arn:aws:s3:::${bucket}, without which a missing object is denied too; kms:Decrypt for an SSE-KMS object)`,
        'runner-failed',
        source,
      );
    if (isPreconditionFailed(error))
      return new SourceError(
        `${location} was replaced while it was downloaded: run the test again`,
        'runner-failed',
        source,
      );
    return new SourceError(
      `${action} on ${location} failed: ${awsErrorName(error) ?? ''} ${firstLine(error)}`.replace('  ', ' '),
      'runner-failed',
      source,
    );
  };

  let headOut: HeadObjectCommandOutput;
  try {
    headOut = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  } catch (error) {
    throw explain('HeadObject', error);
  }
  const size = headOut.ContentLength ?? 0;
  source = {
    ...source,
    sizeBytes: size,
    lastModified: headOut.LastModified?.toISOString() ?? null,
    etag: headOut.ETag ?? null,
  };
  const free = (deps.freeBytes ?? freeBytesOf)(workDir);
  if (size + DISK_MARGIN_BYTES > free)
    throw new SourceError(
      `${location} is ${size.toLocaleString('en-US')} bytes and ${workDir} has ${free.toLocaleString('en-US')} bytes free (${DISK_MARGIN_BYTES / 1024 / 1024} MiB kept back): give the task more ephemeral storage (workload.dumpRestore.ephemeralStorageGiB)`,
      'runner-failed',
      source,
    );

  const path = join(workDir, 'dump');
  const started = deps.now();
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: headOut.ETag }), {
      abortSignal: signal,
    });
    const body = out.Body;
    if (!body) throw new Error('GetObject returned no body');
    const stream = body instanceof Readable ? body : Readable.from(body as AsyncIterable<Uint8Array>);
    await pipeline(stream, createWriteStream(path), { signal });
  } catch (error) {
    if (signal.aborted)
      throw new SourceError(
        `the download of ${location} was stopped: ${String(signal.reason)}`,
        'runner-failed',
        source,
      );
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new SourceError(
        `the disk filled while downloading ${location}: give the task more ephemeral storage (workload.dumpRestore.ephemeralStorageGiB)`,
        'runner-failed',
        source,
      );
    throw explain('GetObject', error);
  }
  const written = statSync(path).size;
  if (written !== size)
    throw new SourceError(
      `the download of ${location} ended at ${written.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} bytes: run the test again`,
      'runner-failed',
      source,
    );
  return { path, source, downloadSeconds: (deps.now() - started) / 1000 };
}

/** Makes the dump available as a local file: the file itself, or the S3 object streamed into `workDir`. */
export async function fetchDump(
  location: string,
  workDir: string,
  deps: S3SourceDeps,
  signal: AbortSignal,
): Promise<LocalDump> {
  return location.startsWith('s3://') ? s3Source(location, workDir, deps, signal) : fileSource(location);
}
