import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApproveDeps, decideCommand } from '../../bin/cli-approve';
import { EXIT, main } from '../../bin/cli';
import { type ApprovalServer, startApprovalServer } from '../support/approval-server';
import { EXAMPLE_PLAN_PATH } from '../support/plans';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2025-11-10T04:03:00Z');
const EXECUTION = 'failover-202511100400';

/** SHA-256 written here, independently of the CLI's, to re-derive its signature. */
class TestSha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret as Uint8Array | string);
  }
  update(d: unknown): void {
    this.h.update(d as Uint8Array | string);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

let server: ApprovalServer;
beforeAll(async () => {
  server = await startApprovalServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.length = 0;
});

function deps(overrides: Partial<ApproveDeps> = {}): ApproveDeps & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    cwd: mkdtempSync(join(tmpdir(), 'edr-cli-approve-')),
    credentials: async () => CREDENTIALS,
    stackOutputs: async (stack, region) => {
      lookups.push(`${stack} ${region}`);
      return { ApprovalEndpointUrl: server.url };
    },
    fetch: (...args) => fetch(...args),
    now: () => NOW,
    ...overrides,
    lookups,
  };
}

async function run(decision: 'approve' | 'reject', args: string[], d: ApproveDeps = deps()) {
  const out: string[] = [];
  const err: string[] = [];
  let code: number;
  try {
    code = await decideCommand(
      decision,
      ['--plan', EXAMPLE_PLAN_PATH, ...args],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
      d,
    );
  } catch (error) {
    // main() prints a UsageError as one line and exits 2; reproduce that contract here.
    err.push((error as Error).message);
    code = (error as Error).name === 'UsageError' ? EXIT.usage : EXIT.problem;
  }
  return { code, out, err };
}

