import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, main } from '../../bin/cli';
import { STATIC_CREDENTIALS, startTlsPostgres, VALIDATOR_USER, type TlsPostgres } from '../support/tls-postgres';

const ROOT = join(__dirname, '..', '..');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n').split('\n') };
}

const AWS_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/** Runs `body` with only the given AWS variables set (no profile files, no instance metadata: no network). */
async function withAwsEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(AWS_VARIABLES.map((k) => [k, process.env[k]]));
  for (const k of AWS_VARIABLES) delete process.env[k];
  Object.assign(process.env, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    ...vars,
  });
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('entmoot-dr validate', () => {
  let pg: TlsPostgres;
  const dir = mkdtempSync(join(tmpdir(), 'edr-cli-validate-'));
  const url = (database: string, password: string = pg.token, host: string = pg.host) =>
    `postgres://${VALIDATOR_USER}:${encodeURIComponent(password)}@${host}:${pg.port}/${database}`;

  beforeAll(async () => {
    pg = await startTlsPostgres();
    await pg.createDatabase('edr_cli_healthy');
    await pg.createDatabase('edr_cli_empty');
    const admin = await pg.admin('edr_cli_empty');
    await admin.query('DELETE FROM optimizations');
    await admin.end();
  });

  afterAll(() => {
    pg?.stop();
  });

  describe('exit 0: no FAIL', () => {
    it('prints a table of every check over TLS verify-full with the given CA', async () => {
      const { code, out } = await run(['validate', url('edr_cli_healthy'), '--ca-file', pg.caFile]);
      expect(code).toBe(EXIT.ok);
      expect(out.split('\n')[0]).toMatch(/^check\s+status\s+observed\s+threshold\s+detail$/);
      expect(out).toMatch(/^required_tables\s+PASS\s+3\s+all of buildings, projects, optimizations/m);
      expect(out.split('\n').at(-1)).toBe('10 checks: 10 passed, 0 failed');
      expect(out).not.toContain(pg.token);
    });

    it('connects without TLS when the URL asks sslmode=disable for a loopback host', async () => {
      const { code } = await run([
        'validate',
        `postgres://postgres@localhost:${pg.port}/edr_cli_healthy?sslmode=disable`,
      ]);
      expect(code).toBe(EXIT.ok);
    });
  });

  describe('exit 1: a FAIL', () => {
    it('prints the results as JSON with --json', async () => {
      const { code, out } = await run([
        'validate',
        url('edr_cli_empty'),
        '--ca-file',
        pg.caFile,
        '--json',
        '--reference-time',
        new Date().toISOString(),
      ]);
      expect(code).toBe(EXIT.problem);
      const parsed = JSON.parse(out) as { target: string; results: { check: string; status: string }[] };
      expect(parsed.target).toBe(`127.0.0.1:${pg.port}/edr_cli_empty`);
      expect(parsed.results.filter((r) => r.status === 'FAIL').map((r) => r.check)).toEqual(['optimization_count']);
    });
  });

  describe('exit 2: usage or configuration, before any connection', () => {
    const badPlan = join(dir, 'bad-plan.json');
    writeFileSync(badPlan, JSON.stringify({ backups: { validation: { statementTimeoutSeconds: 0 } } }));
    const notPem = join(dir, 'not-a-cert.pem');
    writeFileSync(notPem, 'hello');

    it.each([
      [['--port', '5432'], 'entmoot-dr validate: give a postgres:// URL, or --host and --user'],
      [['--hots', 'x'], 'entmoot-dr validate: unknown option --hots'],
      [
        ['postgres://dr_validator@db.example.com/entmoot?sslmode=require'],
        'entmoot-dr validate: sslmode=require does not verify the server: leave sslmode out (verify-full is the default)',
      ],
      [
        ['postgres://dr_validator@db.example.com/entmoot?sslmode=no-verify'],
        'entmoot-dr validate: sslmode=no-verify does not verify the server: leave sslmode out (verify-full is the default)',
      ],
      [
        ['postgres://dr_validator@db.example.com/entmoot?sslmode=disable'],
        'entmoot-dr validate: sslmode=disable is allowed only for a loopback host, not db.example.com: remove it',
      ],
      [
        ['postgres://db.example.com/entmoot'],
        'entmoot-dr validate: the database URL names no user: postgres://USER@host/database',
      ],
      [
        ['mysql://u@db.example.com/x'],
        'entmoot-dr validate: the database URL must start with postgres:// or postgresql://, not mysql://',
      ],
      [
        ['postgres://u@db.example.com/x', '--host', 'h'],
        'entmoot-dr validate: --host cannot be combined with a URL: put it in the URL',
      ],
      [
        ['postgres://u@db.example.com/x', '--ca-file', '/nonexistent/ca.pem'],
        'entmoot-dr validate: cannot read the CA file /nonexistent/ca.pem (ENOENT): check --ca-file',
      ],
      [
        ['postgres://u@db.example.com/x', '--reference-time', 'yesterday'],
        'entmoot-dr validate: --reference-time must be an ISO 8601 time such as 2026-11-01T05:00:00Z, got "yesterday"',
      ],
      [
        ['--host', 'h', '--user', 'u', '--port', '99999', '--region', 'us-east-1'],
        'entmoot-dr validate: --port must be a port from 1 to 65535, got "99999"',
      ],
    ])('%j: one line naming the problem, then the usage', async (args, line) => {
      const { code, err } = await run(['validate', ...args]);
      expect(code).toBe(EXIT.usage);
      expect(err[0]).toBe(line);
      expect(err[1]).toMatch(/^usage: entmoot-dr validate </);
      expect(err).toHaveLength(2);
    });

    it('refuses a CA file that holds no PEM certificate', async () => {
      const { code, err } = await run(['validate', 'postgres://u@db.example.com/x', '--ca-file', notPem]);
      expect(code).toBe(EXIT.usage);
      expect(err[0]).toBe(
        `entmoot-dr validate: the CA file ${notPem} holds no PEM certificate: pass the RDS bundle (global-bundle.pem) or your CA`,
      );
    });

    it('prints each bad plan field on its own line', async () => {
      const { code, err } = await run(['validate', 'postgres://u@db.example.com/x', '--plan', badPlan]);
      expect(code).toBe(EXIT.usage);
      expect(err).toEqual([
        'entmoot-dr validate: plan.backups.validation.statementTimeoutSeconds: must be greater than 0 (got 0)',
      ]);
    });

    it('needs a region to sign the token for --host', async () => {
      const { code, err } = await withAwsEnv({}, () => run(['validate', '--host', 'h', '--user', 'u']));
      expect(code).toBe(EXIT.usage);
      expect(err[0]).toBe('entmoot-dr validate: no region to sign the IAM token for: pass --region or set AWS_REGION');
    });

    it('needs AWS credentials to sign the token for --host', async () => {
      const { code, err } = await withAwsEnv({}, () =>
        run([
          'validate',
          '--host',
          pg.host,
          '--port',
          String(pg.port),
          '--user',
          VALIDATOR_USER,
          '--region',
          'us-east-1',
        ]),
      );
      expect(code).toBe(EXIT.usage);
      expect(err[0]).toMatch(
        /^entmoot-dr validate: no AWS credentials to sign the IAM token \(.+\): set a profile or credentials$/,
      );
    });
  });

  describe('exit 3: the database could not be reached', () => {
    it('names a refused connection', async () => {
      const { code, err } = await run([
        'validate',
        `postgres://${VALIDATOR_USER}:x@127.0.0.1:1/entmoot`,
        '--ca-file',
        pg.caFile,
      ]);
      expect(code).toBe(EXIT.failure);
      expect(err).toEqual([
        'entmoot-dr validate: cannot connect to 127.0.0.1:1 as dr_validator (database entmoot): connection refused: is the database running and the port right?',
      ]);
    });

    it('signs a token with --host (static credentials, no network) and names authentication when it is refused', async () => {
      const { code, err } = await withAwsEnv(
        {
          AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
        },
        () =>
          run([
            'validate',
            '--host',
            pg.host,
            '--port',
            String(pg.port),
            '--user',
            VALIDATOR_USER,
            '--database',
            'edr_cli_healthy',
            '--region',
            'us-east-1',
            '--ca-file',
            pg.caFile,
          ]),
      );
      expect(code).toBe(EXIT.failure);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/: authentication refused \(28P01\)/);
      expect(err[0]).not.toMatch(/X-Amz/);
    });

    it('names a host-name mismatch', async () => {
      const { code, err } = await run([
        'validate',
        url('edr_cli_healthy', pg.token, pg.otherHost),
        '--ca-file',
        pg.caFile,
      ]);
      expect(code).toBe(EXIT.failure);
      expect(err[0]).toMatch(/TLS: host-name mismatch/);
    });
  });

  it('prints its usage and exits 0 with --help', async () => {
    const { code, out } = await run(['validate', '--help']);
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(/^usage: entmoot-dr validate <postgres-url \| --host H --user U/);
  });

  it('exits with the code through the real executable, one line and no stack trace', () => {
    const child = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'entmoot-dr-cli.cjs'), 'validate', 'postgres://u@db.example.com/x?sslmode=prefer'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.status).toBe(EXIT.usage);
    expect(child.stderr.trim().split('\n')).toEqual([
      'entmoot-dr validate: sslmode=prefer does not verify the server: leave sslmode out (verify-full is the default)',
      expect.stringMatching(/^usage: entmoot-dr validate /),
    ]);
  });
});
