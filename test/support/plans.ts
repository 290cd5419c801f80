import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlan, type DrPlan, type DrPlanInput } from '../../lib/plan';

/** Path of the documented example plan (every example value replaced). */
export const EXAMPLE_PLAN_PATH = join(__dirname, '..', '..', 'examples', 'dr-plan.example.json');

/** The example plan as written in the README. */
export function examplePlanInput(): DrPlanInput {
  return JSON.parse(readFileSync(EXAMPLE_PLAN_PATH, 'utf8')) as DrPlanInput;
}

/** A fully configured plan (no example values), with optional top-level overrides. */
export function configuredPlan(overrides: Partial<DrPlanInput> = {}): DrPlan {
  return parsePlan({ ...examplePlanInput(), ...overrides });
}

/** The default plan: seed values plus example values. */
export function seedPlan(): DrPlan {
  return parsePlan({});
}