describe('entmoot-dr approve and reject', () => {
  it('signs the request with SigV4 for lambda in us-west-2, which SignatureV4 reproduces', async () => {
    const { code, out } = await run('approve', [EXECUTION, '--comment', 'bridge agrees', '--endpoint', server.url]);

    expect(code).toBe(EXIT.ok);
    expect(out).toEqual(['recorded']);
    const [req] = server.received;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      execution: EXECUTION,
      decision: 'approve',
      comment: 'bridge agrees',
    });
    const authorization = String(req?.headers.authorization);
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20251110\/us-west-2\/lambda\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    const url = new URL(server.url);
    const resigned = await new SignatureV4({
      service: 'lambda',
      region: 'us-west-2',
      credentials: CREDENTIALS,
      sha256: TestSha256,
    }).sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers: Object.fromEntries(signedHeaders.map((h) => [h, String(req?.headers[h])])),
        body: req?.body,
      },
      { signingDate: NOW },
    );
    expect(resigned.headers.authorization).toBe(authorization);
  });

  it('takes the endpoint from the recovery stack’s outputs in the recovery region', async () => {
    const d = deps();

    const { code } = await run('approve', [EXECUTION], d);

    expect(code).toBe(EXIT.ok);
    expect(d.lookups).toEqual(['EntmootDrRecovery us-west-2']);
    expect(server.received).toHaveLength(1);
  });

  it('reads the plan named by cdk.json’s drPlan context when --plan is not given', async () => {
    const d = deps();
    writeFileSync(join(d.cwd, 'plan.json'), JSON.stringify({ system: { recoveryStackName: 'DrRecoveryEu' } }));
    writeFileSync(join(d.cwd, 'cdk.json'), JSON.stringify({ app: 'x', context: { drPlan: 'plan.json' } }));
    const out: string[] = [];

    const code = await decideCommand('approve', [EXECUTION], { out: (t) => out.push(t), err: () => undefined }, d);

    expect(code).toBe(EXIT.ok);
    expect(d.lookups).toEqual(['DrRecoveryEu us-west-2']);
  });

  it.each([
    [200, 'approved', EXIT.ok],
    [400, 'bad-request', EXIT.problem],
    [403, 'forbidden', EXIT.problem],
    [404, 'not-found', EXIT.problem],
    [409, 'conflict', EXIT.problem],
    [410, 'expired', EXIT.problem],
    [500, 'error', EXIT.failure],
    [502, 'error', EXIT.failure],
  ])('exits by the endpoint’s answer: %i → %s', async (status, word, exit) => {
    server.answer = { status, body: JSON.stringify({ status: word, message: `the endpoint says ${word}` }) };

    const { code, out, err } = await run('reject', [
      EXECUTION,
      '--reason',
      'primary is back',
      '--endpoint',
      server.url,
    ]);

    server.answer = { status: 200, body: JSON.stringify({ status: 'recorded', message: 'recorded' }) };
    expect(code).toBe(exit);
    expect([...out, ...err].join('\n')).toContain(`the endpoint says ${word}`);
    expect([...out, ...err]).toHaveLength(1);
  });

  it('exits 3 when the endpoint does not answer', async () => {
    const { code, err } = await run('approve', [EXECUTION, '--endpoint', 'http://127.0.0.1:9/']);

    expect(code).toBe(EXIT.failure);
    expect(err).toEqual([
      expect.stringMatching(/^entmoot-dr approve: the approval endpoint 127\.0\.0\.1:9 did not answer/),
    ]);
  });

  it('exits 3 when CloudFormation does not answer', async () => {
    const failing = Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
    const { code, err } = await run(
      'approve',
      [EXECUTION],
      deps({ stackOutputs: async () => Promise.reject(failing) }),
    );

    expect(code).toBe(EXIT.failure);
    expect(err).toEqual([
      'entmoot-dr approve: CloudFormation in us-west-2 did not answer (connect ETIMEDOUT): pass --endpoint to skip the lookup',
    ]);
  });

  it.each([
    ['reject without --reason', ['reject', EXECUTION], 'reject needs --reason'],
    ['no execution', ['approve'], 'approve needs the execution (its name or ARN)'],
    ['approve with --reason', ['approve', EXECUTION, '--reason', 'x'], 'unknown option --reason'],
    [
      'an execution ARN of another region',
      ['approve', `arn:aws:states:us-east-1:123456789012:execution:edr-regional-failover:${EXECUTION}`],
      `execution ${EXECUTION} is in us-east-1: approvals are for us-west-2`,
    ],
    [
      'a comment over 500 characters',
      ['approve', EXECUTION, '--comment', 'x'.repeat(501)],
      'comment is 501 characters: at most 500',
    ],
  ])('exits 2 before any call for %s', async (_label, argv, message) => {
    const [decision, ...args] = argv as ['approve' | 'reject', ...string[]];
    const d = deps();

    const { code, err } = await run(decision, args, d);

    expect(code).toBe(EXIT.usage);
    expect(err).toEqual([message]);
    expect(server.received).toHaveLength(0);
    expect(d.lookups).toEqual([]);
  });

  it('exits 2 with one line when there are no credentials', async () => {
    const { code, err } = await run(
      'approve',
      [EXECUTION],
      deps({ credentials: async () => Promise.reject(new Error('Could not load credentials from any providers')) }),
    );

    expect(code).toBe(EXIT.usage);
    expect(err).toEqual([
      'no AWS credentials (Could not load credentials from any providers): sign in as your approver role (see README, "For approvers")',
    ]);
    expect(server.received).toHaveLength(0);
  });

  it('exits 2 when the recovery stack is not deployed', async () => {
    const missing = Object.assign(new Error('Stack with id EntmootDrRecovery does not exist'), {
      name: 'ValidationError',
    });
    const { code, err } = await run(
      'approve',
      [EXECUTION],
      deps({ stackOutputs: async () => Promise.reject(missing) }),
    );

    expect(code).toBe(EXIT.usage);
    expect(err).toEqual([
      'stack EntmootDrRecovery is not deployed in us-west-2: Stack with id EntmootDrRecovery does not exist',
    ]);
  });

  it('prints usage with --help and exits 0, through the CLI entry', async () => {
    const out: string[] = [];

    const codes = [
      await main(['approve', '--help'], { out: (t) => out.push(t), err: () => undefined }),
      await main(['reject', '--help'], { out: (t) => out.push(t), err: () => undefined }),
    ];

    expect(codes).toEqual([EXIT.ok, EXIT.ok]);
    expect(out.filter((l) => l.startsWith('usage:'))).toEqual([
      'usage: entmoot-dr approve <execution> [--comment TEXT] [--plan FILE] [--endpoint URL]',
      'usage: entmoot-dr reject <execution> --reason TEXT [--plan FILE] [--endpoint URL]',
    ]);
  });

  it('prints a usage mistake as one line and the usage, exit 2, through the CLI entry', async () => {
    const err: string[] = [];

    const code = await main(['reject', EXECUTION], { out: () => undefined, err: (t) => err.push(t) });

    expect(code).toBe(EXIT.usage);
    expect(err).toEqual([
      'entmoot-dr reject: reject needs --reason',
      'usage: entmoot-dr reject <execution> --reason TEXT [--plan FILE] [--endpoint URL]',
    ]);
  });
});
