/**
 * The esbuild settings of every Lambda bundle, in one place with no CDK import, so `DrFunction` and the
 * benchmark (`bench/bundles.ts`) build the same bundle.
 */
import { join } from 'node:path';
import type { DrPlan } from './plan';

/** Root of the repository, where `functions/` and `package-lock.json` live. */
export const PROJECT_ROOT = join(__dirname, '..');

/** The subset of NodejsFunction `bundling` options the house bundle sets. */
export interface DrBundling {
  readonly minify: boolean;
  /** Keep function and class names through minification, so stack traces stay readable without source maps. */
  readonly keepNames: boolean;
  /** esbuild `--sourcemap` (linked: a `.map` file and a `sourceMappingURL` comment). */
  readonly sourceMap: boolean;
  readonly sourcesContent: boolean;
  readonly target: string;
  /** Left out of the bundle. */
  readonly externalModules: readonly string[];
  /** Package.json fields esbuild resolves a package by, in order. */
  readonly mainFields: readonly string[];
}

/** Bundle settings of every DrFunction. */
export const DR_BUNDLING: DrBundling = {
  minify: true,
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  // The SDK is bundled, not taken from the runtime: resolved from its ES-module builds (`module` first),
  // esbuild keeps only what the handler uses, so a cold start parses one file instead of resolving and
  // wrapping hundreds, and the SDK version is the one the tests ran against (npm run bench has the numbers).
  externalModules: [],
  mainFields: ['module', 'main'],
};

/**
 * `NODE_OPTIONS` that makes stack traces go through the bundle's source map. Not set by default: with the
 * SDK bundled, Node parsing a 0.6–1 MB map at load costs 25–45 ms of every cold start (npm run bench); names
 * are kept, so traces stay readable. `DrFunctionProps.enableSourceMaps` turns it on for debugging.
 */
export const SOURCE_MAPS_NODE_OPTIONS = '--enable-source-maps';

/** esbuild `define` that compiles the plan into a bundle (read by `functions/shared/plan.ts`). */
export function planDefine(plan: DrPlan): Record<string, string> {
  return { 'process.env.EDR_PLAN': JSON.stringify(JSON.stringify(plan)) };
}
