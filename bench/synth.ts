/**
 * Benchmark of `cdk synth`: the CLI as developers run it (`npx cdk synth --no-notices -q`, telemetry off),
 * writing into a temporary output directory so the repository's cdk.out is left alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile } from './bundles';

/** Synth timings: every run's wall time and their median, or the failure. */
export interface SynthResult {
  readonly runs: number[];
  readonly medianMs: number | null;
  readonly error?: string;
}

/** Runs `cdk synth` `runs` times in `projectRoot`; stops at the first failure and reports it. */
export function benchSynth(projectRoot: string, runs = 3): SynthResult {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'edr-bench-synth-'));
    try {
      const started = process.hrtime.bigint();
      const child = spawnSync('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', out], {
        cwd: projectRoot,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (child.status !== 0) {
        const lines = `${child.stderr ?? ''}`.trim().split('\n');
        return {
          runs: times,
          medianMs: times.length ? Math.round(quantile(times, 0.5)) : null,
          error: `exit ${child.status}: ${lines.slice(-5).join(' | ').slice(0, 600)}`,
        };
      }
      times.push(Math.round(ms));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return { runs: times, medianMs: Math.round(quantile(times, 0.5)) };
}
