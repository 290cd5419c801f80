/**
 * Scopes for IAM statements that would otherwise list one ARN per resource of the plan. A role holds at most
 * 10,240 characters of inline policy and a managed policy 6,144, and CDK never splits a statement: a list that
 * grows with the fleet stops deploying somewhere near 50 databases. So a list is kept while it is short, and past
 * a budget it is replaced by name patterns derived from the plan's own names — a handful of `<prefix>*<suffix>`
 * patterns, never more than `MAX_PATTERNS` whatever the fleet's size. This module imports no CDK.
 */

import type { DrPlan } from './plan';

/** Characters a statement's resource list may take before it becomes patterns (three such lists fit a role). */
export const RESOURCE_LIST_BUDGET = 1500;

/** Most name patterns one statement gets. */
export const MAX_PATTERNS = 8;

function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function commonSuffix(names: readonly string[]): string {
  const reversed = names.map((n) => [...n].reverse().join(''));
  return [...commonPrefix(reversed)].reverse().join('');
}

/** `<longest common prefix>*<longest common suffix>` of a group: it matches every member, and names shaped alike. */
function groupPattern(members: readonly string[]): string {
  const [only] = members;
  if (members.length === 1 && only !== undefined) return only;
  const prefix = commonPrefix(members);
  const suffix = commonSuffix(members.map((m) => m.slice(prefix.length)));
  return `${prefix}*${suffix}`;
}

/**
 * The narrowest set of at most `maxPatterns` patterns that covers `names`: names are grouped by their first L
 * characters for the largest L that gives at most `maxPatterns` groups, and each group becomes its members'
 * longest common prefix, `*`, and their longest common suffix (a group of one is the name itself): with the
 * plan's `tenant-0042-prod-backups`…, `tenant-00*-prod-backups`. Every pattern matches all of its group's names,
 * and only names that share both ends with them.
 */
export function namePatterns(names: readonly string[], maxPatterns = MAX_PATTERNS): string[] {
  const unique = [...new Set(names)].sort();
  if (unique.length <= maxPatterns) return unique;
  const groupsAt = (length: number) => {
    const groups = new Map<string, string[]>();
    for (const name of unique) {
      const key = name.slice(0, length);
      groups.set(key, [...(groups.get(key) ?? []), name]);
    }
    return groups;
  };
  let length = 0;
  const longest = Math.max(...unique.map((n) => n.length));
  while (length < longest && groupsAt(length + 1).size <= maxPatterns) length += 1;
  return [...groupsAt(length).values()].map(groupPattern);
}

/** Characters a list of values takes in a policy document (each quoted, comma-separated). */
export function listChars(values: readonly string[]): number {
  return values.reduce((sum, value) => sum + value.length + 3, 0);
}

/**
 * The plan's names as they are while their ARNs (`arnLength(name)` characters each) fit `RESOURCE_LIST_BUDGET`,
 * else `namePatterns(names)`. `patterned` says which, so a caller can add the condition a pattern needs.
 */
export function namesOrPatterns(
  names: readonly string[],
  arnLength: (name: string) => number,
): { names: string[]; patterned: boolean } {
  const unique = [...new Set(names)];
  const chars = unique.reduce((sum, name) => sum + arnLength(name) + 3, 0);
  if (chars <= RESOURCE_LIST_BUDGET) return { names: unique, patterned: false };
  return { names: namePatterns(unique), patterned: true };
}

/** An IAM statement as `iam.PolicyStatementProps` takes it (this module imports no CDK). */
export interface GrantStatement {
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: Record<string, Record<string, string>>;
}

/**
 * What restoring a CMK-encrypted database (snapshot or point in time) needs of the plan's keys: RDS creates a grant
 * on the key for the new instance (`kms:CreateGrant`, only for an AWS resource) and describes it. The plan's keys
 * while they fit a list; for a fleet, any key of this account in the primary region, used through RDS only
 * (`kms:ViaService`). Returns the statements and the wildcard key ARNs among them (for the nag acknowledgement);
 * none when no database names a key.
 */
export function rdsKeyGrants(
  plan: DrPlan,
  partition: string,
  account: string,
): { statements: GrantStatement[]; wildcards: string[] } {
  const kmsKeys = [...new Set(plan.databases.flatMap((d) => (d.kmsKeyArn ? [d.kmsKeyArn] : [])))];
  if (kmsKeys.length === 0) return { statements: [], wildcards: [] };
  const fits = listChars(kmsKeys) <= RESOURCE_LIST_BUDGET;
  const keys = fits ? kmsKeys : [`arn:${partition}:kms:${plan.regions.primary}:${account}:key/*`];
  const viaRds: Record<string, Record<string, string>> = fits
    ? {}
    : { StringEquals: { 'kms:ViaService': `rds.${plan.regions.primary}.amazonaws.com` } };
  return {
    statements: [
      {
        actions: ['kms:CreateGrant'],
        resources: keys,
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, ...viaRds },
      },
      { actions: ['kms:DescribeKey'], resources: keys, ...(fits ? {} : { conditions: viaRds }) },
    ],
    wildcards: fits ? [] : keys,
  };
}
