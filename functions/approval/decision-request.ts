/**
 * The approval endpoint's request rules, checked before any AWS call: used by the decision function and by
 * the operator CLI (`approve`/`reject`), so both refuse the same input with the same one-line message.
 */
import type { DrPlan } from '../../lib/plan';
import { InvalidInputError } from '../shared/errors';

/** The body of `POST /`. */
export interface DecisionBody {
  /** Execution name, or its ARN. */
  readonly execution: string;
  readonly decision: 'approve' | 'reject';
  readonly comment?: string;
  /** Why the approver rejects; required with `reject`. */
  readonly reason?: string;
}

/** A checked request: the execution's name (the approvals table's key) and the body. */
export interface CheckedDecision extends DecisionBody {
  readonly executionName: string;
}

/** The recovery stack's output holding the endpoint's URL (the CLI reads it with DescribeStacks). */
export const APPROVAL_ENDPOINT_OUTPUT = 'ApprovalEndpointUrl';

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 4096;
/** Longest comment or reason, in characters. */
export const MAX_TEXT_CHARS = 500;

const FIELDS = new Set(['execution', 'decision', 'comment', 'reason']);
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const EXECUTION_ARN =
  /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: exactly the control characters a comment may not hold.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function text(field: 'comment' | 'reason', value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(`${field} must be a string`);
  if (value.length > MAX_TEXT_CHARS)
    throw new InvalidInputError(`${field} is ${value.length} characters: at most ${MAX_TEXT_CHARS}`);
  if (CONTROL.test(value)) throw new InvalidInputError(`${field} holds control characters (line breaks included)`);
  return value;
}

/**
 * The execution's name from a name or an execution ARN; an ARN must be of the recovery region and the plan's
 * account, and of one of this system's state machines (`<namePrefix>-…`).
 */
export function executionNameOf(execution: unknown, plan: DrPlan): string {
  if (typeof execution !== 'string' || execution.length === 0)
    throw new InvalidInputError('execution is missing: give the execution name or ARN');
  if (EXECUTION_NAME.test(execution)) return execution;
  const arn = EXECUTION_ARN.exec(execution);
  if (!arn)
    throw new InvalidInputError(
      `execution "${execution.slice(0, 100)}" is neither an execution name (1-80 of A-Z a-z 0-9 _ -) nor an execution ARN`,
    );
  const [, region, account, stateMachine, name] = arn;
  if (region !== plan.regions.recovery)
    throw new InvalidInputError(`execution ${name} is in ${region}: approvals are for ${plan.regions.recovery}`);
  if (account !== plan.account)
    throw new InvalidInputError(`execution ${name} is in account ${account}: approvals are for ${plan.account}`);
  if (!stateMachine.startsWith(`${plan.system.namePrefix}-`))
    throw new InvalidInputError(
      `execution ${name} is of state machine ${stateMachine}, not one of this system's (${plan.system.namePrefix}-…)`,
    );
  return name as string;
}

/** Checks a parsed body; throws `InvalidInputError` naming the first problem. */
export function checkDecisionBody(body: unknown, plan: DrPlan): CheckedDecision {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidInputError('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}: expected execution, decision, comment, reason`,
    );
  const executionName = executionNameOf(b.execution, plan);
  if (b.decision !== 'approve' && b.decision !== 'reject')
    throw new InvalidInputError(
      `decision ${JSON.stringify(String(b.decision).slice(0, 40))} is unknown: "approve" or "reject"`,
    );
  const comment = text('comment', b.comment);
  const reason = text('reason', b.reason);
  if (b.decision === 'reject' && !reason?.trim()) throw new InvalidInputError('reject needs a reason');
  if (b.decision === 'approve' && reason !== undefined)
    throw new InvalidInputError('reason belongs to reject: an approval takes a comment');
  return {
    execution: b.execution as string,
    executionName,
    decision: b.decision,
    ...(comment !== undefined ? { comment } : {}),
    ...(reason !== undefined ? { reason } : {}),
  };
}

/** The parts of a function URL request (payload format 2.0) the endpoint reads. */
export interface UrlRequest {
  readonly rawPath?: string;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly http?: { readonly method?: string };
    readonly authorizer?: { readonly iam?: { readonly userArn?: string } };
  };
}

/** Method, path, size, encoding and JSON of a function URL request, then its body; throws `InvalidInputError`. */
export function parseDecisionRequest(request: UrlRequest, plan: DrPlan): CheckedDecision {
  const method = request.requestContext?.http?.method;
  if (method !== 'POST') throw new InvalidInputError(`method ${method ?? '(none)'} is not allowed: POST /`);
  if (request.rawPath !== '/') throw new InvalidInputError(`path ${String(request.rawPath).slice(0, 100)} is not /`);
  let raw = request.body ?? '';
  if (request.isBase64Encoded) {
    if (raw.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw))
      throw new InvalidInputError('the body is marked base64 but does not decode');
    const bytes = Buffer.from(raw, 'base64');
    if (bytes.length > MAX_BODY_BYTES)
      throw new InvalidInputError(`the body is ${bytes.length} bytes: at most ${MAX_BODY_BYTES}`);
    raw = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  }
  const size = Buffer.byteLength(raw, 'utf8');
  if (size > MAX_BODY_BYTES) throw new InvalidInputError(`the body is ${size} bytes: at most ${MAX_BODY_BYTES}`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new InvalidInputError('the body is not JSON');
  }
  return checkDecisionBody(body, plan);
}
