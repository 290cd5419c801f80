import { readFileSync } from 'node:fs';
import { parsePlan, PlanError, type DrPlan } from './plan';

/** CDK context key that names the plan file: `cdk synth -c drPlan=plans/prod.json`. */
export const PLAN_CONTEXT_KEY = 'drPlan';

/**
 * Reads a plan file (JSON, only the fields that differ from the defaults) and validates it.
 * Without a path, the default plan (the seed plan's values, example values elsewhere) is used.
 */
export function loadPlan(path?: string): DrPlan {
  if (!path) return parsePlan({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanError([
      `plan file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): check the ${PLAN_CONTEXT_KEY} context value`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PlanError([`plan file ${path} is not valid JSON: ${(error as Error).message}`]);
  }
  return parsePlan(json);
}
