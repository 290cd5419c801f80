import { AccountModel } from '../../support/account/model';
import { addApprovalsTable, approvalFunctions, CALLERS, urlRequest } from '../../support/approvals';
import { configuredPlan } from '../../support/plans';
import type { DrPlan } from '../../../lib/plan';

const REGION = 'us-west-2';
const TABLE = 'approvals';
const TOPIC = 'arn:aws:sns:us-west-2:123456789012:notifications';
const EXECUTION = 'failover-202511100400';
const EXECUTION_ARN = `arn:aws:states:us-west-2:123456789012:execution:edr-regional-failover:${EXECUTION}`;
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAfake-secret-token';
const START = new Date('2025-11-10T04:00:00Z');

let restore: () => void = () => undefined;
afterEach(() => restore());

interface Setup {
  model: AccountModel;
  fns: ReturnType<typeof approvalFunctions>;
  outcomes: unknown[];
}

/** A model with an open request for EXECUTION whose waiting task holds TOKEN. */
async function setup(plan: DrPlan = configuredPlan(), options: { openToken?: boolean } = {}): Promise<Setup> {
  const model = new AccountModel({ now: START });
  addApprovalsTable(model, REGION, TABLE);
  model.addTopic(TOPIC);
  restore = model.wireSdkMocks();
  const fns = approvalFunctions(model, plan, { region: REGION, tableName: TABLE, topicArn: TOPIC });
  const outcomes: unknown[] = [];
  if (options.openToken ?? true) model.taskTokens.open(TOKEN, (o) => outcomes.push(o));
  await fns.request({
    taskToken: TOKEN,
    execution: { Id: EXECUTION_ARN, Name: EXECUTION, StartTime: START.toISOString() },
    stakes: 'promote entmoot-prod-dr-replica; estimated data loss 40 s',
    title: 'Regional failover',
  });
  return { model, fns, outcomes };
}

const approve = (caller: string | undefined, extra: Record<string, unknown> = {}) =>
  urlRequest({ execution: EXECUTION, decision: 'approve', ...extra }, caller);
const reject = (caller: string, reason = 'the primary region is back') =>
  urlRequest({ execution: EXECUTION, decision: 'reject', reason }, caller);

function twoManagersPlan(): DrPlan {
  return configuredPlan({
    approvers: [
      { arn: 'arn:aws:iam::123456789012:role/dr-approver-manager', role: 'manager' },
      { arn: 'arn:aws:iam::123456789012:role/ops/dr-approver-manager-2', role: 'manager' },
      { arn: 'arn:aws:iam::123456789012:role/dr-approver-director', role: 'director' },
      { arn: 'arn:aws:iam::123456789012:role/dr-approver-director-2', role: 'director' },
    ],
  });
}

function writes(model: AccountModel): number {
  return ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'].reduce(
    (n, action) => n + model.callCount('dynamodb', action),
    0,
  );
}

