/**
 * The approval endpoint's logic: one approver's decision on one execution's request.
 *
 * API facts relied on (Amazon DynamoDB API Reference, TransactWriteItems; AWS Step Functions API Reference,
 * SendTaskSuccess/SendTaskFailure):
 * - TransactWriteItems applies all of its items or none; a failed condition cancels it with
 *   `TransactionCanceledException`, whose `CancellationReasons` has one entry per item, in order, with
 *   `Code` `ConditionalCheckFailed` for a failed condition and `None` for an item that did not fail.
 * - SendTaskSuccess/SendTaskFailure fail with `TaskTimedOut` for a token whose task is closed or timed out,
 *   and with `InvalidToken` for a token Step Functions does not know.
 * The token is read from the table and handed only to those two calls: never to a message, answer or log.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { type SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { DrPlan } from '../../lib/plan';
import { ERROR_NAMES, InvalidInputError } from '../shared/errors';
import {
  DECISION_PREFIX,
  PARTITION_KEY,
  REQUEST_ITEM,
  type RequestStatus,
  SORT_KEY,
  TTL_ATTRIBUTE,
  ttlFor,
} from './approval-table';
import { type ApproverIdentity, approverFor } from './approvers';
import { type CheckedDecision, parseDecisionRequest, type UrlRequest } from './decision-request';

/** What the endpoint answers: `status` names the outcome, `message` is one line for the approver. */
export interface DecisionAnswer {
  readonly statusCode: 200 | 400 | 403 | 404 | 409 | 410;
  readonly status:
    | 'recorded'
    | 'approved'
    | 'rejected'
    | 'unchanged'
    | 'bad-request'
    | 'forbidden'
    | 'not-found'
    | 'conflict'
    | 'expired';
  readonly message: string;
}

/** One approval, as the gate's output carries it into `$.approvals` and the evidence. */
export interface ApprovalRecord {
  readonly approverArn: string;
  readonly role: 'manager' | 'director';
  readonly callerArn: string;
  readonly session: string | null;
  readonly decidedAt: string;
  readonly comment: string | null;
}

/** The decision function's dependencies. */
export interface DecideDeps {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly tableName: string;
  readonly now: () => Date;
}

type Item = Record<string, AttributeValue>;

const answer = (statusCode: DecisionAnswer['statusCode'], status: DecisionAnswer['status'], message: string) =>
  ({ statusCode, status, message }) as DecisionAnswer;

const s = (item: Item | undefined, name: string): string | undefined => item?.[name]?.S;

function requestKey(execution: string): Item {
  return { [PARTITION_KEY]: { S: execution }, [SORT_KEY]: { S: REQUEST_ITEM } };
}

function who(identity: ApproverIdentity): string {
  return identity.session ? `${identity.callerArn} (session ${identity.session})` : identity.callerArn;
}

async function readRequest(deps: DecideDeps, execution: string): Promise<Item | undefined> {
  const out = await deps.dynamodb.send(
    new GetItemCommand({ TableName: deps.tableName, Key: requestKey(execution), ConsistentRead: true }),
  );
  return out.Item;
}

async function readDecisions(deps: DecideDeps, execution: string): Promise<Item[]> {
  const out = await deps.dynamodb.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':pk': { S: execution }, ':prefix': { S: DECISION_PREFIX } },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

function isExpired(request: Item, now: Date): boolean {
  return s(request, 'status') === 'expired' || (s(request, 'expiresAt') ?? '') <= now.toISOString();
}

