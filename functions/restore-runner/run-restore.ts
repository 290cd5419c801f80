/**
 * The dump restore runner's run: source, pre-flight, restore, validation, report. (Being written: this first
 * version only reports that it cannot run yet, so the entry, report type and exit codes can be built on.)
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DrPlan } from '../../lib/plan';
import type { RunnerOptions } from './options';
import { EXIT_CODES, type RestoreReport } from './report';

/** What the run takes from its surroundings. */
export interface RunnerDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  /** The S3 client of the environment's region; undefined when no region is set. */
  readonly s3: () => Pick<S3Client, 'send'> | undefined;
}

/** Runs one restore test and returns its report; never throws. */
export async function runRestore(
  options: RunnerOptions,
  _plan: DrPlan,
  deps: RunnerDeps,
  _interrupt: AbortSignal,
): Promise<RestoreReport> {
  const at = new Date(deps.now()).toISOString();
  return {
    reportVersion: 1,
    execution: options.execution ?? null,
    database: options.database ?? null,
    source: {
      location: options.source,
      kind: options.source.startsWith('s3://') ? 's3' : 'file',
      sizeBytes: null,
      lastModified: null,
      etag: null,
    },
    dump: null,
    versions: { pgRestore: null, server: null, postgis: null, node: process.version },
    restoredInto: null,
    referenceTime: null,
    sweptDatabases: [],
    startedAt: at,
    finishedAt: at,
    timings: { downloadSeconds: null, restoreSeconds: null, validationSeconds: null, totalSeconds: 0 },
    restore: { exitCode: null, jobs: options.jobs, errors: [], warnings: [], errorCount: 0 },
    results: [],
    verdict: 'runner-failed',
    exitCode: EXIT_CODES.runnerFailed,
    summary: 'not implemented yet',
  };
}
