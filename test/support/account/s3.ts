/**
 * S3 buckets (each in one region) in the service model's names: PutObject, GetObject (Range),
 * HeadObject, ListObjectsV2, GetObjectAttributes — Amazon S3 API Reference,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ (API_PutObject, API_GetObject, API_HeadObject,
 * API_ListObjectsV2: "returns objects in ascending order of key names", MaxKeys at most 1,000,
 * API_GetObjectAttributes). A call to a bucket of another region is refused (S3 answers 301
 * PermanentRedirect) and recorded.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ServiceFault } from './errors';
import { uniqueSuffix } from './rds-state';

export interface S3Object {
  Key: string;
  Body: Buffer;
  LastModified: Date;
  VersionId?: string;
  ContentType?: string;
  Metadata: Record<string, string>;
  ChecksumSHA256?: string;
  ServerSideEncryption: string;
  SSEKMSKeyId?: string;
  ETag: string;
}

export interface Bucket {
  name: string;
  region: string;
  versioned: boolean;
  /** Versions of each key, oldest first. */
  objects: Map<string, S3Object[]>;
}

type Input = Record<string, unknown>;
export interface S3Ctx {
  region: string;
  now(): Date;
  refuse(message: string): void;
}

function toBuffer(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  throw new ServiceFault('InvalidRequest', 'The model takes a string, Buffer or Uint8Array Body', 400, false);
}

/** A Body like the JS SDK's: a Readable with transformToString/transformToByteArray. */
export function sdkStream(buf: Buffer): Readable & {
  transformToString(enc?: BufferEncoding): Promise<string>;
  transformToByteArray(): Promise<Uint8Array>;
} {
  const stream = Readable.from([buf]) as Readable & {
    transformToString(enc?: BufferEncoding): Promise<string>;
    transformToByteArray(): Promise<Uint8Array>;
  };
  stream.transformToString = async (enc: BufferEncoding = 'utf8') => buf.toString(enc);
  stream.transformToByteArray = async () => new Uint8Array(buf);
  return stream;
}

export class S3Model {
  readonly buckets = new Map<string, Bucket>();
  listCalls = 0;

  addBucket(name: string, region: string, versioned = false): Bucket {
    const b: Bucket = { name, region, versioned, objects: new Map() };
    this.buckets.set(name, b);
    return b;
  }

  bucket(ctx: S3Ctx, name: unknown): Bucket {
    const b = this.buckets.get(String(name));
    if (!b) throw new ServiceFault('NoSuchBucket', `The specified bucket does not exist: ${String(name)}`, 404);
    if (b.region !== ctx.region) {
      ctx.refuse(`call in ${ctx.region} aimed at s3://${b.name} (a bucket in ${b.region})`);
      throw new ServiceFault(
        'PermanentRedirect',
        `The bucket you are attempting to access must be addressed using the specified endpoint (bucket ${b.name} is in ${b.region}).`,
        301,
        false,
      );
    }
    return b;
  }

  put(bucket: Bucket, key: string, input: Input, now: Date): S3Object {
    const body = toBuffer(input.Body);
    let checksum = input.ChecksumSHA256 as string | undefined;
    const actual = createHash('sha256').update(body).digest('base64');
    if (checksum !== undefined && checksum !== actual) {
      throw new ServiceFault(
        'BadDigest',
        'The SHA256 you specified did not match the calculated checksum.',
        400,
        false,
      );
    }
    if (input.ChecksumAlgorithm === 'SHA256') checksum = actual;
    const obj: S3Object = {
      Key: key,
      Body: body,
      LastModified: now,
      VersionId: bucket.versioned ? `v${uniqueSuffix()}` : undefined,
      ContentType: (input.ContentType as string | undefined) ?? 'application/octet-stream',
      Metadata: { ...((input.Metadata as Record<string, string> | undefined) ?? {}) },
      ChecksumSHA256: checksum,
      ServerSideEncryption: (input.ServerSideEncryption as string | undefined) ?? 'AES256',
      SSEKMSKeyId: input.SSEKMSKeyId as string | undefined,
      ETag: `"${createHash('md5').update(body).digest('hex')}"`,
    };
    const versions = bucket.versioned ? (bucket.objects.get(key) ?? []) : [];
    versions.push(obj);
    bucket.objects.set(key, versions);
    return obj;
  }

  private object(bucket: Bucket, input: Input): S3Object {
    const key = String(input.Key);
    const versions = bucket.objects.get(key);
    if (!versions || versions.length === 0)
      throw new ServiceFault('NoSuchKey', `The specified key does not exist: ${key}`, 404);
    if (input.VersionId !== undefined) {
      const v = versions.find((o) => o.VersionId === input.VersionId);
      if (!v)
        throw new ServiceFault(
          'NoSuchVersion',
          `The specified version does not exist: ${String(input.VersionId)}`,
          404,
          false,
        );
      return v;
    }
    return versions[versions.length - 1];
  }

  private head(o: S3Object): Record<string, unknown> {
    return {
      LastModified: o.LastModified,
      ContentLength: o.Body.length,
      ETag: o.ETag,
      VersionId: o.VersionId,
      ContentType: o.ContentType,
      Metadata: { ...o.Metadata },
      ServerSideEncryption: o.ServerSideEncryption,
      SSEKMSKeyId: o.SSEKMSKeyId,
      AcceptRanges: 'bytes',
    };
  }

