/**
 * Benchmark helpers for the Lambda bundles: builds each `functions/*\/*handler.ts` the way DrFunction does
 * (settings from `lib/bundling.ts`), and measures cold import — a fresh `node` that `require`s the bundle
 * and exits — against an empty `node -e ""`, with `@aws-sdk/*` resolved from the project's node_modules
 * through NODE_PATH, as the Lambda runtime resolves it from its own.
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DR_BUNDLING, PLAN_FILE_NAME, PROJECT_ROOT, SOURCE_MAPS_NODE_OPTIONS } from '../lib/bundling';
import type { DrPlan } from '../lib/plan';

export { PROJECT_ROOT };
const NODE_MODULES = join(PROJECT_ROOT, 'node_modules');

/** Entry files of every Lambda, relative to the repository root, sorted. */
export function handlerEntries(root = PROJECT_ROOT): string[] {
  // A folder holds handler.ts, or several `<name>-handler.ts` (the approval gate's request and decision).
  return readdirSync(join(root, 'functions'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(root, 'functions', d.name))
        .filter((f) => f === 'handler.ts' || f.endsWith('-handler.ts'))
        .map((f) => join('functions', d.name, f)),
    )
    .filter((entry) => existsSync(join(root, entry)))
    .sort();
}

/** esbuild options equal to what NodejsFunction passes for DR_BUNDLING (CLI `--sourcemap` is linked); the plan is not compiled in. */
export function drEsbuildOptions(
  entry: string,
  outfile: string,
  target = DR_BUNDLING.target,
  sdk: SdkResolution = 'bundled',
): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target,
    minify: DR_BUNDLING.minify,
    keepNames: DR_BUNDLING.keepNames,
    sourcemap: DR_BUNDLING.sourceMap ? 'linked' : false,
    sourcesContent: DR_BUNDLING.sourcesContent,
    external: sdk === 'runtime' ? ['@aws-sdk/*'] : [...DR_BUNDLING.externalModules],
    mainFields: sdk === 'runtime' ? undefined : [...DR_BUNDLING.mainFields],
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
  };
}

/** One input package's share of a bundle. */
export interface PackageShare {
  readonly name: string;
  readonly bytes: number;
}

/** A built bundle and what is in it. */
export interface BundleResult {
  readonly name: string;
  readonly entry: string;
  readonly file: string;
  readonly target: string;
  readonly jsBytes: number;
  readonly mapBytes: number;
  readonly topPackages: PackageShare[];
  /** `@aws-sdk/*` packages the bundle requires at run time. */
  readonly externalSdk: string[];
  /** Environment variables named in `requireEnv(...)` calls of the bundle's own sources. */
  readonly requiredEnv: string[];
}

