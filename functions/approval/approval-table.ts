/**
 * The approvals table's layout, shared by the request and decision functions. Partition key `execution` (the
 * execution name), sort key `item`: `request` holds the request and its task token, `decision#<approver ARN>`
 * one approver's decision. `ttl` (epoch seconds) lets DynamoDB remove both long after the request expired.
 */

/** Partition key: the execution name. */
export const PARTITION_KEY = 'execution';
/** Sort key: `request` or `decision#<approver ARN>`. */
export const SORT_KEY = 'item';
/** The TTL attribute (epoch seconds). */
export const TTL_ATTRIBUTE = 'ttl';
/** The request's sort-key value. */
export const REQUEST_ITEM = 'request';
/** Prefix of a decision's sort-key value. */
export const DECISION_PREFIX = 'decision#';
/** How long records stay after their request expired: they are the audit trail beside the evidence. */
export const RETAIN_DAYS = 90;

/** A request's state: open until approved, rejected or expired. */
export type RequestStatus = 'open' | 'approved' | 'rejected' | 'expired';

/** The epoch-seconds TTL for a request expiring at `expiresAt`. */
export function ttlFor(expiresAt: Date): string {
  return String(Math.floor(expiresAt.getTime() / 1000) + RETAIN_DAYS * 86_400);
}
