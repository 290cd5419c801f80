import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunnerArgs } from '../../../functions/restore-runner/options';
import { sortRestoreErrors } from '../../../functions/restore-runner/pg-restore';
import { majorOf, preflight } from '../../../functions/restore-runner/preflight';
import { restoreReportKey } from '../../../functions/restore-runner/report';
import { fetchDump, SourceError } from '../../../functions/restore-runner/source';
import { createdAtOf, parseDatabaseUrl, restoreDatabaseName } from '../../../functions/restore-runner/target';
import { InvalidInputError } from '../../../functions/shared/errors';
import { parsePlan } from '../../../lib/plan';
import { entmootEntries, writeCustomDump } from '../../support/dump-writer';

const IGNORABLE = parsePlan({}).workload.dumpRestore.ignorableExtensions;

/** pg_restore 15's stderr for a dump of an RDS database restored elsewhere, in its own words. */
const RDS_STDERR = [
  'pg_restore: while PROCESSING TOC:',
  'pg_restore: from TOC entry 2; 3079 16385 EXTENSION aws_s3 (no owner)',
  'pg_restore: error: could not execute query: ERROR:  extension "aws_s3" is not available',
  'DETAIL:  Could not open extension control file "/usr/share/postgresql/15/extension/aws_s3.control": No such file or directory.',
  'HINT:  The extension must first be installed on the system where PostgreSQL is running.',
  'Command was: CREATE EXTENSION IF NOT EXISTS aws_s3 WITH SCHEMA public;',
  '',
  '',
  'pg_restore: from TOC entry 4350; 0 0 COMMENT EXTENSION aws_s3 ',
  'pg_restore: error: could not execute query: ERROR:  extension "aws_s3" does not exist',
  "Command was: COMMENT ON EXTENSION aws_s3 IS 'AWS S3 extension for importing data from S3';",
  '',
  '',
].join('\n');

describe('sorting what pg_restore reports', () => {
  it("counts errors only about the plan's ignorable extensions as warnings", () => {
    const sorted = sortRestoreErrors(`${RDS_STDERR}pg_restore: warning: errors ignored on restore: 2\n`, IGNORABLE);
    expect(sorted).toEqual({
      errors: [],
      warnings: [
        'could not execute query: ERROR: extension "aws_s3" is not available (TOC entry 2; 3079 16385 EXTENSION aws_s3 (no owner)) Command was: CREATE EXTENSION IF NOT EXISTS aws_s3 WITH SCHEMA public;',
        'could not execute query: ERROR: extension "aws_s3" does not exist (TOC entry 4350; 0 0 COMMENT EXTENSION aws_s3) Command was: COMMENT ON EXTENSION aws_s3 IS \'AWS S3 extension for importing data from S3\';',
      ],
      runnerErrors: [],
      errorCount: 2,
    });
  });

  it('lists any other error as an error of the backup', () => {
    const stderr = `${RDS_STDERR}pg_restore: from TOC entry 4210; 0 16390 TABLE DATA public buildings postgres
pg_restore: error: COPY failed for table "buildings": ERROR:  invalid input syntax for type integer: "x"
CONTEXT:  COPY buildings, line 3, column id: "x"
pg_restore: warning: errors ignored on restore: 3
`;
    const sorted = sortRestoreErrors(stderr, IGNORABLE);
    expect(sorted.errors).toEqual([
      'COPY failed for table "buildings": ERROR: invalid input syntax for type integer: "x" (TOC entry 4210; 0 16390 TABLE DATA public buildings postgres)',
    ]);
    expect([sorted.warnings.length, sorted.errorCount]).toEqual([2, 3]);
  });

  it('does not take an extension whose name merely contains an ignorable one as ignorable', () => {
    const stderr =
      'pg_restore: from TOC entry 3; 3079 1 EXTENSION aws_s3_extra (no owner)\npg_restore: error: could not execute query: ERROR:  extension "aws_s3_extra" is not available\n';
    expect(sortRestoreErrors(stderr, IGNORABLE).errors).toHaveLength(1);
  });

  it.each([
    [
      'a full disk',
      'pg_restore: error: could not execute query: ERROR:  could not extend file "base/16384/16385": No space left on device',
    ],
    ['a lost connection', 'pg_restore: error: could not execute query: server closed the connection unexpectedly'],
    ['memory', 'pg_restore: error: could not execute query: ERROR:  out of memory'],
  ])('takes %s as the runner failing, not the backup', (_what, line) => {
    const sorted = sortRestoreErrors(
      `pg_restore: from TOC entry 9; 0 1 TABLE DATA public buildings postgres\n${line}\n`,
      IGNORABLE,
    );
    expect([sorted.runnerErrors.length, sorted.errors.length]).toEqual([1, 0]);
  });
});