/** `node_modules/@scope/name/...` → `@scope/name`; project files → `(own code)`. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(own code)';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Bytes each package contributes to the output, biggest first. */
export function packageShares(metafile: Metafile, outfile: string): PackageShare[] {
  // Output keys are relative to the working directory; a build has one `.js` output (and its `.map`).
  const output = Object.entries(metafile.outputs).find(
    ([path]) => path.endsWith('.js') && resolve(PROJECT_ROOT, path) === resolve(outfile),
  );
  if (!output) return [];
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output[1].inputs)) {
    const name = packageOf(input);
    totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** String arguments of every `requireEnv(...)` call in the given sources. */
export function requiredEnvNames(sources: readonly string[]): string[] {
  const names = new Set<string>();
  for (const source of sources) {
    for (const call of source.matchAll(/requireEnv\(([^)]*)\)/g)) {
      for (const arg of call[1].matchAll(/['"]([A-Z0-9_]+)['"]/g)) names.add(arg[1]);
    }
  }
  return [...names].sort();
}

/** Where a bundle's AWS SDK comes from: bundled (as DrFunction deploys) or the Lambda runtime's (for comparison). */
export type SdkResolution = 'bundled' | 'runtime';

/** Builds one bundle into `outDir`; falls back to target node22 if esbuild rejects node24. */
export async function buildBundle(
  entry: string,
  outDir: string,
  plan: DrPlan,
  sdk: SdkResolution = 'bundled',
): Promise<BundleResult> {
  // `approval/request-handler.ts` is `approval request`; `janitor/handler.ts` is `janitor`.
  const [, folder, file0] = entry.split('/');
  const label = file0 === 'handler.ts' ? folder! : `${folder} ${file0!.replace(/-handler\.ts$/, '')}`;
  const name = `${label}${sdk === 'runtime' ? ' (SDK from the runtime)' : ''}`;
  const file = join(outDir, sdk, label.replace(' ', '-'), 'index.js');
  let target = DR_BUNDLING.target;
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build(drEsbuildOptions(entry, file, target, sdk));
  } catch (error) {
    if (!/target|node24/i.test(String(error))) throw error;
    target = 'node22';
    result = await build(drEsbuildOptions(entry, file, target, sdk));
  }
  // As DrFunction ships it: the plan beside the bundle, read once at cold start.
  writeFileSync(join(dirname(file), PLAN_FILE_NAME), JSON.stringify(plan));
  const metafile = result.metafile!;
  const ownSources = Object.keys(metafile.inputs)
    .filter((input) => !input.includes('node_modules/'))
    .map((input) => readFileSync(join(PROJECT_ROOT, input), 'utf8'));
  const externalSdk = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) if (imp.external && imp.path.startsWith('@aws-sdk/')) externalSdk.add(imp.path);
  }
  return {
    name,
    entry,
    file,
    target,
    jsBytes: statSync(file).size,
    mapBytes: existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0,
    topPackages: packageShares(metafile, file).slice(0, 5),
    externalSdk: [...externalSdk].sort(),
    requiredEnv: requiredEnvNames(ownSources),
  };
}

/**
 * The naive bundle DESIGN §8 speaks of, for comparison: middy, Powertools logger and metrics, an S3Client
 * and classic zod, everything bundled (the SDK too), otherwise the house settings.
 */
export async function buildNaiveBundle(
  outDir: string,
  target: string,
): Promise<{ file: string; jsBytes: number; topPackages: PackageShare[] }> {
  const entry = join(outDir, 'naive-entry.ts');
  writeFileSync(
    entry,
    [
      "import middy from '@middy/core';",
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
      "import { Metrics } from '@aws-lambda-powertools/metrics';",
      "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
      "import { S3Client, HeadObjectCommand } from '@aws-sdk/client-s3';",
      "import { z } from 'zod';",
      'const logger = new Logger();',
      "const metrics = new Metrics({ namespace: 'Naive' });",
      'const s3 = new S3Client({});',
      'const Input = z.object({ bucket: z.string().min(3), key: z.string() });',
      'export const handler = middy(async (event: unknown) => {',
      '  const { bucket, key } = Input.parse(event);',
      '  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));',
      '}).use(injectLambdaContext(logger)).use(logMetrics(metrics));',
    ].join('\n'),
  );
  const file = join(outDir, 'naive', 'index.js');
  const result = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target,
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    nodePaths: [NODE_MODULES],
    absWorkingDir: PROJECT_ROOT,
  });
  return { file, jsBytes: statSync(file).size, topPackages: packageShares(result.metafile!, file).slice(0, 5) };
}

/** Something to time in a fresh node process. */
export interface ColdTarget {
  readonly label: string;
  /** Module ids or absolute paths to `require`, in order; none: the empty process. */
  readonly requires: readonly string[];
  readonly env?: Record<string, string>;
  /** Extra NODE_OPTIONS, e.g. `--enable-source-maps`. */
  readonly nodeOptions?: string;
}

/** Cold-import numbers of one target, in ms beyond the empty process's median. */
export interface ColdResult {
  readonly label: string;
  readonly runs: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
  /** Absolute wall time, median. */
  readonly absoluteMedianMs: number | null;
  readonly error?: string;
}

