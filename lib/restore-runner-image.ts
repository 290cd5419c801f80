import { Stack } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DR_BUNDLING, PLAN_FILE_NAME, PROJECT_ROOT, writePlanFile } from './bundling';
import type { DrPlan } from './plan';

/** The image's build context as kept in the repository: the Dockerfile. */
export const RESTORE_RUNNER_CONTEXT = join(PROJECT_ROOT, 'containers', 'restore-runner');
/** The runner program the image runs (a Node program: arguments and environment in, report out, exit code). */
export const RESTORE_RUNNER_ENTRY = join(PROJECT_ROOT, 'functions', 'restore-runner', 'main.ts');
/** Node.js major of the image (the Dockerfile's NODE_MAJOR), which the bundle targets. */
const NODE_MAJOR = 22;
/** Folder of the build context the bundle goes to (the Dockerfile copies it to /opt/restore-runner). */
const BUNDLE_DIR = 'runner';

export interface RestoreRunnerImageProps {
  readonly plan: DrPlan;
}

/**
 * The restore runner's container image, for linux/arm64. Synth needs no Docker: `DockerImageAsset` only stages
 * its directory into the cloud assembly (Docker, Finch or buildx builds it at `cdk deploy`). That directory is
 * the Dockerfile plus the runner bundled by local esbuild (the Lambdas' settings, lib/bundling.ts) and the plan
 * file beside it; tests that skip bundling (`aws:cdk:bundling-stacks` empty) stage the Dockerfile alone, as
 * NodejsFunction then skips esbuild.
 */
export class RestoreRunnerImage extends Construct {
  public readonly asset: ecrAssets.DockerImageAsset;

  constructor(scope: Construct, id: string, props: RestoreRunnerImageProps) {
    super(scope, id);
    const directory = Stack.of(this).bundlingRequired ? stageBuildContext(props.plan) : RESTORE_RUNNER_CONTEXT;
    this.asset = new ecrAssets.DockerImageAsset(this, 'Asset', {
      directory,
      platform: ecrAssets.Platform.LINUX_ARM64,
      buildArgs: {
        POSTGRES_MAJOR: String(props.plan.workload.dumpRestore.postgresMajor),
        NODE_MAJOR: String(NODE_MAJOR),
      },
    });
  }
}

/**
 * Writes the build context into a folder named by the plan's hash: the Dockerfile, the runner bundle (no source
 * map: its paths would differ per folder and change the asset's hash, so every deploy would rebuild the image;
 * names are kept, so stack traces stay readable) and `plan.json`.
 */
function stageBuildContext(plan: DrPlan): string {
  const planFile = writePlanFile(plan);
  const hash = createHash('sha256').update(planFile).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'edr-restore-runner', hash);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, BUNDLE_DIR), { recursive: true });
  cpSync(join(RESTORE_RUNNER_CONTEXT, 'Dockerfile'), join(dir, 'Dockerfile'));
  buildSync({
    entryPoints: [RESTORE_RUNNER_ENTRY],
    outfile: join(dir, BUNDLE_DIR, 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${NODE_MAJOR}`,
    minify: DR_BUNDLING.minify,
    keepNames: DR_BUNDLING.keepNames,
    mainFields: [...DR_BUNDLING.mainFields],
    // pg requires pg-native only when asked for its native binding, which the runner never is.
    external: ['pg-native'],
    logLevel: 'error',
    absWorkingDir: PROJECT_ROOT,
  });
  cpSync(planFile, join(dir, BUNDLE_DIR, PLAN_FILE_NAME));
  return dir;
}
