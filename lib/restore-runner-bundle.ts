/**
 * Builds the dump restore runner's bundle (`functions/restore-runner/main.ts` → `main.js`) with the house esbuild
 * settings (`DR_BUNDLING`) for the image's Node.js, and places the plan beside it as `plan.json`, which the runner
 * reads by default. Local esbuild only, no Docker: the container image copies the folder this writes. No source
 * map: its paths would differ per build folder and change the image asset's hash (names are kept, so stack traces
 * stay readable).
 */
import { buildSync } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DR_BUNDLING, PLAN_FILE_NAME, PROJECT_ROOT } from './bundling';

/** File name of the runner's bundle in its folder. */
export const RESTORE_RUNNER_BUNDLE = 'main.js';
/** Node.js major of the runner's image (containers/restore-runner/Dockerfile), which the bundle targets. */
export const RESTORE_RUNNER_NODE_MAJOR = 22;

/** Bundles the runner into `outDir` (created if needed), with `planFile` copied beside it; returns the bundle's path. */
export function bundleRestoreRunner(outDir: string, planFile?: string): string {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, RESTORE_RUNNER_BUNDLE);
  buildSync({
    entryPoints: [join(PROJECT_ROOT, 'functions', 'restore-runner', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${RESTORE_RUNNER_NODE_MAJOR}`,
    minify: DR_BUNDLING.minify,
    keepNames: DR_BUNDLING.keepNames,
    // pg requires pg-native only when asked for its native binding, which the runner never is.
    external: [...DR_BUNDLING.externalModules, 'pg-native'],
    mainFields: [...DR_BUNDLING.mainFields],
    logLevel: 'error',
    absWorkingDir: PROJECT_ROOT,
  });
  if (planFile) copyFileSync(planFile, join(outDir, PLAN_FILE_NAME));
  return outfile;
}
