import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStacks, enableNag, type DrStacks } from '../../lib/app';
import type { DrPlan } from '../../lib/plan';
import { configuredPlan } from './plans';

/** Both stacks and their templates, synthesized once per plan. */
export interface Synthesized {
  readonly app: App;
  readonly stacks: DrStacks;
  readonly primary: Template;
  readonly recovery: Template;
}

/** The feature flags `cdk synth` applies (cdk.json's context): the tests synthesize what deploys. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

/** Per plan object: the default plan is one object per test file, so its synth is shared. */
const cache = new Map<DrPlan, Synthesized>();

let configured: DrPlan | undefined;

/** Synthesizes the app for a plan (default: the configured example plan), bundling with the local esbuild. */
export function synthesize(
  plan?: DrPlan,
  options: { nag?: boolean; context?: Record<string, unknown> } = {},
): Synthesized {
  if (!plan) {
    configured ??= configuredPlan();
    plan = configured;
  }
  const fresh = options.nag || options.context !== undefined;
  const cached = cache.get(plan);
  if (cached && !fresh) return cached;
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'edr-cdk-')),
    context: options.context ?? CDK_JSON_CONTEXT,
  });
  const stacks = createStacks(app, plan);
  if (options.nag) enableNag(app);
  const result = {
    app,
    stacks,
    primary: Template.fromStack(stacks.primary),
    recovery: Template.fromStack(stacks.recovery),
  };
  if (!fresh) cache.set(plan, result);
  return result;
}