  PutObject(ctx: S3Ctx, input: Input): unknown {
    const b = this.bucket(ctx, input.Bucket);
    // Conditional write (API_PutObject, If-None-Match: only `*` is supported): 412 PreconditionFailed when the key exists.
    if (input.IfNoneMatch !== undefined) {
      if (input.IfNoneMatch !== '*')
        throw new ServiceFault('NotImplemented', 'If-None-Match supports only *', 501, false);
      if ((b.objects.get(String(input.Key)) ?? []).length > 0) {
        throw new ServiceFault(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          412,
        );
      }
    }
    // If-Match (API_PutObject): 412 unless the current object has that ETag; a missing object fails it too.
    if (input.IfMatch !== undefined) {
      const versions = b.objects.get(String(input.Key)) ?? [];
      if (versions[versions.length - 1]?.ETag !== input.IfMatch) {
        throw new ServiceFault(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          412,
        );
      }
    }
    const o = this.put(b, String(input.Key), input, ctx.now());
    return {
      ETag: o.ETag,
      VersionId: o.VersionId,
      ServerSideEncryption: o.ServerSideEncryption,
      SSEKMSKeyId: o.SSEKMSKeyId,
      ChecksumSHA256: o.ChecksumSHA256,
    };
  }

  /** Returns the Body as a Buffer; the boundary turns it into a stream (JS) or a string (Step Functions). */
  GetObject(ctx: S3Ctx, input: Input): Record<string, unknown> {
    const o = this.object(this.bucket(ctx, input.Bucket), input);
    const out = this.head(o);
    if (input.ChecksumMode === 'ENABLED') out.ChecksumSHA256 = o.ChecksumSHA256;
    const size = o.Body.length;
    if (input.Range === undefined) return { ...out, Body: o.Body };
    const m = /^bytes=(\d*)-(\d*)$/.exec(String(input.Range));
    if (!m || (m[1] === '' && m[2] === ''))
      throw new ServiceFault('InvalidRange', `Invalid range ${String(input.Range)}`, 416, false);
    let start: number;
    let end: number;
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    }
    if (start >= size || start > end)
      throw new ServiceFault('InvalidRange', 'The requested range is not satisfiable', 416, false);
    const body = o.Body.subarray(start, end + 1);
    delete out.ChecksumSHA256;
    return {
      ...out,
      Body: Buffer.from(body),
      ContentLength: body.length,
      ContentRange: `bytes ${start}-${end}/${size}`,
    };
  }

  HeadObject(ctx: S3Ctx, input: Input): unknown {
    try {
      const o = this.object(this.bucket(ctx, input.Bucket), input);
      const out = this.head(o);
      if (input.ChecksumMode === 'ENABLED') out.ChecksumSHA256 = o.ChecksumSHA256;
      return out;
    } catch (e) {
      // HEAD has no body: the JS SDK can only report the status, as `NotFound`.
      if (e instanceof ServiceFault && e.name === 'NoSuchKey') throw new ServiceFault('NotFound', e.message, 404);
      throw e;
    }
  }

  ListObjectsV2(ctx: S3Ctx, input: Input): unknown {
    this.listCalls += 1;
    const b = this.bucket(ctx, input.Bucket);
    const max = input.MaxKeys === undefined ? 1000 : Math.min(1000, Number(input.MaxKeys));
    const prefix = (input.Prefix as string | undefined) ?? '';
    let after = (input.StartAfter as string | undefined) ?? '';
    if (input.ContinuationToken !== undefined) {
      after = Buffer.from(String(input.ContinuationToken), 'base64').toString('utf8');
    }
    const keys = [...b.objects.keys()]
      .filter((k) => k.startsWith(prefix) && k > after)
      .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const page = keys.slice(0, max);
    const truncated = keys.length > max;
    return {
      Name: b.name,
      Prefix: input.Prefix,
      StartAfter: input.StartAfter,
      ContinuationToken: input.ContinuationToken,
      MaxKeys: max,
      KeyCount: page.length,
      IsTruncated: truncated,
      NextContinuationToken: truncated ? Buffer.from(page[page.length - 1], 'utf8').toString('base64') : undefined,
      Contents: page.map((k) => {
        const versions = b.objects.get(k)!;
        const o = versions[versions.length - 1];
        return {
          Key: k,
          LastModified: o.LastModified,
          ETag: o.ETag,
          Size: o.Body.length,
          StorageClass: 'STANDARD',
          ChecksumAlgorithm: o.ChecksumSHA256 ? ['SHA256'] : undefined,
        };
      }),
    };
  }

  GetObjectAttributes(ctx: S3Ctx, input: Input): unknown {
    const o = this.object(this.bucket(ctx, input.Bucket), input);
    const wanted = (input.ObjectAttributes as string[] | undefined) ?? [];
    if (wanted.length === 0)
      throw new ServiceFault('InvalidArgument', 'ObjectAttributes must name at least one attribute', 400, false);
    return {
      LastModified: o.LastModified,
      VersionId: o.VersionId,
      ETag: wanted.includes('ETag') ? o.ETag.replace(/"/g, '') : undefined,
      Checksum: wanted.includes('Checksum') && o.ChecksumSHA256 ? { ChecksumSHA256: o.ChecksumSHA256 } : undefined,
      ObjectSize: wanted.includes('ObjectSize') ? o.Body.length : undefined,
      StorageClass: wanted.includes('StorageClass') ? 'STANDARD' : undefined,
    };
  }
}
