/**
 * Builds the dump restore runner's bundle (`functions/restore-runner/main.ts` → `restore-runner.js`) with the
 * house esbuild settings (`DR_BUNDLING`), and places the plan beside it as `plan.json`, which the runner reads
 * by default. Local esbuild only, no Docker: the container image copies the folder this writes.
 */
import { buildSync } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DR_BUNDLING, PLAN_FILE_NAME, PROJECT_ROOT } from './bundling';

/** File name of the runner's bundle in its folder. */
export const RESTORE_RUNNER_BUNDLE = 'restore-runner.js';

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
    target: DR_BUNDLING.target,
    minify: DR_BUNDLING.minify,
    keepNames: DR_BUNDLING.keepNames,
    sourcemap: DR_BUNDLING.sourceMap ? 'linked' : false,
    sourcesContent: DR_BUNDLING.sourcesContent,
    external: [...DR_BUNDLING.externalModules],
    mainFields: [...DR_BUNDLING.mainFields],
    logLevel: 'error',
    absWorkingDir: PROJECT_ROOT,
  });
  if (planFile) copyFileSync(planFile, join(outDir, PLAN_FILE_NAME));
  return outfile;
}
