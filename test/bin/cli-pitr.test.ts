import { ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../bin/cli';
import { type PitrDeps, pitrCommand } from '../../bin/cli-pitr';
import { EXAMPLE_PLAN_PATH } from '../support/plans';

const NOW = new Date('2025-11-10T14:07:30Z');
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:edr-point-in-time-recovery:pitr-entmoot-prod-202511101407';

function deps(overrides: Partial<PitrDeps> = {}) {
  const started: { region: string; input: { stateMachineArn: string; name: string; input: string } }[] = [];
  const d: PitrDeps = {
    cwd: mkdtempSync(join(tmpdir(), 'edr-cli-pitr-')),
    now: () => NOW,
    credentials: async () => ({ accessKeyId: 'AKID' }),
    startExecution: async (region, input) => {
      started.push({ region, input });
      return ARN;
    },
    ...overrides,
  };
  return { d, started };
}

async function run(args: string[], d: PitrDeps) {
  const out: string[] = [];
  const err: string[] = [];
  let code: number;
  try {
    code = await pitrCommand(
      ['start', '--plan', EXAMPLE_PLAN_PATH, ...args],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
      d,
    );
  } catch (error) {
    // main() prints a UsageError as one line and exits 2; reproduce that contract here.
    err.push((error as Error).message);
    code = (error as Error).name === 'UsageError' ? EXIT.usage : EXIT.failure;
  }
  return { code, out, err };
}

const GOOD = ['--db', 'entmoot-prod', '--target-time', '2025-11-10T12:00:00Z', '--reason', 'bad migration 4711'];

describe('entmoot-dr pitr start', () => {
  it('starts the recovery in the primary region as pitr-<db>-<minute> and prints the ARN and console link', async () => {
    const { d, started } = deps();

    const { code, out } = await run(GOOD, d);

    expect(code).toBe(EXIT.ok);
    expect(started).toEqual([
      {
        region: 'us-east-1',
        input: {
          stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-point-in-time-recovery',
          name: 'pitr-entmoot-prod-202511101407',
          input: JSON.stringify({
            sourceDbInstanceId: 'entmoot-prod',
            targetTime: '2025-11-10T12:00:00Z',
            reason: 'bad migration 4711',
            trigger: { kind: 'cli' },
          }),
        },
      },
    ]);
    expect(out).toEqual([
      ARN,
      `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${ARN}`,
    ]);
  });

  it('passes --latest and --target as the workflow’s input names', async () => {
    const { d, started } = deps();

    const { code } = await run(
      ['--db', 'entmoot-prod', '--latest', '--reason', 'r', '--target', 'edr-pitr-orders-fix'],
      d,
    );

    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(started[0]!.input.input)).toEqual({
      sourceDbInstanceId: 'entmoot-prod',
      useLatestRestorableTime: true,
      reason: 'r',
      targetDbInstanceId: 'edr-pitr-orders-fix',
      trigger: { kind: 'cli' },
    });
  });

  it.each<[string[], string]>([
    [['--target-time', '2025-11-10T12:00:00Z', '--reason', 'r'], 'pitr start needs --db'],
    [['--db', 'entmoot-prod', '--reason', 'r'], 'give --target-time (the last known-good instant, UTC) or --latest'],
    [[...GOOD, '--latest'], 'give either --target-time or --latest, not both'],
    [['--db', 'billing', '--latest', '--reason', 'r'], '--db "billing" is not one of the plan'],
    [
      ['--db', 'entmoot-prod', '--target-time', '2025-11-10T12:00:00', '--reason', 'r'],
      '--target-time must be YYYY-MM-DDTHH:MM:SS[.sss]Z',
    ],
    [['--db', 'entmoot-prod', '--latest'], '--reason is required'],
    [[...GOOD, '--target', 'recovered'], '--target must start with edr-pitr-'],
    [[...GOOD, '--force'], 'unknown option --force'],
    [[...GOOD, '--latest=yes'], '--latest takes no value'],
  ])('refuses %j with exit 2 before any AWS call', async (args, message) => {
    const { d, started } = deps();

    const { code, err } = await run(args, d);

    expect(code).toBe(EXIT.usage);
    expect(err.join('\n')).toContain(message);
    expect(started).toEqual([]);
  });

  it('exits 2 without credentials, before any call', async () => {
    const { d, started } = deps({
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
    });

    const { code, err } = await run(GOOD, d);

    expect(code).toBe(EXIT.usage);
    expect(err).toEqual([
      'no AWS credentials (Could not load credentials from any providers): sign in to the account 123456789012',
    ]);
    expect(started).toEqual([]);
  });

  it('exits 1 naming the execution when it already exists', async () => {
    const { d } = deps({
      startExecution: async () => {
        throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
      },
    });

    const { code, err } = await run(GOOD, d);

    expect(code).toBe(EXIT.problem);
    expect(err).toEqual([
      'entmoot-dr pitr: the execution pitr-entmoot-prod-202511101407 already exists: one recovery per database per minute; see it in the console',
    ]);
  });

  it('exits 2 when the credentials may not start it, and 3 when Step Functions fails', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform states:StartExecution'), {
      name: 'AccessDeniedException',
    });
    const down = Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });

    const refused = await run(GOOD, deps({ startExecution: async () => Promise.reject(denied) }).d);
    const failed = await run(GOOD, deps({ startExecution: async () => Promise.reject(down) }).d);

    expect(refused.code).toBe(EXIT.usage);
    expect(refused.err[0]).toContain(
      'cannot start arn:aws:states:us-east-1:123456789012:stateMachine:edr-point-in-time-recovery',
    );
    expect(failed.code).toBe(EXIT.failure);
    expect(failed.err).toEqual([
      'entmoot-dr pitr: Step Functions in us-east-1 failed to start the recovery: Service Unavailable',
    ]);
  });
});
