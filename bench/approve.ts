/**
 * Benchmark: `entmoot-dr approve` end to end against a stand-in endpoint on 127.0.0.1 that answers after
 * 50 ms — plan loading, the stack lookup (DescribeStacks on a real CloudFormationClient behind
 * aws-sdk-client-mock), SigV4 signing and the request — in process, N times; and the whole command as an
 * approver runs it (`node bin/entmoot-dr-cli.cjs approve ... --endpoint URL`, static credentials from the
 * environment, so the default credential chain runs), which adds Node's and tsx's start. Medians.
 *
 * Run alone: `npx tsx bench/approve.ts`.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decideCommand, defaultApproveDeps } from '../bin/cli-approve';
import { startApprovalServer } from '../test/support/approval-server';
import { PROJECT_ROOT } from './bundles';

const EXAMPLE_PLAN = join(PROJECT_ROOT, 'examples', 'dr-plan.example.json');
const ANSWER_DELAY_MS = 50;

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return Math.round((s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2) * 10) / 10;
};

/** Runs the benchmark and returns its numbers (milliseconds). */
export async function benchApprove(runs = 15, processRuns = 5): Promise<Record<string, number>> {
  const server = await startApprovalServer();
  server.answer = {
    status: 200,
    body: JSON.stringify({ status: 'recorded', message: 'recorded' }),
    delayMs: ANSWER_DELAY_MS,
  };
  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'EntmootDrRecovery',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [{ OutputKey: 'ApprovalEndpointUrl', OutputValue: server.url }],
      },
    ],
  });
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  try {
    const inProcess: number[] = [];
    for (let i = 0; i < runs; i++) {
      const deps = { ...defaultApproveDeps(), credentials: async () => credentials };
      const start = performance.now();
      const code = await decideCommand(
        'approve',
        ['failover-202511100400', '--plan', EXAMPLE_PLAN],
        { out: () => undefined, err: (t) => console.error(t) },
        deps,
      );
      inProcess.push(performance.now() - start);
      if (code !== 0) throw new Error(`approve exited ${code}`);
    }
    const whole: number[] = [];
    for (let i = 0; i < processRuns; i++) {
      const start = performance.now();
      // Asynchronous: the stand-in endpoint answers from this very process.
      await promisify(execFile)(
        process.execPath,
        [
          join(PROJECT_ROOT, 'bin', 'entmoot-dr-cli.cjs'),
          'approve',
          'failover-202511100400',
          '--plan',
          EXAMPLE_PLAN,
          '--endpoint',
          server.url,
        ],
        {
          cwd: PROJECT_ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            AWS_ACCESS_KEY_ID: credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_CONFIG_FILE: '/nonexistent/aws-config',
            AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
          },
        },
      );
      whole.push(performance.now() - start);
    }
    return {
      endpointDelayMs: ANSWER_DELAY_MS,
      inProcessMedianMs: median(inProcess),
      inProcessBeyondDelayMs: Math.round((median(inProcess) - ANSWER_DELAY_MS) * 10) / 10,
      inProcessRuns: runs,
      processMedianMs: median(whole),
      processRuns,
    };
  } finally {
    cfn.restore();
    await server.close();
  }
}

if (require.main === module) {
  benchApprove().then((r) => console.log(r));
}
