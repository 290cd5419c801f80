/**
 * The approval gate's request: stores the waiting task's token in the approvals table (the only place it is
 * ever written) and announces the request on the stack's topic with what is at stake, the deadline, who may
 * approve and the exact commands. Its own result is nothing: the task's output comes from SendTaskSuccess.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DrPlan } from '../../lib/plan';
import { InvalidInputError } from '../shared/errors';
import { incidentId, renderNotification } from '../shared/notification';
import { DECISION_PREFIX, PARTITION_KEY, REQUEST_ITEM, SORT_KEY, TTL_ATTRIBUTE, ttlFor } from './approval-table';

/** What the gate's Request Approval task passes. */
export interface ApprovalRequestEvent {
  /** `$$.Task.Token`: stored, never echoed. */
  readonly taskToken: string;
  readonly execution: { readonly Id: string; readonly Name: string; readonly StartTime: string };
  /** What the approvers are asked to allow, one line. */
  readonly stakes: string;
  /** The workflow's title, for the notification. */
  readonly title: string;
}

/** The request function's dependencies. */
export interface RequestDeps {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly tableName: string;
  readonly topicArn: string;
  readonly now: () => Date;
}

/** What the request function returns (nothing secret): the execution and its deadline. */
export interface RequestOutcome {
  readonly execution: string;
  readonly expiresAt: string;
  /** False when a retried request found decisions already made and left the stored request as it was. */
  readonly stored: boolean;
}

/** The "APPROVAL NEEDED" notification: subject, text and SNS message, built from the plan's template. */
export function approvalMessage(event: Omit<ApprovalRequestEvent, 'taskToken'>, expiresAt: Date, plan: DrPlan) {
  const name = event.execution.Name;
  const approvers = plan.approvers.map((a) => `${a.role}: ${a.arn}`);
  const description = [
    `APPROVAL NEEDED for ${event.title} (execution ${name}).`,
    `At stake: ${event.stakes}`,
    `Deadline: ${expiresAt.toISOString()} (the run fails if a manager and a director have not both approved by then).`,
    'Approvers (one manager and one director, each signed in with their own IAM role):',
    ...approvers.map((a) => `  ${a}`),
    'To approve:',
    `  npx entmoot-dr approve ${name} --comment "<why>"`,
    'To reject:',
    `  npx entmoot-dr reject ${name} --reason "<why>"`,
  ].join('\n');
  return renderNotification({
    incidentId: incidentId(new Date(event.execution.StartTime), name),
    severity: 'HIGH',
    headline: `APPROVAL NEEDED: ${event.title}`,
    affectedService: plan.system.serviceName,
    startTime: new Date(event.execution.StartTime),
    estimatedDuration: `${plan.approvals.timeoutMinutes} minutes (approval window)`,
    description,
    impacts: [event.stakes],
    status: { investigation: 'COMPLETE', mitigation: 'PENDING', resolution: 'PENDING' },
    nextUpdate: expiresAt,
    contact: plan.notifications.contact,
  });
}

/**
 * Stores the request (one per execution name) and announces it. A retried request replaces the stored token
 * only while no decision exists; a request already decided is refused.
 */
export async function requestApproval(
  event: ApprovalRequestEvent,
  plan: DrPlan,
  deps: RequestDeps,
): Promise<RequestOutcome> {
  if (typeof event.taskToken !== 'string' || event.taskToken.length === 0)
    throw new InvalidInputError('the request has no task token: the gate must invoke it with .waitForTaskToken');
  const name = event.execution?.Name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(name))
    throw new InvalidInputError('the request has no execution name: pass $$.Execution');
  if (typeof event.stakes !== 'string' || event.stakes.trim().length === 0)
    throw new InvalidInputError(`the request for ${name} says nothing about what is at stake`);
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + plan.approvals.timeoutMinutes * 60_000);

  const decided = await deps.dynamodb.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':pk': { S: name }, ':prefix': { S: DECISION_PREFIX } },
      ConsistentRead: true,
      Select: 'COUNT',
    }),
  );
  if ((decided.Count ?? 0) > 0) return { execution: name, expiresAt: expiresAt.toISOString(), stored: false };

  try {
    await deps.dynamodb.send(
      new PutItemCommand({
        TableName: deps.tableName,
        Item: {
          [PARTITION_KEY]: { S: name },
          [SORT_KEY]: { S: REQUEST_ITEM },
          status: { S: 'open' },
          taskToken: { S: event.taskToken },
          executionArn: { S: event.execution.Id },
          stakes: { S: event.stakes },
          requestedAt: { S: now.toISOString() },
          expiresAt: { S: expiresAt.toISOString() },
          [TTL_ATTRIBUTE]: { N: ttlFor(expiresAt) },
        },
        ConditionExpression: 'attribute_not_exists(#sk) OR #status = :open',
        ExpressionAttributeNames: { '#sk': SORT_KEY, '#status': 'status' },
        ExpressionAttributeValues: { ':open': { S: 'open' } },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new InvalidInputError(`the approval request for ${name} was already decided: start a new execution`);
    throw error;
  }

  const message = approvalMessage(event, expiresAt, plan);
  await deps.sns.send(
    new PublishCommand({
      TopicArn: deps.topicArn,
      Subject: message.subject,
      Message: message.snsMessage,
      MessageStructure: 'json',
    }),
  );
  return { execution: name, expiresAt: expiresAt.toISOString(), stored: true };
}
