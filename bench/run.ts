/**
 * `npm run bench`: the numbers DESIGN §7 asks for, printed as one table per section and written as JSON to
 * `bench/out/latest.json`. Numbers for the record, not pass/fail: the only exit code other than 0 is a
 * section that could not run at all.
 *
 * 1. Bundles — every `functions/*\/handler.ts` built with esbuild's JS API and DrFunction's settings
 *    (`lib/bundling.ts`: platform node, cjs, target node24 — node22 if esbuild rejected it, which 0.28 does
 *    not —, minify keeping names, source map, the SDK bundled from its ES-module builds, the default plan
 *    shipped beside the bundle as `plan.json`, read once at cold start), and each again with the SDK left to the runtime, for comparison.
 *    The source map is *linked*, as NodejsFunction's `sourceMap: true` makes it (esbuild `--sourcemap`): an
 *    external map without the `sourceMappingURL` comment would make `--enable-source-maps` a no-op and hide
 *    its cost. Bytes of the `.js` and `.map`, and the five biggest packages by bytes in the output.
 * 2. Cold import — a fresh `node -e 'require(bundle)'`, N = 15 times (EDR_BENCH_RUNS overrides), interleaved
 *    round by round with an empty `node -e ""`; reported as median and p90 of (wall time − the empty
 *    process's median). A bundle that leaves the SDK to the runtime resolves it as in Lambda, from
 *    node_modules through NODE_PATH, so its load is included. Each bundle is timed without and with `NODE_OPTIONS=--enable-source-maps` (what DrFunction
 *    sets only with `enableSourceMaps`). Goal: ≤ 80 ms beyond empty node, judged on the deployed default
 *    configuration (source maps shipped, not enabled).
 *    Context rows: the naive bundle of DESIGN §8 (middy + Powertools + S3Client + classic zod, all bundled);
 *    and the bare `require` of the SDK packages each bundle requires (the floor any bundle of that handler
 *    pays while the SDK is the runtime's).
 * 3. Synth — `npx cdk synth --no-notices -q -o <tmp>`, 3 runs, median.
 * 4. Backup checks — `benchDumpIntegrity()` (starts its own PostgreSQL, builds a ≥ 200 MB dump) and
 *    `benchBackupCount()` (100,000 objects behind a mocked S3Client).
 * 5. Database validator — `benchValidator()`: 1,000,000 GiST-indexed, analyzed buildings on its own PostgreSQL
 *    with ssl=on, validated as dr_validator over TLS; medians of connect, total and each query (5 runs).
 * 6. Fleet — `benchFleet()` (bench/fleet.ts): 10, 120 and 500 databases; synth seconds, resources per stack,
 *    template KB, largest role policy, managed policies per role, largest state payload of a simulated weekly run,
 *    cold import of the largest bundle with the plan shipped beside it.
 * 7. Approvals — `benchApprove()`: `entmoot-dr approve` end to end against a local endpoint answering after 50 ms.
 * 8. Snapshot restore test — `benchRestoreTest()` (bench/restore-test.ts): states, Task calls and history events per
 *    database of the parent and its child runs, databases per parent before the history limit, orchestration time
 *    beyond the AWS operations, harness wall time.
 * 9. Dump restore runner — `benchRestoreRunner()` (bench/restore-runner.ts): the ≥ 200 MB dump restored by the
 *    bundled runner into a throwaway server at -j 1, 2, 4 (MB/s over pg_restore's seconds); the runner's peak RSS
 *    while streaming 50 MB and 200 MB objects from the local S3 test server.
 * 10. Failover readiness — `benchFailoverReadiness()` (bench/failover-readiness.ts): time to the DNS verdict with
 *    four local name servers, one silent, and to the ARC verdict with the first two cluster endpoints never
 *    answering (goal: each under 15 s).
 * 11. Point-in-time recovery — `benchPitr()` (bench/pitr.ts): a simulated successful run, every call answering after
 *    50 ms and each function's first invocation paying its measured cold import; orchestration overhead against the
 *    data-corruption RTO (goal: under 2 minutes).
 * 12. Replication and posture checks — `benchFleetChecks()` (bench/fleet-checks.ts): the real batch logic over 500
 *    databases and 500 replicated buckets, clients answering after 50 ms; calls per target, rates per service and
 *    region beside their limits, wall time, the slowest batch against the Lambda timeout.
 *
 * The host matters: absolute times here are from whatever machine runs it (`environment` in the JSON says
 * which Node and how many CPUs); Lambda runs Node 24 on its own CPUs, so compare rows, not machines.
 */
