#!/usr/bin/env node
/**
 * The CDK app: loads and validates the DR plan (context `drPlan`, a JSON file path), then creates the
 * primary and recovery stacks. A bad plan prints one clear error per field and exits 1, with no stack trace.
 */
import { App } from 'aws-cdk-lib';
import { createStacks, enableNag } from '../lib/app';
import { PLAN_CONTEXT_KEY, loadPlan } from '../lib/plan-loader';
import { PlanError, type DrPlan } from '../lib/plan';

const app = new App();
let plan: DrPlan;
try {
  const path = app.node.tryGetContext(PLAN_CONTEXT_KEY) as string | undefined;
  plan = loadPlan(path);
} catch (error) {
  if (error instanceof PlanError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
createStacks(app, plan);
enableNag(app);