describe('the pre-flight version check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edr-preflight-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const plan = parsePlan({});

  function dump(version: string, dumpVersion: string): string {
    const file = join(dir, `${version}-${dumpVersion}.dump`);
    writeFileSync(
      file,
      writeCustomDump({ version, dumpVersion, serverVersion: dumpVersion, entries: entmootEntries() }),
    );
    return file;
  }

  it('refuses a dump from a newer pg_dump as the runner failing, naming the plan field', async () => {
    const result = await preflight(
      dump('1.16', '17.2'),
      'f',
      'entmoot-prod',
      plan,
      'pg_restore (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)',
    );
    expect(result.outcome).toBe('runner-failed');
    expect(result.results.at(-1)).toEqual({
      check: 'dump-version',
      target: 'entmoot-prod',
      status: 'FAIL',
      observed: '17.2',
      threshold: 'at most 15',
      detail:
        "the dump was written by pg_dump 17.2 (archive 1.16), newer than this runner's pg_restore (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1), which cannot read it: set workload.dumpRestore.postgresMajor to 17 or more in the plan and redeploy",
    });
  });

  it('goes on to restore a dump from the same or an older major', async () => {
    const result = await preflight(dump('1.15', '16.4'), 'f', 'entmoot-prod', plan, 'pg_restore (PostgreSQL) 16.4');
    expect(result.outcome).toBe('restore');
  });

  it('reads the major of version strings old and new', () => {
    expect([
      majorOf('pg_restore (PostgreSQL) 15.8'),
      majorOf('17.2 (Debian 17.2-1)'),
      majorOf('9.6.24'),
      majorOf(null),
    ]).toEqual([15, 17, 9.6, null]);
  });
});

describe("the runner's arguments", () => {
  it('takes each flag from its EDR_* variable when absent, the flag winning when both are given', () => {
    const options = parseRunnerArgs(['--jobs', '3'], {
      EDR_SOURCE: 's3://b/latest.sql',
      EDR_JOBS: '9',
      EDR_DEADLINE_SECONDS: '5400',
      EDR_REPORT_BUCKET: 'evidence',
      EDR_EXECUTION: 'dump-restore-test-202612010800',
      EDR_DATABASE: 'entmoot-prod',
    });
    expect(options).toMatchObject({
      source: 's3://b/latest.sql',
      jobs: 3,
      deadlineSeconds: 5400,
      reportBucket: 'evidence',
      reportKey: 'restore-reports/dump-restore-test-202612010800/entmoot-prod.json',
    });
  });

  it.each([
    [
      ['f', '--report-bucket', 'b'],
      '--report-bucket needs --report-key, or --execution and --database (the key is then restore-reports/<execution>/<database>.json)',
    ],
    [['f', '--report-key', 'k'], '--report-key needs --report-bucket'],
    [['s3://bucket-only'], '"s3://bucket-only" is not s3://bucket/key'],
    [
      ['f', '--reference-time', 'yesterday'],
      '--reference-time must be an ISO 8601 time such as 2026-11-01T05:00:00Z, got "yesterday"',
    ],
    [['f', '--database-url', 'mysql://x'], '--database-url must be postgres://user[:password]@host[:port]/database'],
  ])('refuses %j', (args, message) => {
    expect(() => parseRunnerArgs(args, {})).toThrow(new InvalidInputError(message));
  });
});

