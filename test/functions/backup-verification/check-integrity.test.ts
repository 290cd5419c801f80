import { GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { checkDumpIntegrity, type DumpIntegrityPlan } from '../../../functions/backup-verification/check-integrity';
import { bufferRangeReader, readDumpToc } from '../../../functions/backup-verification/dump-reader';
import type { CheckResult } from '../../../functions/shared/check-result';
import { ThrottledError } from '../../../functions/shared/errors';
import { drPlanSchema } from '../../../lib/plan';
import { entmootEntries, type WriterEntry, writeCustomDump } from '../../support/dump-writer';

const s3Mock = mockClient(S3Client);
const target = { bucket: 'entmoot-prod-backups', key: 'latest.sql' };
const where = 's3://entmoot-prod-backups/latest.sql';
const now = new Date('2025-11-10T06:00:00Z');
const written = new Date('2025-11-10T03:20:00Z');

function plan(overrides: { requiredTables?: string[]; maxDumpSkewHours?: number } = {}): DumpIntegrityPlan {
  return {
    backups: {
      requiredTables: overrides.requiredTables ?? ['buildings', 'projects', 'optimizations'],
      verification: {
        maxAgeHours: 24,
        warnAtFraction: 0.8,
        minBackupCount: 20,
        minDumpBytes: 100_000_000,
        maxDumpSkewHours: overrides.maxDumpSkewHours ?? 24,
      },
    },
    buckets: [
      {
        name: 'entmoot-prod-backups',
        role: 'backups',
        sampleKeys: [],
        kmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/plan-key',
      },
    ],
  };
}

/** Serves `dump` from the mock: HeadObject, ranged GetObject (recording each Range), GetObjectAttributes. */
function serve(dump: Uint8Array, head: Record<string, unknown> = {}): string[] {
  const ranges: string[] = [];
  s3Mock.on(HeadObjectCommand).resolves({
    ContentLength: dump.length,
    LastModified: written,
    ETag: '"etag-1"',
    ServerSideEncryption: 'AES256',
    ...head,
  });
  s3Mock.on(GetObjectCommand).callsFake((input: { Range?: string }) => {
    ranges.push(input.Range ?? '');
    const m = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
    if (!m) throw new Error(`not a ranged GET: ${input.Range}`);
    const bytes = dump.subarray(Number(m[1]), Number(m[2]) + 1);
    return { Body: { transformToByteArray: async () => bytes }, ContentLength: bytes.length };
  });
  s3Mock
    .on(GetObjectAttributesCommand)
    .resolves({ Checksum: { ChecksumCRC32C: 'q8Rz1A==', ChecksumType: 'FULL_OBJECT' }, ObjectSize: dump.length });
  return ranges;
}

const awsError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const byCheck = (results: CheckResult[]): Record<string, CheckResult> =>
  Object.fromEntries(results.map((r) => [r.check, r]));
const deps = () => ({ s3: new S3Client({ region: 'us-east-1' }), now: () => now });
const complete = () => writeCustomDump({ version: '1.14', entries: entmootEntries() });

beforeEach(() => {
  s3Mock.reset();
});

describe('checkDumpIntegrity', () => {
  it('passes a complete dump with every required table, reading only its header, TOC and last bytes', async () => {
    const dump = complete();
    const ranges = serve(dump);
    const toc = await readDumpToc(bufferRangeReader(dump));

    const results = await checkDumpIntegrity(target, plan(), deps());

    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['dump-format', 'PASS'],
      ['dump-tables', 'PASS'],
      ['dump-completeness', 'PASS'],
      ['dump-created', 'PASS'],
    ]);
    expect(results.every((r) => r.target === where)).toBe(true);
    expect(ranges).toEqual([
      `bytes=0-${dump.length - 1}`,
      `bytes=${dump.length - 5}-${dump.length - 1}`,
      expect.stringMatching(/^bytes=\d+-\d+$/),
    ]);
    expect(byCheck(results)['dump-format'].detail).toContain(`in 3 ranged reads`);
    expect(byCheck(results)['dump-format'].detail).toContain('stored checksum CRC32C FULL_OBJECT q8Rz1A==');
    expect(byCheck(results)['dump-tables']).toMatchObject({ observed: 3, threshold: 3 });
    expect(toc.tocEnd).toBeLessThan(dump.length);
  });

  it('reports the bytes read against the object size', async () => {
    const data = 'y'.repeat(500) + '\n';
    const entries: WriterEntry[] = entmootEntries().map((e) =>
      e.desc === 'TABLE DATA' ? { ...e, data: data.repeat(5000) } : e,
    );
    const dump = writeCustomDump({ version: '1.16', entries });
    serve(dump);

    const results = await checkDumpIntegrity(target, plan(), { ...deps(), blockSize: 1024 });

    const detail = byCheck(results)['dump-format'].detail;
    const [, read, size] = /read ([\d,]+) of ([\d,]+) bytes/.exec(detail) ?? [];
    expect(Number(size.replace(/,/g, ''))).toBe(dump.length);
    expect(Number(read.replace(/,/g, ''))).toBeLessThan(4096);
  });

  it('pins every ranged read to the ETag HeadObject saw', async () => {
    serve(complete());

    await checkDumpIntegrity(target, plan(), deps());

    expect(s3Mock.commandCalls(GetObjectCommand).every((c) => c.args[0].input.IfMatch === '"etag-1"')).toBe(true);
  });

  it('fails a schema-only dump, naming the tables without data', async () => {
    serve(writeCustomDump({ version: '1.14', entries: entmootEntries({ withData: false }) }));

    const tables = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-tables'];

    expect(tables.status).toBe('FAIL');
    expect(tables.detail).toContain(
      'no TABLE DATA for public.buildings, public.projects, public.optimizations (a schema-only dump: pg_dump -s?)',
    );
    expect(tables.observed).toBe(0);
  });

  it('fails a dump missing a required table', async () => {
    serve(complete());

    const tables = byCheck(
      await checkDumpIntegrity(target, plan({ requiredTables: ['buildings', 'invoices'] }), deps()),
    )['dump-tables'];

    expect(tables).toMatchObject({ status: 'FAIL', observed: 1, threshold: 2 });
    expect(tables.detail).toMatch(/^no TABLE entry for invoices/);
  });

  it('fails a dump cut short before its last data blocks, naming their tables, without reading data', async () => {
    const dump = complete();
    const toc = await readDumpToc(bufferRangeReader(dump));
    const projects = toc.entries.find((e) => e.desc === 'TABLE DATA' && e.tag === 'projects');
    const ranges = serve(dump.subarray(0, (projects?.offset as number) + 4));

    const results = byCheck(await checkDumpIntegrity(target, plan(), deps()));

    expect(results['dump-completeness'].status).toBe('FAIL');
    expect(results['dump-completeness'].detail).toContain(
      'before the data blocks of public.projects, public.optimizations (2 of 3 blocks',
    );
    expect(ranges).toHaveLength(1);
  });

  it('fails a dump cut short inside its last data block by its missing end-of-data marker', async () => {
    const dump = complete();
    serve(dump.subarray(0, dump.length - 8));

    const completeness = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-completeness'];

    expect(completeness.status).toBe('FAIL');
    expect(completeness.detail).toMatch(
      /inside a data block of public\.optimizations \(from offset [\d,]+\): its last bytes \([0-9a-f ]+\) are not the end-of-data marker/,
    );
  });

  it('fails a dump that ends where its TOC ends although the TOC announces data', async () => {
    const dump = complete();
    const toc = await readDumpToc(bufferRangeReader(dump));
    serve(dump.subarray(0, toc.tocEnd));

    const completeness = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-completeness'];

    expect(completeness.status).toBe('FAIL');
    expect(completeness.detail).toContain('none of its 3 data blocks were written');
  });

  it('fails a data offset that points at another block', async () => {
    const entries = entmootEntries();
    const good = writeCustomDump({ version: '1.14', entries });
    const toc = await readDumpToc(bufferRangeReader(good));
    const last = toc.entries.filter((e) => e.dataState === 'set').pop();
    const bad = Buffer.from(good);
    bad[(last?.offset as number) + 2] ^= 0x7f; // corrupt the dump id of the last block's header

    serve(bad);
    const completeness = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-completeness'];

    expect(completeness.status).toBe('FAIL');
    expect(completeness.detail).toMatch(/points at block type 1 of dump id \d+, not its data block \(dump id 4003\)/);
  });

  it('warns that completeness is not provable for a dump written to a pipe (no offsets)', async () => {
    serve(writeCustomDump({ version: '1.14', entries: entmootEntries(), offsetsSet: false }));

    const completeness = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-completeness'];

    expect(completeness.status).toBe('WARN');
    expect(completeness.detail).toMatch(/^completeness not provable without offsets: 3 of 3 data blocks/);
  });

  it('fails a piped dump cut inside a data block even without offsets', async () => {
    const dump = writeCustomDump({ version: '1.14', entries: entmootEntries(), offsetsSet: false });
    serve(dump.subarray(0, dump.length - 20));

    expect(byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-completeness'].status).toBe('FAIL');
  });

  it('passes the completeness of an archive with no data that ends at its TOC', async () => {
    serve(writeCustomDump({ version: '1.14', entries: entmootEntries({ withData: false }) }));

    expect(byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-completeness'].status).toBe('PASS');
  });

  it('fails a file that is not a custom-format dump with the reader message, and judges nothing else', async () => {
    serve(Buffer.from('--\n-- PostgreSQL database dump\n--\n'));

    const results = await checkDumpIntegrity(target, plan(), deps());

    expect(results).toEqual([
      {
        check: 'dump-format',
        target: where,
        status: 'FAIL',
        observed: null,
        threshold: null,
        detail: `${where} is not a usable pg_dump archive: plain SQL dump, not custom format: restore with psql or re-dump with pg_dump -Fc`,
      },
    ]);
  });

  it('fails an empty object', async () => {
    serve(new Uint8Array(0));

    const [format] = await checkDumpIntegrity(target, plan(), deps());

    expect(format.detail).toContain('empty object (0 bytes)');
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  describe('dump-created', () => {
    const at = (year: number, month: number, day: number, hour: number) => ({
      year,
      month,
      day,
      hour,
      minute: 0,
      second: 0,
    });

    it('warns when the dump was created longer before its upload than the plan allows in any time zone', async () => {
      serve(writeCustomDump({ version: '1.14', entries: entmootEntries(), createdAt: at(2025, 11, 8, 12) }));

      const created = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-created'];

      expect(created).toMatchObject({ status: 'WARN', observed: 39.3, threshold: 24 });
      expect(created.detail).toContain("at least 27.3 h in any time zone, more than the plan's 24 h");
    });

    it('passes a skew that an unknown host time zone could explain', async () => {
      serve(writeCustomDump({ version: '1.14', entries: entmootEntries(), createdAt: at(2025, 11, 9, 0) }));

      const created = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-created'];

      expect(created).toMatchObject({ status: 'PASS', observed: 27.3 });
      expect(created.detail).toContain("the dumping host's local time");
    });

    it('warns when the dump claims to be created after its upload in every time zone', async () => {
      serve(writeCustomDump({ version: '1.14', entries: entmootEntries(), createdAt: at(2025, 11, 11, 18) }));

      const created = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-created'];

      expect(created.status).toBe('WARN');
      expect(created.detail).toContain("the dumping host's clock is wrong");
    });
  });

  describe('checksum', () => {
    it('passes and says so when the object has no stored checksum', async () => {
      serve(complete());
      s3Mock.on(GetObjectAttributesCommand).resolves({ ObjectSize: 10 });

      const format = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-format'];

      expect(format.status).toBe('PASS');
      expect(format.detail).toContain('no stored checksum');
    });

    it('passes when the role may not read object attributes', async () => {
      serve(complete());
      s3Mock.on(GetObjectAttributesCommand).rejects(awsError('AccessDenied', 403));

      const format = byCheck(await checkDumpIntegrity(target, plan(), deps()))['dump-format'];

      expect(format.status).toBe('PASS');
      expect(format.detail).toContain('stored checksum not read: the role lacks s3:GetObjectAttributes');
    });
  });

  describe('AWS errors', () => {
    it('fails naming s3:GetObject when HeadObject is forbidden', async () => {
      s3Mock.on(HeadObjectCommand).rejects(awsError('Forbidden', 403, 'UnknownError'));

      const [format] = await checkDumpIntegrity(target, plan(), deps());

      expect(format).toMatchObject({ check: 'dump-format', status: 'FAIL' });
      expect(format.detail).toBe(
        `HeadObject on ${where} was denied: the function's role needs s3:GetObject on arn:aws:s3:::entmoot-prod-backups/latest.sql`,
      );
    });

    it('fails naming kms:Decrypt and the key when a ranged read of an SSE-KMS object is denied', async () => {
      serve(complete(), {
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:us-east-1:000000000000:key/object-key',
      });
      s3Mock.on(GetObjectCommand).rejects(awsError('AccessDenied', 403));

      const [format] = await checkDumpIntegrity(target, plan(), deps());

      expect(format.status).toBe('FAIL');
      expect(format.detail).toContain(
        'needs s3:GetObject on arn:aws:s3:::entmoot-prod-backups/latest.sql and kms:Decrypt on arn:aws:kms:us-east-1:000000000000:key/object-key',
      );
    });

    it('names only s3:GetObject when a ranged read of an object without SSE-KMS is denied', async () => {
      serve(complete());
      s3Mock.on(GetObjectCommand).rejects(awsError('AccessDenied', 403));

      const [format] = await checkDumpIntegrity(target, plan(), deps());

      expect(format.detail).toMatch(/needs s3:GetObject on arn:aws:s3:::entmoot-prod-backups\/latest\.sql$/);
    });

    it('fails when there is no object at the key', async () => {
      s3Mock.on(HeadObjectCommand).rejects(awsError('NotFound', 404));

      const [format] = await checkDumpIntegrity(target, plan(), deps());

      expect(format.detail).toContain(`no object at ${where}`);
    });

    it('throws ThrottledError when ranged reads stay throttled after retries', async () => {
      serve(complete());
      s3Mock.on(GetObjectCommand).rejects(awsError('SlowDown', 503));

      await expect(checkDumpIntegrity(target, plan(), deps())).rejects.toBeInstanceOf(ThrottledError);
    });

    it('throws ThrottledError when HeadObject stays throttled after retries', async () => {
      s3Mock.on(HeadObjectCommand).rejects(awsError('ThrottlingException', 400));

      await expect(checkDumpIntegrity(target, plan(), deps())).rejects.toThrow(
        's3:HeadObject on s3://entmoot-prod-backups/latest.sql was throttled after retries',
      );
    });

    it('warns when the object is replaced while it is being read', async () => {
      serve(complete());
      s3Mock.on(GetObjectCommand).rejects(awsError('PreconditionFailed', 412));

      const [format] = await checkDumpIntegrity(target, plan(), deps());

      expect(format).toMatchObject({
        status: 'WARN',
        detail: `${where} was replaced while it was being read: run the check again`,
      });
    });

    it('rethrows an unexpected AWS error as it is', async () => {
      serve(complete());
      s3Mock.on(GetObjectCommand).rejects(awsError('InternalError', 500));

      await expect(checkDumpIntegrity(target, plan(), deps())).rejects.toMatchObject({ name: 'InternalError' });
    });
  });

  it('accepts the plan the schema produces', async () => {
    serve(complete());
    const parsed = drPlanSchema.parse({});

    const results = await checkDumpIntegrity(target, parsed, deps());

    expect(results.map((r) => r.status)).toEqual(['PASS', 'PASS', 'PASS', 'PASS']);
  });
});