import { version as esbuildVersion } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPlan } from '../lib/plan';
import { benchApprove } from './approve';
import { benchBackupCount } from './backup-count';
import {
  LAMBDA_NODE_OPTIONS,
  PROJECT_ROOT,
  buildBundle,
  buildNaiveBundle,
  dummyEnv,
  handlerEntries,
  measureColdImports,
  type BundleResult,
  type ColdTarget,
} from './bundles';
import { benchDumpIntegrity } from './dump-integrity';
import { benchFailoverReadiness } from './failover-readiness';
import { benchFleet } from './fleet';
import { benchFleetChecks } from './fleet-checks';
import { benchNotificationSize } from './notification-size';
import { benchPitr } from './pitr';
import { benchRestoreTest } from './restore-test';
import { benchRestoreRunner } from './restore-runner';
import { benchSynth } from './synth';
import { benchValidator } from './validator';

const GOAL_MS = 80;
const RUNS = Number(process.env.EDR_BENCH_RUNS ?? 15);

type Row = (string | number | null | undefined)[];

function table(header: string[], rows: Row[]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  // Text columns (the first and the last) left-aligned, numbers right-aligned.
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function heading(title: string): void {
  console.log(`\n== ${title} ==`);
}

async function section<T>(name: string, run: () => Promise<T> | T): Promise<T | { error: string }> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.log(`${name} could not run: ${message}`);
    return { error: message };
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'edr-bench-'));
  const report: Record<string, unknown> = {
    at: new Date().toISOString(),
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      esbuild: esbuildVersion,
    },
  };
  let failed = false;
  try {
    heading(
      '1. Bundles (esbuild, DrFunction settings: SDK bundled from its ES-module builds; the runtime-SDK variant for comparison)',
    );
    const plan = defaultPlan();
    const bundles = await section('Bundles', async () => {
      const built: BundleResult[] = [];
      for (const entry of handlerEntries()) built.push(await buildBundle(entry, work, plan));
      for (const entry of handlerEntries()) built.push(await buildBundle(entry, work, plan, 'runtime'));
      console.log(
        table(
          ['bundle', 'target', 'js', 'map', 'top packages (bytes in output)'],
          built.map((b) => [
            b.name,
            b.target,
            kb(b.jsBytes),
            kb(b.mapBytes),
            b.topPackages.map((p) => `${p.name} ${kb(p.bytes)}`).join(', '),
          ]),
        ),
      );
      for (const b of built)
        console.log(
          `${b.name}: requires ${b.externalSdk.join(', ') || 'no SDK'} at run time; env ${b.requiredEnv.join(', ') || 'none'}`,
        );
      return built;
    });
    report.bundles = bundles;

    heading(
      `2. Cold import (fresh node, ${RUNS} runs each, ms beyond empty node; a runtime SDK resolves from NODE_PATH)`,
    );
    report.coldImport = await section('Cold import', async () => {
      if (!Array.isArray(bundles)) throw new Error('no bundles to time');
      const naive = await buildNaiveBundle(work, bundles[0]?.target ?? 'node24');
      const targets: ColdTarget[] = [];
      const floors = new Map<string, string[]>();
      for (const b of bundles) {
        const env = dummyEnv(b.requiredEnv);
        targets.push({ label: b.name, requires: [b.file], env });
        if (b.externalSdk.length === 0)
          targets.push({
            label: `${b.name} +enable-source-maps`,
            requires: [b.file],
            env,
            nodeOptions: LAMBDA_NODE_OPTIONS,
          });
        // The SDK packages the bundle itself requires: the floor no handler code can go below.
        if (b.externalSdk.length > 0)
          floors.set(
            `sdk only: ${b.externalSdk.map((p) => p.replace('@aws-sdk/client-', '')).join('+')} (${b.name} needs)`,
            b.externalSdk,
          );
      }
      for (const [label, requires] of floors) targets.push({ label, requires });
      targets.push({ label: `naive bundle (${kb(naive.jsBytes)}, SDK bundled)`, requires: [naive.file] });
      const measured = measureColdImports(targets, RUNS);
      const deployed = new Set(bundles.filter((b) => b.externalSdk.length === 0).map((b) => b.name));
      console.log(`empty node: median ${measured.emptyMedianMs} ms, p90 ${measured.emptyP90Ms} ms (absolute)`);
      console.log(
        table(
          ['import', 'median', 'p90', 'absolute', `goal ≤ ${GOAL_MS}`],
          measured.results.map((r) => [
            r.label,
            r.medianMs,
            r.p90Ms,
            r.absoluteMedianMs,
            r.error
              ? `ERROR ${r.error}`
              : deployed.has(r.label)
                ? r.medianMs! <= GOAL_MS
                  ? 'met'
                  : `over by ${Math.round(r.medianMs! - GOAL_MS)}`
                : '',
          ]),
        ),
      );
      console.log(`naive bundle top packages: ${naive.topPackages.map((p) => `${p.name} ${kb(p.bytes)}`).join(', ')}`);
      return {
        goalMs: GOAL_MS,
        runs: RUNS,
        ...measured,
        naive: { jsBytes: naive.jsBytes, topPackages: naive.topPackages },
      };
    });

    heading('3. Synth (npx cdk synth --no-notices -q -o <tmp>, 3 runs)');
    report.synth = await section('Synth', () => {
      const synth = benchSynth(PROJECT_ROOT, 3);
      console.log(
        table(['runs (ms)', 'median (ms)', 'error'], [[synth.runs.join(', '), synth.medianMs, synth.error ?? '']]),
      );
      return synth;
    });

    heading('3b. Notification size (a 2,000-result weekly report, 20 failing)');
    report.notification = await section('Notification size', () => {
      const n = benchNotificationSize();
      console.log(
        table(['results', 'failing', 'bytes published', 'SNS limit'], [[n.results, n.failing, n.bytes, n.limitBytes]]),
      );
      return n;
    });

    heading('4. Backup checks');
    const integrity = await section('Dump integrity', benchDumpIntegrity);
    if (!('error' in integrity)) {
      const r = integrity as Record<string, number>;
      console.log(
        table(
          ['dump integrity', 'value'],
          [
            ['dump size', `${(r.dumpBytes / 1024 / 1024).toFixed(1)} MB`],
            ['TOC entries', r.tocEntries],
            ['bytes read by the check', `${r.bytesRead} (${(r.fractionRead * 100).toFixed(4)} % of the dump)`],
            ['range reads', r.reads],
            ['bytes the plan script downloads', r.scriptBytesRead],
            ['read time', `${r.readMs} ms`],
            ['dump generation', `${(r.generationMs / 1000).toFixed(1)} s`],
          ],
        ),
      );
    }
    const count = await section('Backup count', benchBackupCount);
    if (!('error' in count))
      console.log(
        table(
          ['backup count', 'value'],
          Object.entries(count).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
        ),
      );
    report.backupChecks = { dumpIntegrity: integrity, backupCount: count };

    heading('5. Database validator (1,000,000 buildings, GiST-indexed, analyzed; dr_validator over TLS; medians)');
    const validator = await section('Database validator', benchValidator);
    if (!('error' in validator)) {
      const v = validator as {
        connectMedianMs: number;
        totalMedianMs: number;
        runs: number;
        queries: Record<string, number>;
        notPassing: string[];
      };
      console.log(
        table(
          ['validator', 'median ms'],
          [
            ['connect (TCP + TLS + SCRAM with the token)', v.connectMedianMs],
            [`validateDatabase, all checks (${v.runs} runs)`, v.totalMedianMs],
            ...Object.entries(v.queries).map(([name, value]) => [`  ${name}`, value]),
          ],
        ),
      );
      if (v.notPassing.length > 0) console.log(`not passing: ${v.notPassing.join('; ')}`);
    }
    report.validator = validator;

    heading('6. Fleet (10, 120, 500 databases and as many backups buckets; synth in-process; a simulated weekly run)');
    report.fleet = await section('Fleet', async () => {
      const rows = await benchFleet([10, 120, 500], work);
      console.log(
        table(
          [
            'databases',
            'synth s',
            'resources',
            'template KB',
            'largest role policy',
            'managed/role',
            'largest state payload',
            'cold import ms',
            'bundle',
          ],
          rows.map((r) => [
            r.databases,
            r.synthSeconds,
            Object.values(r.resources).join(' / '),
            Object.values(r.templateKb).join(' / '),
            r.largestRolePolicyChars,
            r.maxManagedPoliciesPerRole,
            `${r.largestStatePayloadBytes} (${r.runStatus})`,
            r.coldImportMedianMs,
            r.largestBundle,
          ]),
        ),
      );
      return rows;
    });

    heading(`7. Approvals: entmoot-dr approve end to end, the endpoint answering after 50 ms (medians)`);
    const approve = await section('Approve', () => benchApprove());
    if (!('error' in approve)) {
      const a = approve as Record<string, number>;
      console.log(
        table(
          ['approve', 'median ms'],
          [
            [
              `in process: plan, DescribeStacks (mocked), SigV4, request (${a.inProcessRuns} runs)`,
              a.inProcessMedianMs,
            ],
            ['  of which beyond the endpoint’s 50 ms', a.inProcessBeyondDelayMs],
            [`whole command, node bin/entmoot-dr-cli.cjs (${a.processRuns} runs)`, a.processMedianMs],
          ],
        ),
      );
    }
    report.approve = approve;

    heading(
      '8. Snapshot restore test: the synthesized parent and child run by the harness (AWS operations in the model)',
    );
    const restoreTest = await section('Snapshot restore test', () => benchRestoreTest());
    if (!('error' in restoreTest)) {
      const r = restoreTest as Record<string, number | string>;
      console.log(
        table(
          ['snapshot restore test', 'value'],
          [
            [
              'child run per database: states entered / Task calls',
              `${r.childStatesPerDatabase} / ${r.childTaskCallsPerDatabase}`,
            ],
            [
              'parent per database: states entered / Task calls',
              `${r.parentStatesPerDatabase} / ${r.parentTaskCallsPerDatabase}`,
            ],
            [
              `child history events with the wait at its bound (the RTO; ${r.childRunAtBound})`,
              `${r.childEventsAtRtoBound} of ${r.historyLimit}`,
            ],
            ['parent history events: fixed + per database', `${r.parentFixedEvents} + ${r.parentEventsPerDatabase}`],
            ['databases one parent can take before 25,000 events', r.databasesPerParentBeforeLimit],
            [
              `model seconds per database at a ${r.pollSeconds} s poll: AWS operations / orchestration added`,
              `${r.awsOperationSeconds} / ${r.orchestrationSecondsPerDatabase}`,
            ],
            ['harness wall time, parent over two databases (median of 3)', `${r.harnessWallMsMedian} ms`],
          ],
        ),
      );
    }
    report.restoreTest = restoreTest;
    heading('9. Dump restore runner (the bundle, a throwaway server; the ≥ 200 MB dump of section 4)');
    const restoreRunner = await section('Restore runner', () => benchRestoreRunner());
    if (!('error' in restoreRunner)) {
      const r = restoreRunner as {
        dumpBytes: number;
        restores: {
          jobs: number;
          exitCode: number;
          restoreSeconds: number;
          mbPerSecond: number;
          totalSeconds: number;
        }[];
        downloads: { objectMB: number; exitCode: number; downloadSeconds: number; peakRssMB: number }[];
      };
      console.log(
        table(
          ['pg_restore', 'restore s', 'MB/s', 'total s', 'exit'],
          r.restores.map((x) => [
            `-j ${x.jobs} (${(r.dumpBytes / 1024 / 1024).toFixed(0)} MB)`,
            x.restoreSeconds,
            x.mbPerSecond,
            x.totalSeconds,
            x.exitCode,
          ]),
        ),
      );
      console.log(
        table(
          ['download from S3', 'download s', 'peak RSS MB'],
          r.downloads.map((x) => [`${x.objectMB} MB object`, x.downloadSeconds, x.peakRssMB]),
        ),
      );
    }
    report.restoreRunner = restoreRunner;

    heading('10. Failover readiness: DNS and ARC verdicts with part of what they ask down (goal: each under 15 s)');
    const readiness = await section('Failover readiness', () => benchFailoverReadiness());
    if (!('error' in readiness)) {
      const r = readiness as Record<string, number | string>;
      const goal = (ms: number | string) => (Number(ms) < Number(r.goalMs) ? 'met' : 'missed');
      console.log(
        table(
          ['failover readiness', 'median ms', 'max ms', 'goal < 15 s'],
          [
            [
              `DNS verdict, 4 name servers, 1 silent (${r.dnsTimeoutMs} ms x ${r.dnsUdpAttempts} sends; ${r.dnsRuns} runs)`,
              r.dnsMedianMs,
              r.dnsMaxMs,
              goal(r.dnsMaxMs!),
            ],
            [
              `ARC verdict, both controls, first 2 of 3 endpoints silent (${r.arcRuns} runs)`,
              r.arcMedianMs,
              r.arcMaxMs,
              goal(r.arcMaxMs!),
            ],
            [
              `failover path batch (checks 2-6), all of the above down and the primary unreachable (${r.pathRuns} runs)`,
              r.pathMedianMs,
              r.pathMaxMs,
              goal(r.pathMaxMs!),
            ],
          ],
        ),
      );
      console.log(`verdicts: DNS ${r.dnsVerdict}; ARC ${String(r.arcVerdict).split(' (')[0]}`);
    }
    report.failoverReadiness = readiness;
    heading(
      '11. Point-in-time recovery: a simulated successful run, every call answering after 50 ms, cold starts measured',
    );
    const pitr = await section('Point-in-time recovery', () => benchPitr());
    if (!('error' in pitr)) {
      const p = pitr as Record<string, number>;
      console.log(
        table(
          ['point-in-time recovery', 'value'],
          [
            ['run time (s)', p.runSeconds],
            ['RDS restore until available (s, the model’s)', p.rdsRestoreSeconds],
            [`orchestration overhead (s; goal under ${p.goalSeconds})`, p.overheadSeconds],
            ['worst-case polling slack (s, one poll interval)', p.worstCasePollingSlackSeconds],
            ['state transitions / task calls', `${p.stateTransitions} / ${p.taskCalls}`],
            [
              'cold import: recovery / validator / report (ms)',
              `${p.coldImportRecoveryMs} / ${p.coldImportValidatorMs} / ${p.coldImportReportMs}`,
            ],
            [`share of the ${p.rtoSeconds / 60}-minute RTO left for RDS (%)`, p.rtoShareLeftForRdsPercent],
          ],
        ),
      );
    }
    report.pitr = pitr;

    heading(
      '12. Replication and posture checks: 500 databases, 500 replicated buckets, clients answering after 50 ms (fleet.batchSize, fleet.maxConcurrency)',
    );
    const fleetChecks = await section('Fleet checks', () => benchFleetChecks(500));
    if (Array.isArray(fleetChecks)) {
      console.log(
        table(
          [
            'workflow',
            'batches',
            'wall s',
            'slowest batch s',
            'of Lambda timeout',
            'calls/db',
            'calls/bucket',
            'max GetMetricData queries',
          ],
          fleetChecks.map((r) => [
            r.workflow,
            r.batches,
            r.wallSeconds,
            r.slowestBatchSeconds,
            `${((r.slowestBatchSeconds / r.lambdaTimeoutSeconds) * 100).toFixed(2)}% of ${r.lambdaTimeoutSeconds} s`,
            r.callsPerDatabase,
            r.callsPerBucket,
            `${r.maxQueriesPerGetMetricData} (limit 500)`,
          ]),
        ),
      );
      console.log(
        table(
          ['workflow', 'service region', 'calls', 'peak/s', 'mean/s', 'limit'],
          fleetChecks.flatMap((r) =>
            r.rates.map((x) => [
              r.workflow,
              x.where,
              x.calls,
              x.peakPerSecond,
              x.meanPerSecond,
              x.where.startsWith('rds')
                ? '300 burst, 12/s sustained per account and region (shared)'
                : x.where.startsWith('cloudwatch')
                  ? '500 queries a GetMetricData call'
                  : 'none published for configuration reads',
            ]),
          ),
        ),
      );
    }
    report.fleetChecks = fleetChecks;

    failed = [
      report.bundles,
      report.coldImport,
      report.synth,
      integrity,
      count,
      validator,
      report.fleet,
      approve,
      restoreTest,
      restoreRunner,
      readiness,
      pitr,
      fleetChecks,
    ].some((s) => typeof s === 'object' && s !== null && 'error' in s);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const outDir = join(PROJECT_ROOT, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: bench/out/latest.json${failed ? ' (some sections could not run: see above)' : ''}`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
