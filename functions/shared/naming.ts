import { createHash } from 'node:crypto';
import type { DrPlan } from '../../lib/plan';

/** RDS identifiers and our resource names are at most this long. */
export const MAX_NAME_LENGTH = 63;
/** Step Functions execution names are at most this long. */
export const MAX_EXECUTION_NAME_LENGTH = 80;

/** What becomes of a resource the system creates. */
export const LIFECYCLES = ['ephemeral', 'rotating', 'retained'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

/** The tag keys of the plan: owner, execution, lifecycle. */
export function tagKeys(plan: Pick<DrPlan, 'system'>): { owner: string; execution: string; lifecycle: string } {
  const prefix = plan.system.tagPrefix;
  return { owner: `${prefix}:owner`, execution: `${prefix}:execution`, lifecycle: `${prefix}:lifecycle` };
}

/** Four hex characters of a SHA-256: keeps cut names distinct. */
export function shortHash(text: string, length = 4): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** `yyyymmddhhmm` in UTC. */
export function compactTimestamp(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `<prefix>-<purpose>-<source>-<yyyymmddhhmm>`, at most 63 characters and a valid RDS identifier: a source too
 * long to fit is cut and given a 4-character hash of the whole, so two long sources never collide.
 */
export function resourceName(prefix: string, purpose: string, source: string, at: Date): string {
  const head = `${slug(prefix)}-${slug(purpose)}-`;
  const tail = `-${compactTimestamp(at)}`;
  const room = MAX_NAME_LENGTH - head.length - tail.length;
  let src = slug(source);
  if (src.length > room) {
    const hash = shortHash(src);
    src = `${src.slice(0, room - hash.length - 1).replace(/-+$/, '')}-${hash}`;
  }
  return `${head}${src}${tail}`;
}

/**
 * A Step Functions execution name from parts: only `[A-Za-z0-9_-]`, at most 80 characters, cut with a hash
 * of the whole when longer, so the same parts always give the same name (one run per incident).
 */
export function executionName(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('-');
  if (joined.length <= MAX_EXECUTION_NAME_LENGTH) return joined;
  const hash = shortHash(joined, 8);
  return `${joined.slice(0, MAX_EXECUTION_NAME_LENGTH - hash.length - 1)}-${hash}`;
}
