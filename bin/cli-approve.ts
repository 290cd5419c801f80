/**
 * `entmoot-dr approve <execution> [--comment TEXT]` and `entmoot-dr reject <execution> --reason TEXT`: one
 * approver's decision, sent to the approval endpoint (a Lambda function URL with AWS_IAM auth) signed with
 * SigV4 (service `lambda`, the recovery region) from the default credential chain. The arguments are checked
 * as the endpoint checks them, before any call. The endpoint's URL is the recovery stack's output
 * `ApprovalEndpointUrl` (DescribeStacks in the recovery region: never the primary stack, whose region may be
 * the one that is down), or `--endpoint`. Exit codes (the CLI's one table): 0 recorded, approved or
 * rejected; 1 refused (400, 403, 404, 409, 410); 2 usage or configuration (missing argument, plan, stack or
 * credentials); 3 the endpoint or CloudFormation unreachable, or a 5xx.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPROVAL_ENDPOINT_OUTPUT, checkDecisionBody } from '../functions/approval/decision-request';
import { InvalidInputError } from '../functions/shared/errors';
import { type DrPlan, PlanError } from '../lib/plan';
import { loadPlan, PLAN_CONTEXT_KEY } from '../lib/plan-loader';
import { type CliIo, COMMANDS, EXIT, UsageError } from './cli';

/** Credentials as SigV4 takes them. */
interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What the commands take from their surroundings; injectable for tests and the benchmark. */
export interface ApproveDeps {
  /** The working directory, where `cdk.json` names the plan. */
  readonly cwd: string;
  readonly credentials: () => Promise<Credentials>;
  /** The stack's outputs (DescribeStacks) in `region`. */
  readonly stackOutputs: (stackName: string, region: string) => Promise<Record<string, string>>;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
}

/** The real dependencies: the default credential chain, CloudFormation, global fetch, the clock. */
export const defaultApproveDeps = (): ApproveDeps => ({
  cwd: process.cwd(),
  credentials: defaultProvider(),
  stackOutputs: async (stackName, region) => {
    const cfn = new CloudFormationClient({ region, maxAttempts: 3 });
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = out.Stacks?.[0]?.Outputs ?? [];
    return Object.fromEntries(outputs.map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  },
  fetch: (...args) => fetch(...args),
  now: () => new Date(),
});

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 for SignatureV4 (node:crypto; an HMAC when given a secret). */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** The signer the command uses: service `lambda`, the recovery region. */
export function approvalSigner(credentials: Credentials, region: string): SignatureV4 {
  return new SignatureV4({ service: 'lambda', region, credentials, sha256: Sha256 });
}

/** A failure to do the job at all (exit 3). */
class Unreachable extends Error {}

const FLAGS = { approve: new Set(['comment', 'plan', 'endpoint']), reject: new Set(['reason', 'plan', 'endpoint']) };

function parseArgs(decision: 'approve' | 'reject', args: readonly string[]) {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!FLAGS[decision].has(name)) throw new UsageError(`unknown option --${name}`);
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    flags.set(name, value);
  }
  if (positional.length === 0) throw new UsageError(`${decision} needs the execution (its name or ARN)`);
  if (positional.length > 1) throw new UsageError(`${decision} takes one execution, got: ${positional.join(' ')}`);
  if (decision === 'reject' && !flags.has('reason')) throw new UsageError('reject needs --reason');
  return { execution: positional[0] as string, flags };
}

/** The plan file as the app finds it: `--plan`, else cdk.json's `drPlan` context, else none (the default plan). */
export function planPath(flag: string | undefined, cwd: string): string | undefined {
  if (flag) return flag;
  const cdkJson = join(cwd, 'cdk.json');
  if (!existsSync(cdkJson)) return undefined;
  let context: Record<string, unknown> | undefined;
  try {
    context = (JSON.parse(readFileSync(cdkJson, 'utf8')) as { context?: Record<string, unknown> }).context;
  } catch {
    throw new UsageError(`${cdkJson} is not valid JSON`);
  }
  const path = context?.[PLAN_CONTEXT_KEY];
  return typeof path === 'string' ? join(cwd, path) : undefined;
}

