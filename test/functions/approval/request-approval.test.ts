import { AccountModel } from '../../support/account/model';
import { addApprovalsTable, approvalFunctions, CALLERS, urlRequest } from '../../support/approvals';
import { configuredPlan } from '../../support/plans';

const REGION = 'us-west-2';
const TABLE = 'approvals';
const TOPIC = 'arn:aws:sns:us-west-2:123456789012:notifications';
const EXECUTION = 'failover-202511100400';
const START = new Date('2025-11-10T04:00:00Z');
const event = (taskToken: string) => ({
  taskToken,
  execution: {
    Id: `arn:aws:states:us-west-2:123456789012:execution:edr-regional-failover:${EXECUTION}`,
    Name: EXECUTION,
    StartTime: START.toISOString(),
  },
  stakes: 'promote entmoot-prod-dr-replica; estimated data loss 40 s',
  title: 'Regional failover',
});

let restore: () => void = () => undefined;
afterEach(() => restore());

function setup() {
  const model = new AccountModel({ now: START });
  addApprovalsTable(model, REGION, TABLE);
  model.addTopic(TOPIC);
  restore = model.wireSdkMocks();
  return {
    model,
    fns: approvalFunctions(model, configuredPlan(), { region: REGION, tableName: TABLE, topicArn: TOPIC }),
  };
}

const requestItem = (model: AccountModel) =>
  model.tableItems(REGION, TABLE).find((i) => (i as any).item.S === 'request') as Record<string, { S?: string }>;

describe('requestApproval', () => {
  it('stores the token with a deadline from the plan and announces APPROVAL NEEDED without it', async () => {
    const { model, fns } = setup();

    const outcome = await fns.request(event('secret-token-1'));

    expect(outcome).toEqual({ execution: EXECUTION, expiresAt: '2025-11-10T05:00:00.000Z', stored: true });
    expect(requestItem(model)).toMatchObject({
      status: { S: 'open' },
      taskToken: { S: 'secret-token-1' },
      expiresAt: { S: '2025-11-10T05:00:00.000Z' },
    });
    const [message] = model.snsMessages(TOPIC);
    expect(message?.Subject).toMatch(/^\[HIGH\] APPROVAL NEEDED: Regional failover \(EDR-20251110-[0-9a-f]{4}\)$/);
    const text = JSON.parse(message?.Message ?? '{}').email as string;
    expect(text).toContain('At stake: promote entmoot-prod-dr-replica; estimated data loss 40 s');
    expect(text).toContain('Deadline: 2025-11-10T05:00:00.000Z');
    expect(text).toContain('manager: arn:aws:iam::123456789012:role/dr-approver-manager');
    expect(text).toContain('director: arn:aws:iam::123456789012:role/dr-approver-director');
    expect(text).toContain(`npx entmoot-dr approve ${EXECUTION} --comment "<why>"`);
    expect(text).toContain(`npx entmoot-dr reject ${EXECUTION} --reason "<why>"`);
    expect(JSON.stringify(model.snsMessages())).not.toContain('secret-token');
    expect(JSON.stringify(outcome)).not.toContain('secret-token');
  });

  it('replaces the token on a retried request while no decision exists', async () => {
    const { model, fns } = setup();
    await fns.request(event('secret-token-1'));

    await fns.request(event('secret-token-2'));

    expect(requestItem(model).taskToken).toEqual({ S: 'secret-token-2' });
  });

  it('keeps the stored token when a retried request finds a decision already made', async () => {
    const { model, fns } = setup();
    await fns.request(event('secret-token-1'));
    await fns.decide(urlRequest({ execution: EXECUTION, decision: 'approve' }, CALLERS.manager));

    const outcome = await fns.request(event('secret-token-2'));

    expect(outcome.stored).toBe(false);
    expect(requestItem(model).taskToken).toEqual({ S: 'secret-token-1' });
    expect(model.snsMessages(TOPIC)).toHaveLength(1);
  });

  it('refuses a request without a task token', async () => {
    const { fns } = setup();

    await expect(fns.request(event(''))).rejects.toThrow(
      'the request has no task token: the gate must invoke it with .waitForTaskToken',
    );
  });
});
