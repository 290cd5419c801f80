import { DescribeStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { FreshnessResult } from '../../../functions/freshness/check-freshness';

const JANITOR_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-janitor';
const DRILL_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-failover-drill';
/** As the stack sets them: state machines by name, expanded with STATE_MACHINE_ARN_PREFIX at cold start. */
const JOBS = [
  { job: 'janitor', stateMachine: 'edr-janitor', intervalHours: 24, graceHours: 6 },
  { job: 'failover-drill', stateMachine: 'edr-failover-drill', intervalHours: 2352, graceHours: 6 },
];
const context = {
  functionName: 'freshness',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:freshness',
} as Context;

// The handler reads the plan shipped beside its bundle (plan.json); here, the default plan.
jest.mock('../../../functions/shared/plan', () => ({
  bundledPlan: () => jest.requireActual('../../../lib/plan').defaultPlan(),
}));

const sfnMock = mockClient(SFNClient);
/** The reconciliation's environment: no registered workflow, so these tests see freshness alone. */
const RECONCILE_ENV = {
  REPORTED_WORKFLOWS: '[]',
  STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:us-east-1:123456789012:stateMachine:',
  EVIDENCE_BUCKET: 'evidence',
  TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
};
const savedEnv = { ...process.env };

type Handler = (event: unknown, context: Context) => Promise<{ freshness: FreshnessResult[] }>;

function setEnv(env: Record<string, string | undefined>): void {
  process.env = {
    ...savedEnv,
    AWS_REGION: 'us-east-1',
    POWERTOOLS_SERVICE_NAME: 'freshness-monitor',
    POWERTOOLS_DEV: undefined,
    ...env,
  };
}

/**
 * The handler as Lambda loads it, once: its cold start reads FRESHNESS_JOBS. Loaded in this file's module registry
 * so it shares the SDK module the mock replaces.
 */
function loadHandler(): Handler {
  setEnv({ FRESHNESS_JOBS: JSON.stringify(JOBS), ...RECONCILE_ENV });
  return (require('../../../functions/freshness/handler') as { handler: Handler }).handler;
}

/** A cold start in its own module registry, for the configuration errors. */
function coldStart(env: Record<string, string | undefined>): void {
  setEnv(env);
  jest.isolateModules(() => {
    require('../../../functions/freshness/handler');
  });
}

/** The EMF records written to stdout while `run` runs. */
async function emfRecords(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => '_aws' in r);
}

beforeEach(() => {
  sfnMock.reset();
});

afterAll(() => {
  process.env = savedEnv;
});

describe('freshness handler', () => {
  it('publishes HoursSinceSuccess per job with the Job dimension alone, as the alarms watch it', async () => {
    const now = Date.now();
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: JANITOR_ARN }).resolves({
      executions: [
        {
          executionArn: 'e',
          stateMachineArn: JANITOR_ARN,
          name: 'r',
          status: 'SUCCEEDED',
          startDate: new Date(now - 31 * 3_600_000),
          stopDate: new Date(now - 31 * 3_600_000),
        },
      ],
    });
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: DRILL_ARN }).resolves({ executions: [] });
    sfnMock.on(DescribeStateMachineCommand).resolves({ creationDate: new Date(now - 10 * 3_600_000) });
    const handler = loadHandler();

    let results: FreshnessResult[] = [];
    const records = await emfRecords(async () => {
      results = (await handler({ trigger: 'schedule' }, context)).freshness;
    });

    expect(results.map((r) => [r.job, r.overdue])).toEqual([
      ['janitor', true],
      ['failover-drill', false],
    ]);
    const perJob = records.filter((r) => 'HoursSinceSuccess' in r);
    expect(perJob.map((r) => [r.Job, r.HoursSinceSuccess])).toEqual([
      ['janitor', 31],
      ['failover-drill', 10],
    ]);
    for (const record of perJob) {
      expect(record._aws).toMatchObject({
        CloudWatchMetrics: [
          { Namespace: 'EntmootDR', Dimensions: [['Job']], Metrics: [{ Name: 'HoursSinceSuccess', Unit: 'Count' }] },
        ],
      });
      expect(record).not.toHaveProperty('service');
    }
    expect(records.find((r) => 'OverdueJobs' in r)).toMatchObject({ OverdueJobs: 1, service: 'freshness-monitor' });
  });

  it('publishes no HoursSinceSuccess for jobs it could not read', async () => {
    sfnMock.on(ListExecutionsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const handler = loadHandler();

    const records = await emfRecords(() => handler({}, context));

    expect(records.filter((r) => 'HoursSinceSuccess' in r)).toEqual([]);
    expect(records.find((r) => 'OverdueJobs' in r)).toMatchObject({ OverdueJobs: 0 });
  });

  it.each([
    ['missing', undefined, /missing environment variable FRESHNESS_JOBS/],
    ['not JSON', '[{', /FRESHNESS_JOBS is not JSON/],
    [
      'an invalid job',
      JSON.stringify([{ job: 'janitor', stateMachine: 42, intervalHours: 24, graceHours: 6 }]),
      /FRESHNESS_JOBS is invalid: jobs\[0\]\.stateMachineArn must be a Step Functions state machine ARN, got 42/,
    ],
  ])('fails at cold start when FRESHNESS_JOBS is %s', (_, value, message) => {
    expect(() => coldStart({ ...RECONCILE_ENV, FRESHNESS_JOBS: value })).toThrow(message);
  });
});