async function endpointOf(flag: string | undefined, plan: DrPlan, deps: ApproveDeps): Promise<URL> {
  const text = flag ?? (await stackEndpoint(plan, deps));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`the endpoint ${text} is not a URL`);
  }
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  )
    throw new UsageError(
      `the endpoint must be https:// (plain http only on a loopback address), not ${url.protocol}//`,
    );
  return url;
}

async function stackEndpoint(plan: DrPlan, deps: ApproveDeps): Promise<string> {
  const stack = plan.system.recoveryStackName;
  const region = plan.regions.recovery;
  let outputs: Record<string, string>;
  try {
    outputs = await deps.stackOutputs(stack, region);
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (name === 'ValidationError') throw new UsageError(`stack ${stack} is not deployed in ${region}: ${message}`);
    if (name === 'CredentialsProviderError' || name === 'AccessDenied' || name === 'ExpiredToken')
      throw new UsageError(`cannot read stack ${stack} in ${region}: ${message}`);
    throw new Unreachable(
      `CloudFormation in ${region} did not answer (${message}): pass --endpoint to skip the lookup`,
    );
  }
  const url = outputs[APPROVAL_ENDPOINT_OUTPUT];
  if (!url) throw new UsageError(`stack ${stack} in ${region} has no output ${APPROVAL_ENDPOINT_OUTPUT}: deploy it`);
  return url;
}

/** Sends one decision and returns the exit code. */
export async function decideCommand(
  decision: 'approve' | 'reject',
  args: readonly string[],
  io: CliIo,
  deps: ApproveDeps = defaultApproveDeps(),
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: entmoot-dr ${decision} ${COMMANDS[decision]?.args}`);
    io.out(
      'Signs the request as you (SigV4, service lambda, the recovery region) with the default AWS credential chain; your role session name is recorded with the decision.',
    );
    return EXIT.ok;
  }
  const { execution, flags } = parseArgs(decision, args);
  let plan: DrPlan;
  try {
    plan = loadPlan(planPath(flags.get('plan'), deps.cwd));
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(error.issues.join('; '));
    throw error;
  }
  const body = {
    execution,
    decision,
    ...(flags.has('comment') ? { comment: flags.get('comment') } : {}),
    ...(flags.has('reason') ? { reason: flags.get('reason') } : {}),
  };
  try {
    checkDecisionBody(body, plan);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.message);
    throw error;
  }
  let credentials: Credentials;
  try {
    credentials = await deps.credentials();
  } catch (error) {
    throw new UsageError(
      `no AWS credentials (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): sign in as your approver role (see README, "For approvers")`,
    );
  }
  try {
    const url = await endpointOf(flags.get('endpoint'), plan, deps);
    const text = JSON.stringify(body);
    const signed = await approvalSigner(credentials, plan.regions.recovery).sign(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: '/',
        query: {},
        headers: { host: url.host, 'content-type': 'application/json' },
        body: text,
      },
      { signingDate: deps.now() },
    );
    let response: Response;
    try {
      response = await deps.fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body: text });
    } catch (error) {
      throw new Unreachable(
        `the approval endpoint ${url.host} did not answer (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const answer = await response.text();
    let message = answer.trim().split('\n')[0] ?? '';
    try {
      message = String((JSON.parse(answer) as { message?: unknown }).message ?? message);
    } catch {
      // Not our JSON (Lambda's own 403 for an unsigned or unauthorized request, say): print it as it came.
    }
    if (response.status >= 500) throw new Unreachable(`the approval endpoint answered ${response.status}: ${message}`);
    if (response.status === 200) {
      io.out(message);
      return EXIT.ok;
    }
    io.err(`entmoot-dr ${decision}: ${response.status}: ${message}`);
    return EXIT.problem;
  } catch (error) {
    if (error instanceof Unreachable) {
      io.err(`entmoot-dr ${decision}: ${error.message}`);
      return EXIT.failure;
    }
    throw error;
  }
}
