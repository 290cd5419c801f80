/**
 * Benchmark of the dump restore runner, through its bundle (`node main.js`, as the container runs it):
 *
 * - Restore throughput: the ≥ 200 MB dump of bench/dump-integrity.ts restored into a throwaway server at
 *   `-j` 1, 2 and 4; MB/s is the dump's size over pg_restore's seconds (from the report), with the total.
 * - Peak RSS while downloading: 50 MB and 200 MB objects (random bytes) served by the local S3 test server to
 *   a real S3Client; the runner streams each to disk (then its pre-flight calls the bytes no dump and it stops,
 *   exit 1). Peak RSS is the process's `maxRSS` at exit, read by a preloaded module: it must not grow with size.
 *
 * Starts its own PostgreSQL to make the dump. Run alone with `npx tsx bench/restore-runner.ts`.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RestoreReport } from '../functions/restore-runner/report';
import { writePlanFile } from '../lib/bundling';
import { defaultPlan } from '../lib/plan';
import { bundleRestoreRunner } from '../lib/restore-runner-bundle';
import { startPostgres, stopPostgres } from '../test/support/postgres';
import { startS3Server } from '../test/support/s3-server';
import { generateBenchDump } from './dump-integrity';

const MB = 1024 * 1024;

/** Runs the bundle with `args`, returns its report and peak RSS in bytes. */
async function runBundle(
  bundle: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<{ code: number | null; report: RestoreReport; maxRssBytes: number }> {
  const rssFile = join(dir, `rss-${Date.now()}`);
  const preload = join(dir, 'max-rss.js');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const child = spawn(process.execPath, ['--require', preload, bundle, ...args, '--json'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  let report: RestoreReport;
  try {
    report = JSON.parse(stdout) as RestoreReport;
  } catch {
    throw new Error(`the runner printed no report (exit ${code}): ${stderr.split('\n')[0]}`);
  }
  // maxRSS is in kilobytes.
  return { code, report, maxRssBytes: Number(readFileSync(rssFile, 'utf8')) * 1024 };
}

/** Writes `bytes` random bytes to `file`, a megabyte at a time. */
function randomFile(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; written += MB) writeSync(fd, randomBytes(Math.min(MB, bytes - written)));
  } finally {
    closeSync(fd);
  }
}

/** Restore throughput at -j 1, 2, 4 and peak RSS while downloading 50 and 200 MB. */
export async function benchRestoreRunner(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'edr-bench-restore-'));
  const server = await startPostgres();
  try {
    const dump = join(dir, 'bench.dump');
    const { dumpBytes, generationMs } = await generateBenchDump(server, dump);
    stopPostgres(server);
    const bundle = bundleRestoreRunner(join(dir, 'bundle'), writePlanFile(defaultPlan()));
    const env = { EDR_PG_BINDIR: server.binDir };

    const restores: Record<string, unknown>[] = [];
    for (const jobs of [1, 2, 4]) {
      // The dump's own freshness is not what is measured: the reference time is the dump's.
      const { code, report } = await runBundle(bundle, [dump, '--jobs', String(jobs)], env, dir);
      const restoreSeconds = report.timings.restoreSeconds ?? Number.NaN;
      restores.push({
        jobs,
        exitCode: code,
        restoreSeconds,
        mbPerSecond: Math.round((dumpBytes / MB / restoreSeconds) * 10) / 10,
        validationSeconds: report.timings.validationSeconds,
        totalSeconds: report.timings.totalSeconds,
      });
    }

    const s3 = await startS3Server();
    const downloads: Record<string, unknown>[] = [];
    try {
      for (const size of [50, 200]) {
        const file = join(dir, `object-${size}`);
        randomFile(file, size * MB);
        s3.putFile('bench', `object-${size}`, file);
        const { code, report, maxRssBytes } = await runBundle(
          bundle,
          [`s3://bench/object-${size}`],
          {
            ...env,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
            AWS_SECRET_ACCESS_KEY: 'secret',
            AWS_ENDPOINT_URL_S3: s3.url,
          },
          dir,
        );
        rmSync(file);
        downloads.push({
          objectMB: size,
          exitCode: code,
          downloadSeconds: report.timings.downloadSeconds,
          peakRssMB: Math.round((maxRssBytes / MB) * 10) / 10,
        });
      }
    } finally {
      await s3.close();
    }
    return { dumpBytes, generationMs, restores, downloads };
  } finally {
    // Stopping twice is harmless: the second finds no server and no folder.
    stopPostgres(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchRestoreRunner().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
