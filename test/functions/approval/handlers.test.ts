import type { Context } from 'aws-lambda';
import { AccountModel } from '../../support/account/model';
import { addApprovalsTable, CALLERS, urlRequest } from '../../support/approvals';

const REGION = 'us-west-2';
const TOPIC = 'arn:aws:sns:us-west-2:123456789012:notifications';
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAsecret-token-for-the-log-test';
const EXECUTION = 'failover-202511100400';
const context = {
  functionName: 'approvals',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:approvals',
} as Context;
const savedEnv = { ...process.env };

type Handler = (event: unknown, context: Context) => Promise<unknown>;

afterAll(() => {
  process.env = savedEnv;
});

// The handlers read the plan shipped beside their bundle (plan.json); here, the configured example plan.
jest.mock('../../../functions/shared/plan', () => ({
  bundledPlan: () => jest.requireActual('../../support/plans').configuredPlan(),
}));

describe('the approval handlers', () => {
  it('never write the task token to a log line or a response, even with event logging switched on', async () => {
    process.env = {
      ...savedEnv,
      AWS_REGION: REGION,
      APPROVALS_TABLE: 'approvals',
      TOPIC_ARN: TOPIC,
      POWERTOOLS_SERVICE_NAME: 'approvals',
      POWERTOOLS_LOGGER_LOG_EVENT: 'true',
      POWERTOOLS_DEV: undefined,
    };
    const model = new AccountModel({ now: new Date() });
    addApprovalsTable(model, REGION, 'approvals');
    model.addTopic(TOPIC);
    const restore = model.wireSdkMocks();
    const outcomes: unknown[] = [];
    model.taskTokens.open(TOKEN, (o) => outcomes.push(o));
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let responses: unknown[];
    try {
      const request = (require('../../../functions/approval/request-handler') as { handler: Handler }).handler;
      const decide = (require('../../../functions/approval/decide-handler') as { handler: Handler }).handler;
      responses = [
        await request(
          {
            taskToken: TOKEN,
            execution: {
              Id: `arn:aws:states:us-west-2:123456789012:execution:edr-x:${EXECUTION}`,
              Name: EXECUTION,
              StartTime: new Date().toISOString(),
            },
            stakes: 'promote entmoot-prod-dr-replica',
            title: 'Regional failover',
          },
          context,
        ),
        await decide(urlRequest({ execution: EXECUTION, decision: 'approve' }, CALLERS.manager), context),
        await decide(urlRequest({ execution: EXECUTION, decision: 'approve' }, CALLERS.director), context),
      ];
    } finally {
      spy.mockRestore();
      restore();
    }

    expect(outcomes).toHaveLength(1);
    expect(written.some((line) => line.includes('decision answered'))).toBe(true);
    expect(written.join('')).not.toContain(TOKEN);
    expect(JSON.stringify(responses)).not.toContain(TOKEN);
    expect(responses[2]).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        status: 'approved',
        message: `${EXECUTION} approved by a manager and a director: the workflow continues`,
      }),
    });
  });
});
