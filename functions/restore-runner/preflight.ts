/**
 * The runner's pre-flight: the dump's header and TOC read with `readDumpToc` (a few kilobytes, not the data)
 * and judged as the weekly verification judges the S3 object — not a custom-format archive, cut short, no
 * TABLE DATA, a required table missing: a bad backup, in the weekly check's words, and no restore. A dump
 * written by a pg_dump newer than this runner's pg_restore cannot be restored here (pg_restore reads no archive
 * newer than itself): the runner's failure, naming the plan field that picks its PostgreSQL major.
 */
import { completeness, DUMP_CHECKS, tablesResult } from '../backup-verification/check-integrity';
import { type DumpToc, readDumpToc } from '../backup-verification/dump-reader';
import { openFileRangeReader } from '../backup-verification/file-range-reader';
import type { DrPlan } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';
import { DumpFormatError } from '../shared/errors';
import type { RestoreDumpHeader } from './report';

/** The pre-flight's verdict: go on to restore, or stop as a bad backup or a runner that cannot. */
export interface Preflight {
  readonly outcome: 'restore' | 'bad-backup' | 'runner-failed';
  readonly results: CheckResult[];
  readonly header: RestoreDumpHeader | null;
  readonly toc: DumpToc | null;
}

/** Check name of the pg_dump/pg_restore version comparison. */
export const VERSION_CHECK = 'dump-version';

/** The major version in a `pg_dump`/`pg_restore` version string (`15.8 (Debian …)`, `pg_restore (PostgreSQL) 16.2`). */
export function majorOf(version: string | null): number | null {
  const match = /(\d+)(?:\.(\d+))?/.exec(version?.replace(/^[^\d]*/, '') ?? '');
  if (!match) return null;
  const major = Number(match[1]);
  // Before PostgreSQL 10 the major was two numbers (9.6); every such dump is older than any pg_restore we ship.
  return major < 10 ? major + Number(match[2] ?? 0) / 10 : major;
}

function headerOf(toc: DumpToc): RestoreDumpHeader {
  return {
    archiveVersion: toc.archiveVersion,
    compression:
      toc.compression +
      (toc.compressionLevel !== null && toc.compressionLevel >= 0 ? ` level ${toc.compressionLevel}` : ''),
    createdAt: toc.createdAt,
    database: toc.database,
    serverVersion: toc.serverVersion,
    dumpVersion: toc.dumpVersion,
    tocEntries: toc.entries.length,
    tablesWithData: toc.tables.filter((t) => t.hasData).length,
    tables: toc.tables.length,
    blocksWithoutOffset: toc.entries.filter((e) => e.dataState === 'notSet').length,
  };
}

/** Reads and judges the dump at `path`; `where` names it in results (`s3://…` or the path). */
export async function preflight(
  path: string,
  where: string,
  target: string,
  plan: { readonly backups: Pick<DrPlan['backups'], 'requiredTables'> },
  pgRestoreVersion: string | null,
): Promise<Preflight> {
  const result = (
    check: string,
    status: CheckResult['status'],
    detail: string,
    observed: CheckResult['observed'] = null,
    threshold: CheckResult['threshold'] = null,
  ): CheckResult => ({
    check,
    target,
    status,
    observed,
    threshold,
    detail,
  });
  const reader = openFileRangeReader(path);
  try {
    let toc: DumpToc;
    try {
      toc = await readDumpToc(reader);
    } catch (error) {
      if (!(error instanceof DumpFormatError)) throw error;
      return {
        outcome: 'bad-backup',
        results: [result(DUMP_CHECKS.format, 'FAIL', `${where} is not a usable pg_dump archive: ${error.message}`)],
        header: null,
        toc: null,
      };
    }
    const header = headerOf(toc);
    const results: CheckResult[] = [
      result(
        DUMP_CHECKS.format,
        'PASS',
        `custom-format archive ${toc.archiveVersion} (${header.compression}) of database ${toc.database ?? '(unnamed)'}, server ${toc.serverVersion ?? 'unknown'}, pg_dump ${toc.dumpVersion ?? 'unknown'}, ${toc.entries.length} TOC entries`,
        `custom ${toc.archiveVersion}`,
      ),
    ];
    const tail = await completeness(reader, toc, reader.size);
    results.push(result(DUMP_CHECKS.completeness, tail.status, tail.detail, reader.size));
    const anyData = toc.entries.some((e) => e.desc === 'TABLE DATA' && e.dataState !== 'noData');
    const tables = tablesResult(toc, plan, where);
    results.push({
      ...tables,
      target,
      ...(anyData || tables.status === 'FAIL'
        ? {}
        : {
            status: 'FAIL' as const,
            detail: `the archive has no TABLE DATA entry at all (a schema-only dump: pg_dump -s?): nothing to restore; fix the backup job's pg_dump options and re-dump`,
          }),
    });
    if (results.some((r) => r.status === 'FAIL')) return { outcome: 'bad-backup', results, header, toc };

    const dumpMajor = majorOf(toc.dumpVersion);
    const restoreMajor = majorOf(pgRestoreVersion);
    if (dumpMajor !== null && restoreMajor !== null && dumpMajor > restoreMajor) {
      results.push(
        result(
          VERSION_CHECK,
          'FAIL',
          `the dump was written by pg_dump ${toc.dumpVersion} (archive ${toc.archiveVersion}), newer than this runner's ${pgRestoreVersion}, which cannot read it: set workload.dumpRestore.postgresMajor to ${Math.ceil(dumpMajor)} or more in the plan and redeploy`,
          toc.dumpVersion,
          `at most ${restoreMajor}`,
        ),
      );
      return { outcome: 'runner-failed', results, header, toc };
    }
    results.push(
      result(
        VERSION_CHECK,
        'PASS',
        `pg_dump ${toc.dumpVersion ?? 'unknown'} is not newer than ${pgRestoreVersion ?? 'pg_restore'}`,
        toc.dumpVersion,
        restoreMajor === null ? null : `at most ${restoreMajor}`,
      ),
    );
    return { outcome: 'restore', results, header, toc };
  } finally {
    reader.close();
  }
}