/** Moves the request from open to `to`; true only for the one caller whose update won. */
async function close(deps: DecideDeps, execution: string, to: RequestStatus, by: string): Promise<boolean> {
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.tableName,
        Key: requestKey(execution),
        UpdateExpression: 'SET #status = :to, #closedAt = :now, #closedBy = :by',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status', '#closedAt': 'closedAt', '#closedBy': 'closedBy' },
        ExpressionAttributeValues: {
          ':to': { S: to },
          ':open': { S: 'open' },
          ':now': { S: deps.now().toISOString() },
          ':by': { S: by },
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Marks a request whose task Step Functions no longer has as expired (whatever it was). */
async function markExpired(deps: DecideDeps, execution: string): Promise<void> {
  await deps.dynamodb.send(
    new UpdateItemCommand({
      TableName: deps.tableName,
      Key: requestKey(execution),
      UpdateExpression: 'SET #status = :expired',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':expired': { S: 'expired' } },
    }),
  );
}

const GONE = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

/** Sends the task's outcome; false when Step Functions says the task is gone (then the request is expired). */
async function callBack(deps: DecideDeps, execution: string, command: SendTaskSuccessCommand | SendTaskFailureCommand) {
  try {
    await deps.sfn.send(command as SendTaskSuccessCommand);
    return true;
  } catch (error) {
    if (error instanceof Error && GONE.has(error.name)) {
      await markExpired(deps, execution);
      return false;
    }
    throw error;
  }
}

function approvalsOf(decisions: Item[]): ApprovalRecord[] {
  return decisions
    .filter((d) => s(d, 'decision') === 'approve')
    .map((d) => ({
      approverArn: s(d, 'approverArn') as string,
      role: s(d, 'role') as 'manager' | 'director',
      callerArn: s(d, 'callerArn') as string,
      session: s(d, 'session') ?? null,
      decidedAt: s(d, 'decidedAt') as string,
      comment: s(d, 'comment') ?? null,
    }))
    .sort((a, b) => a.decidedAt.localeCompare(b.decidedAt));
}

/** The answer to a decision that the table already holds, or a closed request. */
function settled(request: Item, mine: Item | undefined, body: CheckedDecision, now: Date): DecisionAnswer {
  const status = s(request, 'status') as RequestStatus;
  if (status === 'expired') return answer(410, 'expired', `the request for ${body.executionName} has expired`);
  if (status === 'open' && isExpired(request, now)) {
    return answer(410, 'expired', `the request for ${body.executionName} expired at ${s(request, 'expiresAt')}`);
  }
  if (mine && s(mine, 'decision') === body.decision) {
    return answer(
      200,
      'unchanged',
      `your ${body.decision} of ${body.executionName} was already recorded (request ${status})`,
    );
  }
  if (mine) {
    return answer(
      409,
      'conflict',
      `you already decided ${s(mine, 'decision')} on ${body.executionName}: a decision cannot change`,
    );
  }
  return answer(409, 'conflict', `the request for ${body.executionName} is already ${status}`);
}

function missing(approvals: ApprovalRecord[]): Array<'manager' | 'director'> {
  const roles = new Set(approvals.map((a) => a.role));
  return (['manager', 'director'] as const).filter((r) => !roles.has(r));
}

/**
 * Records `identity`'s decision on the request the body names and, when it completes the request, ends the
 * waiting task: SendTaskSuccess once a manager and a director approved, SendTaskFailure on a rejection.
 * Refusals write nothing. Never throws for the caller's mistakes: they are answers.
 */
export async function decideApproval(
  request: UrlRequest,
  identity: ApproverIdentity | undefined,
  plan: DrPlan,
  deps: DecideDeps,
): Promise<DecisionAnswer> {
  if (!identity) {
    const caller = request.requestContext?.authorizer?.iam?.userArn;
    return answer(
      403,
      'forbidden',
      caller ? `${caller} is not an approver in the DR plan` : 'no IAM identity: sign the request with SigV4',
    );
  }
  let body: CheckedDecision;
  try {
    body = parseDecisionRequest(request, plan);
  } catch (error) {
    if (error instanceof InvalidInputError) return answer(400, 'bad-request', error.message);
    throw error;
  }
  const execution = body.executionName;
  const now = deps.now();
  const req = await readRequest(deps, execution);
  if (!req) return answer(404, 'not-found', `no approval request for execution ${execution}`);
  const decisionKey = `${DECISION_PREFIX}${identity.approverArn}`;

  if (s(req, 'status') !== 'open' || isExpired(req, now)) {
    const mine = (await readDecisions(deps, execution)).find((d) => s(d, SORT_KEY) === decisionKey);
    return settled(req, mine, body, now);
  }

  const decision: Item = {
    [PARTITION_KEY]: { S: execution },
    [SORT_KEY]: { S: decisionKey },
    decision: { S: body.decision },
    approverArn: { S: identity.approverArn },
    role: { S: identity.role },
    callerArn: { S: identity.callerArn },
    decidedAt: { S: now.toISOString() },
    [TTL_ATTRIBUTE]: { N: ttlFor(new Date(s(req, 'expiresAt') as string)) },
    ...(identity.session ? { session: { S: identity.session } } : {}),
    ...(body.comment !== undefined ? { comment: { S: body.comment } } : {}),
    ...(body.reason !== undefined ? { reason: { S: body.reason } } : {}),
  };
  try {
    await deps.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: deps.tableName,
              Key: requestKey(execution),
              ConditionExpression: '#status = :open AND #expiresAt > :now',
              ExpressionAttributeNames: { '#status': 'status', '#expiresAt': 'expiresAt' },
              ExpressionAttributeValues: { ':open': { S: 'open' }, ':now': { S: now.toISOString() } },
            },
          },
          {
            Put: {
              TableName: deps.tableName,
              Item: decision,
              ConditionExpression: 'attribute_not_exists(#sk)',
              ExpressionAttributeNames: { '#sk': SORT_KEY },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'TransactionCanceledException') {
      // Either the request closed or expired meanwhile, or this approver already decided: read what is there.
      const fresh = (await readRequest(deps, execution)) ?? req;
      const mine = (await readDecisions(deps, execution)).find((d) => s(d, SORT_KEY) === decisionKey);
      return settled(fresh, mine, body, now);
    }
    throw error;
  }

  const token = s(req, 'taskToken') as string;
  if (body.decision === 'reject') {
    const cause = `rejected by ${identity.role} ${who(identity)}: ${body.reason}`;
    if (await close(deps, execution, 'rejected', identity.callerArn)) {
      const sent = await callBack(
        deps,
        execution,
        new SendTaskFailureCommand({ taskToken: token, error: ERROR_NAMES.approvalRejected, cause }),
      );
      if (!sent) return answer(410, 'expired', `the request for ${execution} expired before your rejection arrived`);
    }
    return answer(200, 'rejected', `${execution} rejected: the workflow stops`);
  }

  const approvals = approvalsOf(await readDecisions(deps, execution));
  const still = missing(approvals);
  if (still.length > 0) {
    return answer(
      200,
      'recorded',
      `approval by ${identity.role} recorded for ${execution}: still needs a ${still.join(' and a ')}`,
    );
  }
  if (await close(deps, execution, 'approved', identity.callerArn)) {
    const sent = await callBack(
      deps,
      execution,
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvals }) }),
    );
    if (!sent) return answer(410, 'expired', `the request for ${execution} expired before the last approval arrived`);
  }
  return answer(200, 'approved', `${execution} approved by a manager and a director: the workflow continues`);
}

/** The caller's plan identity from a function URL request (payload format 2.0). */
export function identityOf(request: UrlRequest, plan: DrPlan): ApproverIdentity | undefined {
  return approverFor(request.requestContext?.authorizer?.iam?.userArn, plan);
}