describe('decideApproval', () => {
  it('records a manager, then on the director’s approval sends SendTaskSuccess once with both approvals', async () => {
    const { model, fns, outcomes } = await setup();
    model.advance(180);

    const first = await fns.decide(approve(CALLERS.manager, { comment: 'bridge agrees' }));
    model.advance(240);
    const second = await fns.decide(approve(CALLERS.director));

    expect(first).toEqual({
      statusCode: 200,
      status: 'recorded',
      message: `approval by manager recorded for ${EXECUTION}: still needs a director`,
    });
    expect(second).toEqual({
      statusCode: 200,
      status: 'approved',
      message: `${EXECUTION} approved by a manager and a director: the workflow continues`,
    });
    expect(model.callCount('sfn', 'SendTaskSuccess')).toBe(1);
    expect(outcomes).toEqual([
      {
        output: {
          approvals: [
            {
              approverArn: 'arn:aws:iam::123456789012:role/dr-approver-manager',
              role: 'manager',
              callerArn: CALLERS.manager,
              session: 'alice',
              decidedAt: '2025-11-10T04:03:00.000Z',
              comment: 'bridge agrees',
            },
            {
              approverArn: 'arn:aws:iam::123456789012:role/dr-approver-director',
              role: 'director',
              callerArn: CALLERS.director,
              session: 'dana',
              decidedAt: '2025-11-10T04:07:00.000Z',
              comment: null,
            },
          ],
        },
      },
    ]);
    expect(model.tableItems(REGION, TABLE).find((i) => (i as any).item.S === 'request')).toMatchObject({
      status: { S: 'approved' },
    });
  });

  it('accepts an execution ARN of the recovery region as the execution', async () => {
    const { fns } = await setup();

    const answer = await fns.decide(urlRequest({ execution: EXECUTION_ARN, decision: 'approve' }, CALLERS.manager));

    expect(answer.status).toBe('recorded');
  });

  it('refuses a caller who is not an approver with 403 and writes nothing', async () => {
    const { model, fns } = await setup();
    const before = writes(model);

    const answer = await fns.decide(approve(CALLERS.stranger));

    expect(answer).toEqual({
      statusCode: 403,
      status: 'forbidden',
      message: `${CALLERS.stranger} is not an approver in the DR plan`,
    });
    expect(writes(model)).toBe(before);
  });

  it('refuses a request without an IAM identity with 403', async () => {
    const { fns } = await setup();

    const answer = await fns.decide(approve(undefined));

    expect(answer).toEqual({
      statusCode: 403,
      status: 'forbidden',
      message: 'no IAM identity: sign the request with SigV4',
    });
  });

  it('refuses a session of a role with the approver’s name in another account', async () => {
    const { fns } = await setup();

    const answer = await fns.decide(approve('arn:aws:sts::999999999999:assumed-role/dr-approver-manager/eve'));

    expect(answer.statusCode).toBe(403);
  });

  it('answers an approver’s identical second approval as unchanged, recording one decision', async () => {
    const { model, fns } = await setup();
    await fns.decide(approve(CALLERS.manager));

    const again = await fns.decide(approve('arn:aws:sts::123456789012:assumed-role/dr-approver-manager/alice-laptop'));

    expect(again).toEqual({
      statusCode: 200,
      status: 'unchanged',
      message: `your approve of ${EXECUTION} was already recorded (request open)`,
    });
    expect(model.tableItems(REGION, TABLE)).toHaveLength(2);
    expect(model.callCount('sfn', 'SendTaskSuccess')).toBe(0);
  });

  it('refuses an approver who approved and now rejects with 409', async () => {
    const { fns } = await setup();
    await fns.decide(approve(CALLERS.manager));

    const answer = await fns.decide(reject(CALLERS.manager));

    expect(answer).toEqual({
      statusCode: 409,
      status: 'conflict',
      message: `you already decided approve on ${EXECUTION}: a decision cannot change`,
    });
  });

  it('records two managers and still waits for a director', async () => {
    const { model, fns } = await setup(twoManagersPlan());
    await fns.decide(approve(CALLERS.manager));

    const second = await fns.decide(approve('arn:aws:sts::123456789012:assumed-role/dr-approver-manager-2/bob'));

    expect(second).toEqual({
      statusCode: 200,
      status: 'recorded',
      message: `approval by manager recorded for ${EXECUTION}: still needs a director`,
    });
    expect(model.callCount('sfn', 'SendTaskSuccess')).toBe(0);
  });

  it('answers a replay after approval as unchanged and a late third approver with 409', async () => {
    const { model, fns } = await setup(twoManagersPlan());
    await fns.decide(approve(CALLERS.manager));
    await fns.decide(approve(CALLERS.director));

    const replay = await fns.decide(approve(CALLERS.director));
    const late = await fns.decide(approve('arn:aws:sts::123456789012:assumed-role/dr-approver-manager-2/bob'));

    expect(replay).toEqual({
      statusCode: 200,
      status: 'unchanged',
      message: `your approve of ${EXECUTION} was already recorded (request approved)`,
    });
    expect(late).toEqual({
      statusCode: 409,
      status: 'conflict',
      message: `the request for ${EXECUTION} is already approved`,
    });
    expect(model.callCount('sfn', 'SendTaskSuccess')).toBe(1);
  });

  it('refuses a decision after the request’s deadline with 410 and writes nothing', async () => {
    const { model, fns } = await setup();
    model.advance(60 * 60);
    const before = writes(model);

    const answer = await fns.decide(approve(CALLERS.manager));

    expect(answer).toEqual({
      statusCode: 410,
      status: 'expired',
      message: `the request for ${EXECUTION} expired at 2025-11-10T05:00:00.000Z`,
    });
    expect(writes(model)).toBe(before);
  });

  it('marks the request expired when Step Functions answers TaskTimedOut', async () => {
    const { model, fns } = await setup();
    await fns.decide(approve(CALLERS.manager));
    model.taskTokens.close(TOKEN);

    const answer = await fns.decide(approve(CALLERS.director));
    const after = await fns.decide(approve(CALLERS.director));

    expect(answer.statusCode).toBe(410);
    expect(model.calls.filter((c) => c.action === 'SendTaskSuccess').map((c) => c.error)).toEqual(['TaskTimedOut']);
    expect(after).toEqual({ statusCode: 410, status: 'expired', message: `the request for ${EXECUTION} has expired` });
  });

  it('marks the request expired when Step Functions answers InvalidToken', async () => {
    const { model, fns } = await setup(configuredPlan(), { openToken: false });

    const answer = await fns.decide(reject(CALLERS.director));

    expect(answer.statusCode).toBe(410);
    expect(model.calls.filter((c) => c.action === 'SendTaskFailure').map((c) => c.error)).toEqual(['InvalidToken']);
  });

  it('on a rejection sends SendTaskFailure naming who and why, then refuses approvals with 409', async () => {
    const { model, fns, outcomes } = await setup();

    const rejected = await fns.decide(reject(CALLERS.director));
    const late = await fns.decide(approve(CALLERS.manager));

    expect(rejected).toEqual({
      statusCode: 200,
      status: 'rejected',
      message: `${EXECUTION} rejected: the workflow stops`,
    });
    expect(outcomes).toEqual([
      {
        error: 'ApprovalRejectedError',
        cause: `rejected by director ${CALLERS.director} (session dana): the primary region is back`,
      },
    ]);
    expect(late).toEqual({
      statusCode: 409,
      status: 'conflict',
      message: `the request for ${EXECUTION} is already rejected`,
    });
    expect(model.callCount('sfn', 'SendTaskSuccess')).toBe(0);
  });

  it('sends once when two final approvals arrive together', async () => {
    const { model, fns, outcomes } = await setup(twoManagersPlan());
    await fns.decide(approve(CALLERS.manager));

    const answers = await Promise.all([
      fns.decide(approve(CALLERS.director)),
      fns.decide(approve('arn:aws:sts::123456789012:assumed-role/dr-approver-director-2/dave')),
    ]);

    expect(answers.map((a) => a.status)).toEqual(['approved', 'approved']);
    expect(model.callCount('sfn', 'SendTaskSuccess')).toBe(1);
    expect(outcomes).toHaveLength(1);
  });

  it('answers 404 for an execution with no request', async () => {
    const { fns } = await setup();

    const answer = await fns.decide(urlRequest({ execution: 'other-run', decision: 'approve' }, CALLERS.manager));

    expect(answer).toEqual({
      statusCode: 404,
      status: 'not-found',
      message: 'no approval request for execution other-run',
    });
  });

  it('never puts the task token in an answer', async () => {
    const { fns } = await setup();
    const answers = [
      await fns.decide(approve(CALLERS.manager)),
      await fns.decide(approve(CALLERS.manager)),
      await fns.decide(approve(CALLERS.director)),
      await fns.decide(reject(CALLERS.director)),
    ];

    expect(JSON.stringify(answers)).not.toContain(TOKEN);
  });
});

