import { Stack } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, writePlanFile } from './bundling';
import { bundleRestoreRunner, RESTORE_RUNNER_NODE_MAJOR } from './restore-runner-bundle';
import type { DrPlan } from './plan';

/** The image's build context as kept in the repository: the Dockerfile. */
export const RESTORE_RUNNER_CONTEXT = join(PROJECT_ROOT, 'containers', 'restore-runner');
/** Folder of the build context the bundle goes to (the Dockerfile copies it to /opt/restore-runner). */
const BUNDLE_DIR = 'runner';

export interface RestoreRunnerImageProps {
  readonly plan: DrPlan;
}

/**
 * The restore runner's container image, for linux/arm64. Synth needs no Docker: `DockerImageAsset` only stages
 * its directory into the cloud assembly (Docker, Finch or buildx builds it at `cdk deploy`). That directory is
 * the Dockerfile plus the runner bundled by local esbuild (lib/restore-runner-bundle.ts) with the plan file beside
 * it; tests that skip bundling (`aws:cdk:bundling-stacks` empty) stage the Dockerfile alone, as
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
        NODE_MAJOR: String(RESTORE_RUNNER_NODE_MAJOR),
      },
    });
  }
}

/**
 * Writes the build context into a fresh folder (synths in parallel, as the tests run, never share one): the
 * Dockerfile, and the runner bundled by `bundleRestoreRunner` (lib/restore-runner-bundle.ts: the Lambdas' esbuild
 * settings, the plan beside it). The asset's hash is of the contents (no source map, whose paths would differ per
 * folder), so the same runner and plan give the same image.
 */
function stageBuildContext(plan: DrPlan): string {
  const root = join(tmpdir(), 'edr-restore-runner');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'context-'));
  cpSync(join(RESTORE_RUNNER_CONTEXT, 'Dockerfile'), join(dir, 'Dockerfile'));
  bundleRestoreRunner(join(dir, BUNDLE_DIR), writePlanFile(plan));
  return dir;
}
