/**
 * The dump restore runner's report: what the runner (`main.ts`, in the Fargate task or through
 * `entmoot-dr restore-test`) restored, how long each phase took, what pg_restore said, the validator's results
 * and the verdict. The runner prints it and, in the cloud, writes it to the evidence bucket under
 * `restoreReportKey(execution, db)`, where the workflow's report-reading Lambda reads it. Imports only types and
 * the error classes: the workflow side shares it without pulling in the runner.
 */
import type { CheckResult } from '../shared/check-result';
import { InvalidInputError } from '../shared/errors';

/**
 * The runner's exit codes, the CLI's one table (`bin/cli.ts` `EXIT`): 0 restored and validated; 1 the backup is
 * bad (also a missing object); 2 usage or configuration (bad flags, invalid plan, no credentials or region);
 * 3 the runner could not do its job (no pg_restore, server unreachable, download failed, disk full, deadline,
 * interrupted).
 */
export const EXIT_CODES = {
  restored: 0,
  badBackup: 1,
  usage: 2,
  runnerFailed: 3,
} as const;

/** One of `EXIT_CODES`. */
export type RestoreExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * What the run says about the backup: `restored` (it restored and validated: exit 0, or 1 when the one FAIL is the
 * total time over the `restoreFromBackup` RTO — the backup is good, the restore too slow), `bad-backup` (exit 1:
 * the dump cannot be restored or does not hold what the plan requires), `runner-failed` (exit 2 or 3: nothing is
 * known about the backup).
 */
export type RestoreVerdict = 'restored' | 'bad-backup' | 'runner-failed';

/** Where the dump came from. */
export interface RestoreSource {
  /** As given: a local path or `s3://bucket/key`. */
  readonly location: string;
  readonly kind: 'file' | 's3';
  /** Size in bytes (HeadObject's ContentLength, or the file's size); null when it could not be read. */
  readonly sizeBytes: number | null;
  /** The object's LastModified (a file's mtime), ISO 8601; null when unknown. */
  readonly lastModified: string | null;
  /** The object's ETag (s3:// only). */
  readonly etag: string | null;
}

/** The archive header as `readDumpToc` read it (null when the file is no readable custom-format archive). */
export interface RestoreDumpHeader {
  /** `major.minor`, e.g. `1.14`. */
  readonly archiveVersion: string;
  readonly compression: string;
  /** The dumping host's local time, no offset. */
  readonly createdAt: string;
  readonly database: string | null;
  readonly serverVersion: string | null;
  readonly dumpVersion: string | null;
  readonly tocEntries: number;
  /** Tables with a TABLE DATA entry, of all tables the archive knows. */
  readonly tablesWithData: number;
  readonly tables: number;
  /** Data blocks with no recorded offset (a dump written to a pipe): pg_restore -j reads those in order. */
  readonly blocksWithoutOffset: number;
}

/** Versions of the tools and server that did the restore. */
export interface RestoreVersions {
  /** `pg_restore --version`, e.g. `pg_restore (PostgreSQL) 15.8`. */
  readonly pgRestore: string | null;
  /** The target server's `server_version`. */
  readonly server: string | null;
  /** `postgis_full_version()`'s first words on the target, or null without PostGIS. */
  readonly postgis: string | null;
  /** Node.js running the runner. */
  readonly node: string;
}

/** Seconds per phase; null for a phase that did not run. */
export interface RestoreTimings {
  /** Streaming an `s3://` object to the local file (null for a local file). */
  readonly downloadSeconds: number | null;
  /** pg_restore, from start to exit. */
  readonly restoreSeconds: number | null;
  /** The validator's queries. */
  readonly validationSeconds: number | null;
  /** From the runner's start to the report (the number held against the `restoreFromBackup` RTO). */
  readonly totalSeconds: number;
}

/** What pg_restore reported. */
export interface RestoreOutcome {
  /** pg_restore's exit status; null when it did not run or was killed. */
  readonly exitCode: number | null;
  /** pg_restore's `--jobs`. */
  readonly jobs: number;
  /** Errors that make the backup bad or the run fail (the first ones, each one line). */
  readonly errors: readonly string[];
  /** Errors pg_restore reported that the plan declares ignorable (RDS-only extensions), each one line. */
  readonly warnings: readonly string[];
  /** Errors pg_restore reported in all ("errors ignored on restore: N"), listed or not. */
  readonly errorCount: number;
}

/** The whole report of one run. */
export interface RestoreReport {
  /** Bumped when a field changes meaning; readers refuse what they do not know. */
  readonly reportVersion: 1;
  /** The workflow execution that ran it, or null from the CLI. */
  readonly execution: string | null;
  /** The plan's database id the dump belongs to, or null when not given. */
  readonly database: string | null;
  readonly source: RestoreSource;
  readonly dump: RestoreDumpHeader | null;
  readonly versions: RestoreVersions;
  /** Where it was restored: `throwaway server` or `host:port/edr_restore_…` (no password). */
  readonly restoredInto: string | null;
  /** The moment the validator judged data freshness against (LastModified, mtime or --reference-time). */
  readonly referenceTime: string | null;
  /** With `--database-url`: `edr_restore_*` databases older than the deadline that this run dropped first. */
  readonly sweptDatabases: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly timings: RestoreTimings;
  readonly restore: RestoreOutcome;
  /** Pre-flight, restore, validation and RTO results, as every check returns them. */
  readonly results: readonly CheckResult[];
  readonly verdict: RestoreVerdict;
  readonly exitCode: RestoreExitCode;
  /** One line for a person: why this verdict. */
  readonly summary: string;
}

/** Key prefix of the runner's reports in the evidence bucket. */
export const RESTORE_REPORT_PREFIX = 'restore-reports/';

/** The evidence-bucket key of one database's report in one execution: `restore-reports/<execution>/<db>.json`. */
export function restoreReportKey(execution: string, db: string): string {
  for (const [what, value] of [
    ['execution', execution],
    ['database', db],
  ] as const) {
    if (!value || value.includes('/') || value === '.' || value === '..')
      throw new InvalidInputError(`the report key's ${what} must be a non-empty name without "/", got "${value}"`);
  }
  return `${RESTORE_REPORT_PREFIX}${execution}/${db}.json`;
}