describe('decideApproval refuses a bad request with 400, naming the problem, before any AWS call', () => {
  const ok = { execution: EXECUTION, decision: 'approve' };
  const cases: Array<[string, ReturnType<typeof urlRequest>, RegExp]> = [
    ['a body that is not JSON', urlRequest('{"execution":', CALLERS.manager), /^the body is not JSON$/],
    [
      'base64 that does not decode',
      urlRequest('%%%not-base64', CALLERS.manager, { isBase64Encoded: true }),
      /^the body is marked base64 but does not decode$/,
    ],
    [
      'a GET',
      urlRequest(ok, CALLERS.manager, {
        requestContext: { http: { method: 'GET' }, authorizer: { iam: { userArn: CALLERS.manager } } },
      }),
      /^method GET is not allowed: POST \/$/,
    ],
    ['a path other than /', urlRequest(ok, CALLERS.manager, { rawPath: '/approve' }), /^path \/approve is not \/$/],
    [
      'a body over 4 KB',
      urlRequest({ ...ok, comment: 'x'.repeat(4100) }, CALLERS.manager),
      /^the body is \d+ bytes: at most 4096$/,
    ],
    ['unknown fields', urlRequest({ ...ok, token: 'x' }, CALLERS.manager), /^unknown field "token": expected/],
    ['a missing execution', urlRequest({ decision: 'approve' }, CALLERS.manager), /^execution is missing/],
    [
      'a malformed execution',
      urlRequest({ ...ok, execution: 'not an execution!' }, CALLERS.manager),
      /is neither an execution name .* nor an execution ARN$/,
    ],
    [
      'an execution ARN of another region',
      urlRequest({ ...ok, execution: EXECUTION_ARN.replace('us-west-2', 'us-east-1') }, CALLERS.manager),
      /^execution failover-202511100400 is in us-east-1: approvals are for us-west-2$/,
    ],
    [
      'an execution ARN of another account',
      urlRequest({ ...ok, execution: EXECUTION_ARN.replace('123456789012', '999999999999') }, CALLERS.manager),
      /^execution failover-202511100400 is in account 999999999999: approvals are for 123456789012$/,
    ],
    [
      'an execution ARN of a state machine not ours',
      urlRequest({ ...ok, execution: EXECUTION_ARN.replace('edr-regional-failover', 'payroll') }, CALLERS.manager),
      /^execution failover-202511100400 is of state machine payroll, not one of this system's \(edr-…\)$/,
    ],
    [
      'an unknown decision',
      urlRequest({ ...ok, decision: 'maybe' }, CALLERS.manager),
      /^decision "maybe" is unknown: "approve" or "reject"$/,
    ],
    ['a reject without reason', urlRequest({ ...ok, decision: 'reject' }, CALLERS.manager), /^reject needs a reason$/],
    [
      'a comment over 500 characters',
      urlRequest({ ...ok, comment: 'y'.repeat(501) }, CALLERS.manager),
      /^comment is 501 characters: at most 500$/,
    ],
    [
      'a reason holding control characters',
      urlRequest({ ...ok, decision: 'reject', reason: 'line one\nline two' }, CALLERS.manager),
      /^reason holds control characters/,
    ],
  ];

  it.each(cases)('%s', async (_name, request, message) => {
    const model = new AccountModel({ now: START });
    addApprovalsTable(model, REGION, TABLE);
    restore = model.wireSdkMocks();
    const fns = approvalFunctions(model, configuredPlan(), { region: REGION, tableName: TABLE, topicArn: TOPIC });

    const answer = await fns.decide(request);

    expect(answer.statusCode).toBe(400);
    expect(answer.status).toBe('bad-request');
    expect(answer.message).toMatch(message);
    expect(answer.message).not.toContain('\n');
    expect(model.calls).toEqual([]);
  });
});
