/**
 * The esbuild settings of every Lambda bundle, in one place with no CDK import, so `DrFunction` and the
 * benchmark (`bench/bundles.ts`) build the same bundle.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAN_FILE_NAME } from '../functions/shared/plan-file';
import type { DrPlan } from './plan';

export { PLAN_FILE_NAME };

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

/**
 * Writes the validated plan as JSON into a temporary folder, once per distinct plan (named by its hash), and
 * returns the file's path: `DrFunction` copies it beside each bundle as `plan.json`
 * (`functions/shared/plan.ts` reads it once at cold start). A file has no size limit short of Lambda's own
 * (250 MB unzipped), where an esbuild `--define` argument dies past Linux's 128 KiB per argument (E2BIG) and
 * an environment variable past 4 KB.
 */
export function writePlanFile(plan: DrPlan): string {
  const text = JSON.stringify(plan);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'edr-plans');
  const file = join(dir, `plan-${hash}.json`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Write then rename would be atomic; a second writer writes the same bytes, so a plain write is enough.
    writeFileSync(file, text);
  }
  return file;
}

/** The shell command (run by NodejsFunction after esbuild) that places the plan file beside the bundle. */
export function copyPlanCommand(planFile: string, outputDir: string): string {
  const quote = (path: string) => `'${path.replace(/'/g, "'\\''")}'`;
  return `cp ${quote(planFile)} ${quote(join(outputDir, PLAN_FILE_NAME))}`;
}
