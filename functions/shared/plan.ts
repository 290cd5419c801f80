import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DrPlan } from '../../lib/plan';
import { ConfigurationError } from './errors';
import { PLAN_FILE_NAME } from './plan-file';

let cached: DrPlan | undefined;

/**
 * Reads the plan file in `dir` (the bundle's folder). The CDK app validated the plan and `DrFunction` placed
 * it beside the bundle as `plan.json`: a fleet of any size fits — neither a Lambda environment (4 KB) nor one
 * esbuild argument (128 KiB) would — and no validator library is loaded at cold start, only `JSON.parse`.
 */
export function readPlanFile(dir: string): DrPlan {
  const file = join(dir, PLAN_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `the DR plan file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): redeploy the stack`,
      { cause: error },
    );
  }
  return JSON.parse(text) as DrPlan;
}

/** The DR plan the stack was synthesized with, read once from `plan.json` beside the bundle. */
export function bundledPlan(): DrPlan {
  cached ??= readPlanFile(__dirname);
  return cached;
}