/** Environment every child gets: no inherited AWS or NODE_OPTIONS settings, the SDK from NODE_PATH. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NODE_PATH: NODE_MODULES,
    AWS_REGION: 'us-east-1',
    POWERTOOLS_SERVICE_NAME: 'bench',
    POWERTOOLS_METRICS_NAMESPACE: 'EntmootDR',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...extra,
  };
}

/** Variables whose value has a shape a handler checks at cold start (JSON), with a realistic dummy. */
export const SHAPED_DUMMIES: Record<string, string> = {
  FRESHNESS_JOBS: JSON.stringify([{ job: 'janitor', stateMachine: 'bench-janitor', intervalHours: 24, graceHours: 2 }]),
  REPORTED_WORKFLOWS: JSON.stringify([
    { stateMachine: 'bench-janitor', descriptor: { workflow: 'janitor', title: 'Janitor', policy: 'onFailure' } },
  ]),
  STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:us-east-1:000000000000:stateMachine:',
};

/** Dummy values for required environment variables (shaped like what the stack passes). */
export function dummyEnv(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((n) => [
      n,
      SHAPED_DUMMIES[n] ??
        (n.endsWith('_ARN')
          ? `arn:aws:sns:us-east-1:000000000000:bench-${n.toLowerCase()}`
          : `bench-${n.toLowerCase().replace(/_/g, '-')}`),
    ]),
  );
}

function runOnce(target: ColdTarget): { ms: number; error?: string } {
  const script = target.requires.map((id) => `require(${JSON.stringify(id)});`).join('');
  const env = childEnv({ ...target.env, ...(target.nodeOptions ? { NODE_OPTIONS: target.nodeOptions } : {}) });
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-e', script], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) {
    // The first `SomethingError: message` line; minified bundles print a source line before it.
    const line = (child.stderr ?? '').split('\n').find((l) => /^[A-Za-z]*Error\b/.test(l)) ?? `exit ${child.status}`;
    return { ms, error: line.slice(0, 200) };
  }
  return { ms };
}

/** The q-quantile (0..1) of numbers, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Times every target `runs` times, interleaved with the empty process round by round (so drift in machine
 * load hits all alike), after one untimed warm-up round (file cache). Returns the empty process's median and,
 * per target, median and p90 of (wall time − empty median).
 */
export function measureColdImports(
  targets: readonly ColdTarget[],
  runs: number,
): { emptyMedianMs: number; emptyP90Ms: number; results: ColdResult[] } {
  const empty: ColdTarget = { label: 'empty node', requires: [] };
  const samples = new Map<string, number[]>(targets.map((t) => [t.label, []]));
  const errors = new Map<string, string>();
  const emptySamples: number[] = [];
  for (let round = -1; round < runs; round++) {
    const r = runOnce(empty);
    if (round >= 0) emptySamples.push(r.ms);
    for (const target of targets) {
      if (errors.has(target.label)) continue;
      const result = runOnce(target);
      if (result.error) errors.set(target.label, result.error);
      else if (round >= 0) samples.get(target.label)!.push(result.ms);
    }
  }
  const emptyMedian = quantile(emptySamples, 0.5);
  const results = targets.map((t): ColdResult => {
    const error = errors.get(t.label);
    const s = samples.get(t.label)!;
    if (error || s.length === 0)
      return { label: t.label, runs: s.length, medianMs: null, p90Ms: null, absoluteMedianMs: null, error };
    const beyond = s.map((ms) => ms - emptyMedian);
    return {
      label: t.label,
      runs: s.length,
      medianMs: round1(quantile(beyond, 0.5)),
      p90Ms: round1(quantile(beyond, 0.9)),
      absoluteMedianMs: round1(quantile(s, 0.5)),
    };
  });
  return { emptyMedianMs: round1(emptyMedian), emptyP90Ms: round1(quantile(emptySamples, 0.9)), results };
}

/** NODE_OPTIONS of a function deployed with `enableSourceMaps`, for the comparison row. */
export const LAMBDA_NODE_OPTIONS = SOURCE_MAPS_NODE_OPTIONS;
