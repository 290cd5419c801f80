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

/**
 * Synthesizes the app for a plan (default: the configured example plan). Templates and state-machine definitions
 * are exactly what `cdk synth` writes; the Lambda bundles are built (local esbuild) only with `bundle: true`,
 * because no other test reads them — the workflow tests run each function's pure logic — and bundling is most of
 * a synth's time. (`aws:cdk:bundling-stacks` is the context `cdk synth --exclusively` and `cdk deploy` set.)
 */
export function synthesize(
  plan?: DrPlan,
  options: { nag?: boolean; bundle?: boolean; context?: Record<string, unknown> } = {},
): Synthesized {
  if (!plan) {
    configured ??= configuredPlan();
    plan = configured;
  }
  const fresh = options.nag || options.bundle || options.context !== undefined;
  const cached = cache.get(plan);
  if (cached && !fresh) return cached;
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'edr-cdk-')),
    context: {
      ...(options.context ?? CDK_JSON_CONTEXT),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
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
