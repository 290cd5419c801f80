/**
 * Approval tests' fixtures: the approvals table in an account model, function URL requests as Lambda passes
 * them (payload format 2.0) and the real request/decision logic with SDK clients routed to the model.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { PARTITION_KEY, SORT_KEY } from '../../functions/approval/approval-table';
import { type DecisionAnswer, decideApproval, identityOf } from '../../functions/approval/decide-approval';
import type { UrlRequest } from '../../functions/approval/decision-request';
import { type ApprovalRequestEvent, requestApproval } from '../../functions/approval/request-approval';
import type { DrPlan } from '../../lib/plan';
import type { AccountModel } from './account/model';

/** Session ARNs of the example plan's approvers (roles dr-approver-manager and dr-approver-director). */
export const CALLERS = {
  manager: 'arn:aws:sts::123456789012:assumed-role/dr-approver-manager/alice',
  director: 'arn:aws:sts::123456789012:assumed-role/dr-approver-director/dana',
  stranger: 'arn:aws:sts::123456789012:assumed-role/developer/mallory',
} as const;

/** A function URL request (payload format 2.0) of `POST /` signed by `caller`. */
export function urlRequest(body: unknown, caller: string | undefined, overrides: Partial<UrlRequest> = {}): UrlRequest {
  return {
    rawPath: '/',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'POST' },
      ...(caller ? { authorizer: { iam: { userArn: caller } } } : {}),
    },
    ...overrides,
  };
}

/** Adds the approvals table (in the recovery region) to `model`. */
export function addApprovalsTable(model: AccountModel, region: string, name: string): void {
  model.addTable(region, name, PARTITION_KEY, SORT_KEY);
}

/** The request and decision functions' logic, their AWS calls going to `model` in `region`. */
export function approvalFunctions(
  model: AccountModel,
  plan: DrPlan,
  options: { region: string; tableName: string; topicArn: string },
) {
  const { region, tableName, topicArn } = options;
  const dynamodb = new DynamoDBClient({ region, maxAttempts: 1 });
  return {
    request: (event: ApprovalRequestEvent) =>
      requestApproval(event, plan, {
        dynamodb,
        sns: new SNSClient({ region, maxAttempts: 1 }),
        tableName,
        topicArn,
        now: () => model.now(),
      }),
    decide: (request: UrlRequest): Promise<DecisionAnswer> =>
      decideApproval(request, identityOf(request, plan), plan, {
        dynamodb,
        sfn: new SFNClient({ region, maxAttempts: 1 }),
        tableName,
        now: () => model.now(),
      }),
  };
}