describe('names and keys', () => {
  it("puts each database's report under its execution", () => {
    expect(restoreReportKey('run-1', 'entmoot-prod')).toBe('restore-reports/run-1/entmoot-prod.json');
    expect(() => restoreReportKey('run/1', 'entmoot-prod')).toThrow(InvalidInputError);
  });

  it('dates a restore database by its name, and only its own names', () => {
    const name = restoreDatabaseName(new Date('2026-12-01T08:03:59Z'), 'c0ffee00');
    expect(name).toBe('edr_restore_202612010803_c0ffee00');
    expect(createdAtOf(name)).toEqual(new Date('2026-12-01T08:03:00Z'));
    expect(createdAtOf('edr_restore_important')).toBeUndefined();
  });

  it('allows sslmode=disable only for a loopback --database-url', () => {
    expect(parseDatabaseUrl('postgres://u:p%40ss@127.0.0.1:5433/db?sslmode=disable', {})).toEqual({
      host: '127.0.0.1',
      port: 5433,
      user: 'u',
      password: 'p@ss',
      tls: 'disable',
      adminDatabase: 'db',
    });
    expect(() => parseDatabaseUrl('postgres://u@db.example.com/db?sslmode=disable', {})).toThrow(
      'sslmode=disable is allowed only for a loopback host, not db.example.com: remove it',
    );
  });
});

describe("the plan's ignorable extensions", () => {
  it('defaults to the RDS-only extensions and refuses what is no extension name', () => {
    expect(parsePlan({}).workload.dumpRestore.ignorableExtensions).toEqual([
      'aws_commons',
      'aws_s3',
      'aws_lambda',
      'rds_tools',
    ]);
    expect(() => parsePlan({ workload: { dumpRestore: { ignorableExtensions: ['aws s3'] } } })).toThrow(
      expect.objectContaining({
        issues: [
          'plan.workload.dumpRestore.ignorableExtensions[0]: must be an extension name such as aws_s3 (got "aws s3")',
        ],
      }),
    );
  });
});

describe('fetching an s3:// dump', () => {
  const work = mkdtempSync(join(tmpdir(), 'edr-source-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const location = 's3://entmoot-prod-backups/latest.sql';

  /** A hand-written S3 client: HeadObject answers `head` (or throws it), nothing else is expected. */
  function fakeS3(head: object | Error, credentials: () => Promise<unknown> = async () => ({ accessKeyId: 'a' })) {
    const calls: string[] = [];
    const send = async (command: { constructor: { name: string } }) => {
      calls.push(command.constructor.name);
      if (command.constructor.name !== 'HeadObjectCommand') throw new Error(`unexpected ${command.constructor.name}`);
      if (head instanceof Error) throw head;
      return head;
    };
    return { s3: { send, config: { credentials, region: async () => 'us-east-1' } } as never, calls };
  }
  const s3Error = (name: string, status: number, headers: Record<string, string> = {}) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, $response: { headers } });

  async function failure(deps: Parameters<typeof fetchDump>[2]): Promise<SourceError> {
    const error = await fetchDump(location, work, deps, new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }

  it('does not download an object larger than the free disk, and names the plan field to raise', async () => {
    const { s3, calls } = fakeS3({ ContentLength: 10 * 1024 ** 3, LastModified: new Date(), ETag: '"e"' });
    const error = await failure({ s3, now: Date.now, freeBytes: () => 4 * 1024 ** 3 });
    expect([error.kind, calls]).toEqual(['runner-failed', ['HeadObjectCommand']]);
    expect(error.message).toBe(
      `${location} is 10,737,418,240 bytes and ${work} has 4,294,967,296 bytes free (256 MiB kept back): give the task more ephemeral storage (workload.dumpRestore.ephemeralStorageGiB)`,
    );
  });

  it("says a bucket in another region is out of a gateway endpoint's reach", async () => {
    const { s3 } = fakeS3(s3Error('PermanentRedirect', 301, { 'x-amz-bucket-region': 'eu-west-1' }));
    const error = await failure({ s3, now: Date.now });
    expect(error.kind).toBe('runner-failed');
    expect(error.message).toMatch(
      /^s3:\/\/entmoot-prod-backups\/latest\.sql is in eu-west-1, not in this runner's region us-east-1: a gateway endpoint reaches only its own region's buckets/,
    );
  });

  it('takes missing credentials as a configuration error', async () => {
    const { s3, calls } = fakeS3({}, async () => {
      throw new Error('Could not load credentials from any providers');
    });
    const error = await failure({ s3, now: Date.now });
    expect([error.kind, error.message, calls]).toEqual([
      'usage',
      `no AWS credentials to read ${location} (Could not load credentials from any providers): set a profile or credentials`,
      [],
    ]);
  });

  it("takes HEAD's bare 404 as the backup missing", async () => {
    const { s3 } = fakeS3(s3Error('NotFound', 404));
    expect((await failure({ s3, now: Date.now })).kind).toBe('bad-backup');
  });
});
