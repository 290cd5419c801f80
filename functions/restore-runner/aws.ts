/**
 * What the runner takes from its surroundings: the plan file, the S3 client (region and endpoint from the
 * environment, the SDK's default credential chain: the task role in Fargate), the report's upload.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import type { DrPlan } from '../../lib/plan';
import { CLIENT_RETRY } from '../shared/clients';
import type { RestoreReport } from './report';
import type { RunnerDeps } from './run-restore';

/** The plan's fields the runner reads, to refuse a file that is not a plan before any work. */
const REQUIRED_PATHS = [
  ['backups', 'requiredTables'],
  ['backups', 'validationQueries'],
  ['backups', 'validation'],
  ['recoveryTargets', 'restoreFromBackup', 'rtoMinutes'],
  ['timeouts', 'workflowMinutes', 'dumpRestoreTest'],
  ['workload', 'dumpRestore', 'ignorableExtensions'],
] as const;

/**
 * Reads a plan JSON file that the CDK app validated (the bundle's `plan.json`, or `--plan`): no schema library
 * in the bundle, only a check that the fields the runner reads are there.
 */
export function readRunnerPlan(file: string): { ok: true; plan: DrPlan } | { ok: false; message: string } {
  let plan: unknown;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      message: `the plan file ${file} cannot be read (${code ?? (error instanceof Error ? error.message : String(error))}): pass --plan FILE`,
    };
  }
  for (const path of REQUIRED_PATHS) {
    let node: unknown = plan;
    for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
    if (node === undefined)
      return {
        ok: false,
        message: `the plan file ${file} has no ${path.join('.')}: it is not a plan the CDK app validated (cdk synth writes it)`,
      };
  }
  return { ok: true, plan: plan as DrPlan };
}

/** The region for `s3://` sources and the report, from the environment (ECS sets `AWS_REGION`). */
export function regionOf(env: NodeJS.ProcessEnv): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/** The runner's dependencies in the real world. */
export function runnerDeps(env: NodeJS.ProcessEnv): RunnerDeps {
  let client: S3Client | undefined;
  return {
    env,
    now: Date.now,
    s3: () => {
      const region = regionOf(env);
      if (!region) return undefined;
      // The SDK reads AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL itself (a local S3-compatible server in tests).
      client ??= new S3Client({ region, ...CLIENT_RETRY });
      return client;
    },
  };
}

/** Uploads the report as JSON. */
export async function writeReportToS3(
  report: RestoreReport,
  bucket: string,
  key: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const region = regionOf(env);
  if (!region) throw new Error('no region: set AWS_REGION');
  const s3 = new S3Client({ region, ...CLIENT_RETRY });
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(report, null, 2),
      ContentType: 'application/json',
    }),
  );
}
