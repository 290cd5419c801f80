/**
 * `entmoot-dr pitr start --db <id> (--target-time <iso> | --latest) --reason <text> [--target <id>]`: starts the
 * point-in-time recovery (`<prefix>-point-in-time-recovery` in the primary region; its ARN from the plan) with the
 * input checked first by the very function the workflow runs, as the execution `pitr-<db>-<yyyymmddhhmm>` — so a
 * second start in the same minute is refused by Step Functions, not run twice. Exit codes (the CLI's one table):
 * 0 started; 1 that execution already exists (named); 2 bad input, plan, credentials or region; 3 AWS failed.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { checkPitrInput } from '../functions/pitr/pitr-input';
import { InvalidInputError, isAccessDenied } from '../functions/shared/errors';
import { compactTimestamp, executionName } from '../functions/shared/naming';
import { type DrPlan, PlanError } from '../lib/plan';
import { loadPlan } from '../lib/plan-loader';
import { planPath } from './cli-approve';
import { type CliIo, EXIT, UsageError } from './cli';

/** The synopsis of `pitr`. */
export const PITR_ARGS = 'start --db ID (--target-time ISO | --latest) --reason TEXT [--target ID] [--plan FILE]';

/** What the command takes from its surroundings; injectable for tests. */
export interface PitrDeps {
  /** The working directory, where `cdk.json` names the plan. */
  readonly cwd: string;
  readonly now: () => Date;
  /** Resolves credentials (throws when there are none). */
  readonly credentials: () => Promise<unknown>;
  /** StartExecution in `region`; returns the execution ARN. */
  readonly startExecution: (
    region: string,
    input: { stateMachineArn: string; name: string; input: string },
  ) => Promise<string>;
}

/** The real dependencies: the default credential chain and Step Functions. */
export const defaultPitrDeps = (): PitrDeps => ({
  cwd: process.cwd(),
  now: () => new Date(),
  credentials: defaultProvider(),
  startExecution: async (region, input) => {
    const out = await new SFNClient({ region, maxAttempts: 3 }).send(new StartExecutionCommand(input));
    return out.executionArn ?? '';
  },
});

const FLAGS = new Set(['db', 'target-time', 'latest', 'reason', 'target', 'plan']);

function parseArgs(args: readonly string[]): Map<string, string | true> {
  const [sub, ...rest] = args;
  if (sub !== 'start')
    throw new UsageError(
      sub === undefined ? 'pitr needs a subcommand: start' : `unknown subcommand "${sub}": pitr start`,
    );
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] as string;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!FLAGS.has(name)) throw new UsageError(`unknown option --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (name === 'latest') {
      if (inline !== undefined) throw new UsageError('--latest takes no value');
      flags.set(name, true);
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  if (!flags.has('db')) throw new UsageError('pitr start needs --db');
  return flags;
}

/** The recovery's state machine ARN, from the plan. */
export function recoveryMachineArn(plan: DrPlan): string {
  return `arn:aws:states:${plan.regions.primary}:${plan.account}:stateMachine:${plan.system.namePrefix}-point-in-time-recovery`;
}

/** Starts a recovery and returns the exit code. */
export async function pitrCommand(
  args: readonly string[],
  io: CliIo,
  deps: PitrDeps = defaultPitrDeps(),
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: entmoot-dr pitr ${PITR_ARGS}`);
    io.out(
      'Checks the input as the workflow does, then starts it in the primary region with your default AWS credentials; the copy is named <prefix>-pitr-<db>-<yyyymmddhhmm> unless --target names it.',
    );
    return EXIT.ok;
  }
  const flags = parseArgs(args);
  let plan: DrPlan;
  try {
    plan = loadPlan(planPath(flags.get('plan') as string | undefined, deps.cwd));
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(error.issues.join('; '));
    throw error;
  }
  const now = deps.now();
  const input = {
    sourceDbInstanceId: flags.get('db'),
    ...(flags.has('target-time') ? { targetTime: flags.get('target-time') } : {}),
    ...(flags.has('latest') ? { useLatestRestorableTime: true } : {}),
    ...(flags.has('reason') ? { reason: flags.get('reason') } : {}),
    ...(flags.has('target') ? { targetDbInstanceId: flags.get('target') } : {}),
    trigger: { kind: 'cli' },
  };
  try {
    checkPitrInput(input, plan, now);
  } catch (error) {
    // The workflow's messages name input fields; the CLI's user gave flags.
    if (error instanceof InvalidInputError)
      throw new UsageError(
        error.message
          .replace(/input\.sourceDbInstanceId/g, '--db')
          .replace(/input\.targetTime or input\.useLatestRestorableTime/g, '--target-time or --latest')
          .replace(/input\.targetTime/g, '--target-time')
          .replace(/input\.useLatestRestorableTime: true/g, '--latest')
          .replace(/input\.reason/g, '--reason')
          .replace(/input\.targetDbInstanceId/g, '--target'),
      );
    throw error;
  }
  try {
    await deps.credentials();
  } catch (error) {
    throw new UsageError(
      `no AWS credentials (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): sign in to the account ${plan.account}`,
    );
  }
  const region = plan.regions.primary;
  const name = executionName('pitr', input.sourceDbInstanceId as string, compactTimestamp(now));
  let arn: string;
  try {
    arn = await deps.startExecution(region, {
      stateMachineArn: recoveryMachineArn(plan),
      name,
      input: JSON.stringify(input),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (error instanceof ExecutionAlreadyExists || (error as Error)?.name === 'ExecutionAlreadyExists') {
      io.err(
        `entmoot-dr pitr: the execution ${name} already exists: one recovery per database per minute; see it in the console`,
      );
      return EXIT.problem;
    }
    if (
      isAccessDenied(error) ||
      ['CredentialsProviderError', 'ExpiredTokenException', 'UnrecognizedClientException'].includes(
        (error as Error)?.name,
      )
    )
      throw new UsageError(`cannot start ${recoveryMachineArn(plan)} in ${region}: ${message}`);
    io.err(`entmoot-dr pitr: Step Functions in ${region} failed to start the recovery: ${message}`);
    return EXIT.failure;
  }
  io.out(arn);
  io.out(`https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${arn}`);
  return EXIT.ok;
}
