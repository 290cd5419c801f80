/**
 * One dump restore test, start to report: the dump made local (`source.ts`), judged before any restore
 * (`preflight.ts`), restored by pg_restore into a throwaway server or a new database (`target.ts`,
 * `pg-restore.ts`), validated by the database validator in a read-only session, measured against the
 * `restoreFromBackup` RTO, and everything it made removed — on every way out, an interrupt or the deadline
 * included (pg_restore killed first). Never throws: every failure is a report with its verdict and exit code.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrPlan } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';
import { DatabaseUnreachableError, InvalidInputError } from '../shared/errors';
import { validateDatabase } from '../validator/validate-database';
import { type LocalPostgres, postgresBinDir, stopPostgres } from './local-postgres';
import type { RunnerOptions } from './options';
import { runPgRestore, type PgRestoreOutcome } from './pg-restore';
import { preflight } from './preflight';
import {
  EXIT_CODES,
  type RestoreDumpHeader,
  type RestoreExitCode,
  type RestoreReport,
  type RestoreSource,
  type RestoreVerdict,
} from './report';
import { fetchDump, SourceError } from './source';
import { parseDatabaseUrl, type RestoreTarget, throwawayTarget, urlTarget } from './target';

/** What the run takes from its surroundings. */
export interface RunnerDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  /** The S3 client of the environment's region; undefined when no region is set. */
  readonly s3: () => Pick<S3Client, 'send' | 'config'> | undefined;
}

/**
 * Check names of the runner's own results (the pre-flight's are the weekly check's, the validator's its own).
 * `pg-restore` is pg_restore's outcome; the workflow's report reader adds its verdict as `dump-restore`.
 */
export const RUNNER_CHECKS = {
  source: 'dump-source',
  restore: 'pg-restore',
  restoreTime: 'restore-time',
  cleanup: 'restore-cleanup',
} as const;

/** The PostgreSQL client tools the runner found. */
interface Tools {
  /** Folder with initdb and pg_ctl (a throwaway server needs them), when found. */
  readonly binDir?: string;
  readonly pgRestore: string;
  readonly version: string;
}

