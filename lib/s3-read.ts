import { Stack } from 'aws-cdk-lib';
import type { DrFunction } from './dr-function';
import { namesOrPatterns } from './iam-scope';

/**
 * Grants read actions on S3 buckets (names) or objects (`bucket/key`), by exact ARN while the
 * list fits the policy budget (lib/iam-scope.ts), else by name patterns of the plan's own names. S3 ARNs carry no
 * account, so a pattern is held to this account with `s3:ResourceAccount`. Returns the ARNs holding a wildcard,
 * for the caller's cdk-nag acknowledgement.
 */
export function grantS3Read(fn: DrFunction, actions: string[], names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const stack = Stack.of(fn);
  const scoped = namesOrPatterns(names, (name) => `arn:aws:s3:::${name}`.length);
  const resources = scoped.names.map((name) => `arn:${stack.partition}:s3:::${name}`);
  fn.allow({
    actions,
    resources,
    conditions: scoped.patterned ? { StringEquals: { 's3:ResourceAccount': stack.account } } : undefined,
  });
  return resources.filter((arn) => arn.includes('*'));
}
