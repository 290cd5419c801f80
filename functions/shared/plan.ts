import type { DrPlan } from '../../lib/plan';
import { ConfigurationError } from './errors';

let cached: DrPlan | undefined;

/**
 * The DR plan the stack was synthesized with. The CDK app validates the plan and compiles it into each
 * bundle (esbuild `define` replaces `process.env.EDR_PLAN` with the JSON text), so a fleet of any size fits
 * — a Lambda environment holds only 4 KB — and no validator library is loaded at cold start.
 */
export function bundledPlan(): DrPlan {
  if (cached) return cached;
  const text = process.env.EDR_PLAN;
  if (!text) throw new ConfigurationError('the DR plan was not compiled into this function: redeploy the stack');
  cached = JSON.parse(text) as DrPlan;
  return cached;
}