/** Finds pg_restore (`EDR_PG_BINDIR`, else the server binaries' folder, else PATH) and its version. */
function findTools(env: NodeJS.ProcessEnv): Tools | { error: string } {
  let binDir = env.EDR_PG_BINDIR || undefined;
  if (!binDir) {
    try {
      binDir = postgresBinDir();
    } catch {
      binDir = undefined;
    }
  }
  const pgRestore = binDir ? join(binDir, 'pg_restore') : 'pg_restore';
  const run = spawnSync(pgRestore, ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0)
    return {
      error: `no pg_restore (${binDir ? pgRestore : 'not on PATH'}${run.error ? `: ${(run.error as NodeJS.ErrnoException).code}` : ''}): install the PostgreSQL client of the dumps' major version (workload.dumpRestore.postgresMajor) or set EDR_PG_BINDIR`,
    };
  return { ...(binDir ? { binDir } : {}), pgRestore, version: run.stdout.trim() };
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** Runs one restore test and returns its report; never throws. */
export async function runRestore(
  options: RunnerOptions,
  plan: DrPlan,
  deps: RunnerDeps,
  interrupt: AbortSignal,
): Promise<RestoreReport> {
  const started = deps.now();
  const startedAt = new Date(started);
  const deadlineSeconds = options.deadlineSeconds ?? plan.timeouts.workflowMinutes.dumpRestoreTest * 60;
  const deadline = new Date(started + deadlineSeconds * 1000);
  const rtoSeconds = plan.recoveryTargets.restoreFromBackup.rtoMinutes * 60;
  const target = options.database ?? options.source;
  const connectTimeoutSeconds = plan.backups.validation.connectTimeoutSeconds;

  // One signal for "stop now": the caller's interrupt (SIGINT/SIGTERM) or the deadline.
  const stop = new AbortController();
  const onInterrupt = () => stop.abort(`interrupted by ${String(interrupt.reason ?? 'a signal')}`);
  if (interrupt.aborted) onInterrupt();
  else interrupt.addEventListener('abort', onInterrupt, { once: true });
  const timer = setTimeout(
    () => stop.abort(`the deadline of ${deadlineSeconds} s (${deadline.toISOString()}) passed`),
    deadlineSeconds * 1000,
  );
  timer.unref();

  let source: RestoreSource = {
    location: options.source,
    kind: options.source.startsWith('s3://') ? 's3' : 'file',
    sizeBytes: null,
    lastModified: null,
    etag: null,
  };
  let header: RestoreDumpHeader | null = null;
  let pgRestoreVersion: string | null = null;
  let serverVersion: string | null = null;
  let postgisVersion: string | null = null;
  let restoredInto: string | null = null;
  let referenceTime: Date | null = options.referenceTime ?? null;
  let downloadSeconds: number | null = null;
  let restoreSeconds: number | null = null;
  let validationSeconds: number | null = null;
  let restore: PgRestoreOutcome | undefined;
  let swept: readonly string[] = [];
  const results: CheckResult[] = [];
  const fail = (check: string, detail: string, status: CheckResult['status'] = 'FAIL') =>
    results.push({ check, target, status, observed: null, threshold: null, detail });

  let workDir: string | undefined;
  let restoreTarget: RestoreTarget | undefined;
  let local: LocalPostgres | undefined;
  const stopLocalNow = () => {
    // A throwaway server that started although its target was never handed back (a later step of its setup failed).
    if (local) {
      try {
        stopPostgres(local);
      } catch {
        // Reported by the regular cleanup.
      }
      local = undefined;
    }
  };

  const finish = async (
    exitCode: RestoreExitCode,
    verdict: RestoreVerdict,
    summary: string,
  ): Promise<RestoreReport> => {
    const totalSeconds = round((deps.now() - started) / 1000);
    clearTimeout(timer);
    interrupt.removeEventListener('abort', onInterrupt);
    try {
      if (restoreTarget) {
        await restoreTarget.remove();
        local = undefined;
      }
      stopLocalNow();
    } catch (error) {
      fail(
        RUNNER_CHECKS.cleanup,
        `could not remove ${restoreTarget?.description ?? 'the restore target'}: ${message(error)}; drop it by hand (a later --database-url run drops edr_restore_* databases past their deadline)`,
        'WARN',
      );
      stopLocalNow();
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    return {
      reportVersion: 1,
      execution: options.execution ?? null,
      database: options.database ?? null,
      source,
      dump: header,
      versions: { pgRestore: pgRestoreVersion, server: serverVersion, postgis: postgisVersion, node: process.version },
      restoredInto,
      referenceTime: referenceTime?.toISOString() ?? null,
      sweptDatabases: swept,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date(deps.now()).toISOString(),
      timings: { downloadSeconds, restoreSeconds, validationSeconds, totalSeconds },
      restore: {
        exitCode: restore?.exitCode ?? null,
        jobs: options.jobs,
        errors: restore ? [...restore.runnerErrors, ...restore.errors] : [],
        warnings: restore?.warnings ?? [],
        errorCount: restore?.errorCount ?? 0,
      },
      results,
      verdict,
      exitCode,
      summary,
    };
  };
  const runnerFailed = (summary: string) => finish(EXIT_CODES.runnerFailed, 'runner-failed', summary);
  const badBackup = (summary: string) => finish(EXIT_CODES.badBackup, 'bad-backup', summary);
  const stopped = () => (stop.signal.aborted ? runnerFailed(`stopped: ${String(stop.signal.reason)}`) : undefined);

  try {
    const server = options.databaseUrl === undefined ? undefined : parseDatabaseUrl(options.databaseUrl, deps.env);
    const tools = findTools(deps.env);
    if ('error' in tools) {
      fail(RUNNER_CHECKS.restore, tools.error);
      return await runnerFailed(tools.error);
    }
    pgRestoreVersion = tools.version;

    workDir = mkdtempSync(join(options.workDir ?? tmpdir(), 'edr-restore-'));
    // The throwaway server runs as the postgres user when we are root: it must reach its folder inside.
    chmodSync(workDir, 0o755);

    let dump: Awaited<ReturnType<typeof fetchDump>>;
    try {
      dump = await fetchDump(options.source, workDir, { s3: deps.s3(), now: deps.now }, stop.signal);
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      source = error.source;
      fail(RUNNER_CHECKS.source, error.message);
      if (error.kind === 'usage') return await finish(EXIT_CODES.usage, 'runner-failed', error.message);
      return await (error.kind === 'bad-backup' ? badBackup(error.message) : runnerFailed(error.message));
    }
    source = dump.source;
    downloadSeconds = dump.downloadSeconds === null ? null : round(dump.downloadSeconds);
    referenceTime ??= source.lastModified ? new Date(source.lastModified) : new Date(started);

    const checked = await preflight(dump.path, options.source, target, plan, pgRestoreVersion);
    header = checked.header;
    results.push(...checked.results);
    if (checked.outcome === 'bad-backup')
      return await badBackup(
        `the dump is not restorable as it is: ${checked.results.find((r) => r.status === 'FAIL')?.detail ?? ''}`,
      );
    if (checked.outcome === 'runner-failed')
      return await runnerFailed(checked.results.find((r) => r.status === 'FAIL')?.detail ?? 'pre-flight failed');
    const early = stopped();
    if (early) return await early;

    try {
      if (server) {
        restoreTarget = await urlTarget({
          server,
          at: startedAt,
          maxAgeMs: deadlineSeconds * 1000,
          connectTimeoutSeconds,
        });
        swept = restoreTarget.swept;
      } else {
        if (!tools.binDir) {
          const detail =
            'no PostgreSQL server binaries (initdb, pg_ctl) for a throwaway server: install PostgreSQL and PostGIS, set EDR_PG_BINDIR, or pass --database-url';
          fail(RUNNER_CHECKS.restore, detail);
          return await runnerFailed(detail);
        }
        restoreTarget = await throwawayTarget({
          binDir: tools.binDir,
          workDir,
          at: startedAt,
          connectTimeoutSeconds,
          onStarted: (started_) => {
            local = started_;
          },
        });
      }
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      const detail = `the restore target could not be prepared: ${message(error)}`;
      fail(RUNNER_CHECKS.restore, detail);
      return await runnerFailed(detail);
    }
    restoredInto = restoreTarget.description;
    const beforeRestore = stopped();
    if (beforeRestore) return await beforeRestore;

    restore = await runPgRestore({
      pgRestore: tools.pgRestore,
      dumpPath: dump.path,
      jobs: options.jobs,
      connection: restoreTarget.connection,
      ignorableExtensions: plan.workload.dumpRestore.ignorableExtensions,
      signal: stop.signal,
      now: deps.now,
    });
    restoreSeconds = round(restore.seconds);
    const afterRestore = stopped();
    if (afterRestore) {
      fail(RUNNER_CHECKS.restore, `pg_restore was stopped after ${restoreSeconds} s: ${String(stop.signal.reason)}`);
      return await afterRestore;
    }
    const restoreVerdict = judgeRestore(restore, plan.workload.dumpRestore.ignorableExtensions);
    results.push({ ...restoreVerdict.result, target });
    if (restoreVerdict.outcome === 'runner-failed') return await runnerFailed(restoreVerdict.result.detail);
    if (restoreVerdict.outcome === 'bad-backup') return await badBackup(restoreVerdict.result.detail);

    const validationStarted = deps.now();
    try {
      const session = await restoreTarget.openReadOnly();
      // An interrupt or the deadline ends the session: the running query fails as a lost connection.
      const endSession = () => void session.end();
      stop.signal.addEventListener('abort', endSession, { once: true });
      try {
        serverVersion = String((await session.query('SHOW server_version')).rows[0]?.server_version ?? '') || null;
        const postgis = await session.query("SELECT extversion FROM pg_extension WHERE extname = 'postgis'");
        postgisVersion = postgis.rows.length ? String(postgis.rows[0].extversion) : null;
        results.push(
          ...(await validateDatabase(session, plan, {
            target,
            referenceTime,
            deadline,
            now: deps.now,
          })),
        );
      } finally {
        stop.signal.removeEventListener('abort', endSession);
        await session.end();
      }
    } catch (error) {
      const interrupted = stopped();
      if (interrupted) return await interrupted;
      if (!(error instanceof DatabaseUnreachableError)) throw error;
      const detail = `validation could not run: ${error.message}`;
      fail(RUNNER_CHECKS.restore, detail);
      return await runnerFailed(detail);
    }
    validationSeconds = round((deps.now() - validationStarted) / 1000);
    const afterValidation = stopped();
    if (afterValidation) return await afterValidation;

    const totalSeconds = round((deps.now() - started) / 1000);
    results.push({
      check: RUNNER_CHECKS.restoreTime,
      target,
      status: totalSeconds > rtoSeconds ? 'FAIL' : 'PASS',
      observed: totalSeconds,
      threshold: rtoSeconds,
      detail:
        totalSeconds > rtoSeconds
          ? `download, restore and validation took ${totalSeconds} s, over the ${plan.recoveryTargets.restoreFromBackup.title} RTO of ${rtoSeconds} s: give the task more CPU and memory (workload.dumpRestore), or more --jobs`
          : `download, restore and validation took ${totalSeconds} s, within the ${plan.recoveryTargets.restoreFromBackup.title} RTO of ${rtoSeconds} s`,
    });
    const validationFails = results.filter((r) => r.status === 'FAIL' && r.check !== RUNNER_CHECKS.restoreTime);
    if (validationFails.length)
      return await badBackup(
        `restored, but ${validationFails.length} validation check${validationFails.length > 1 ? 's' : ''} failed: ${validationFails.map((r) => r.check).join(', ')}`,
      );
    if (totalSeconds > rtoSeconds)
      return await finish(
        EXIT_CODES.badBackup,
        'restored',
        `restored and validated, but over the RTO: ${totalSeconds} s > ${rtoSeconds} s`,
      );
    return await finish(
      EXIT_CODES.restored,
      'restored',
      `restored and validated in ${totalSeconds} s${restore.warnings.length ? ` (${restore.warnings.length} ignorable extension errors)` : ''}`,
    );
  } catch (error) {
    if (error instanceof InvalidInputError) {
      fail(RUNNER_CHECKS.source, error.message);
      return await finish(EXIT_CODES.usage, 'runner-failed', error.message);
    }
    const detail = `unexpected error: ${message(error)}`;
    fail(RUNNER_CHECKS.restore, detail);
    return await runnerFailed(detail);
  }
}

/** pg_restore's outcome as a result: PASS, WARN for ignorable extension errors only, else FAIL with the first errors. */
function judgeRestore(
  outcome: PgRestoreOutcome,
  ignorable: readonly string[],
): { outcome: 'restored' | 'bad-backup' | 'runner-failed'; result: Omit<CheckResult, 'target'> } {
  const base = { check: RUNNER_CHECKS.restore, threshold: null };
  const list = (lines: readonly string[]) =>
    lines.slice(0, 5).join(' | ') + (lines.length > 5 ? ` | and ${lines.length - 5} more` : '');
  if (outcome.exitCode === 127 || outcome.runnerErrors.length)
    return {
      outcome: 'runner-failed',
      result: {
        ...base,
        status: 'FAIL',
        observed: outcome.errorCount,
        detail: `pg_restore could not do its job here (not the backup's fault): ${list(outcome.runnerErrors.length ? outcome.runnerErrors : outcome.tail)}`,
      },
    };
  if (outcome.exitCode === null)
    return {
      outcome: 'runner-failed',
      result: {
        ...base,
        status: 'FAIL',
        observed: null,
        detail: `pg_restore was killed by ${outcome.signal}: ${list(outcome.tail)}`,
      },
    };
  if (outcome.errors.length)
    return {
      outcome: 'bad-backup',
      result: {
        ...base,
        status: 'FAIL',
        observed: outcome.errorCount,
        detail: `pg_restore reported ${outcome.errorCount} error${outcome.errorCount === 1 ? '' : 's'}; the first: ${list(outcome.errors)}`,
      },
    };
  if (outcome.exitCode !== 0 && outcome.warnings.length === 0)
    return {
      outcome: 'bad-backup',
      result: {
        ...base,
        status: 'FAIL',
        observed: outcome.exitCode,
        detail: `pg_restore exited ${outcome.exitCode}: ${list(outcome.tail)}`,
      },
    };
  if (outcome.warnings.length)
    return {
      outcome: 'restored',
      result: {
        ...base,
        status: 'WARN',
        observed: outcome.warnings.length,
        detail: `restored; pg_restore's ${outcome.warnings.length} error${outcome.warnings.length === 1 ? '' : 's'} concern only extensions the plan declares ignorable (workload.dumpRestore.ignorableExtensions: ${ignorable.join(', ')}): ${list(outcome.warnings)}`,
      },
    };
  return {
    outcome: 'restored',
    result: {
      ...base,
      status: 'PASS',
      observed: 0,
      detail: `pg_restore restored the archive without errors in ${round(outcome.seconds)} s`,
    },
  };
}
