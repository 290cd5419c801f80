/**
 * The esbuild settings of every Lambda bundle, in one place with no CDK import, so `DrFunction` and the
 * benchmark (`bench/bundles.ts`) build the same bundle.
 */
import type { DrPlan } from './plan';

/** The subset of NodejsFunction `bundling` options the house bundle sets. */
export interface DrBundling {
  readonly minify: boolean;
  /** esbuild `--sourcemap` (linked: a `.map` file and a `sourceMappingURL` comment). */
  readonly sourceMap: boolean;
  readonly sourcesContent: boolean;
  readonly target: string;
  /** Left out of the bundle: the Lambda runtime's own SDK v3 is used. */
  readonly externalModules: readonly string[];
}

/** Bundle settings of every DrFunction. */
export const DR_BUNDLING: DrBundling = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  externalModules: ['@aws-sdk/*'],
};

/** `NODE_OPTIONS` of every DrFunction: stack traces through the source maps. */
export const DR_NODE_OPTIONS = '--enable-source-maps';

/** esbuild `define` that compiles the plan into a bundle (read by `functions/shared/plan.ts`). */
export function planDefine(plan: DrPlan): Record<string, string> {
  return { 'process.env.EDR_PLAN': JSON.stringify(JSON.stringify(plan)) };
}
