/**
 * The restore report as text for a terminal: a few header lines, the results as an aligned table, the verdict.
 */
import type { CheckResult } from '../shared/check-result';
import type { RestoreReport } from './report';

const cell = (value: CheckResult['observed']): string => (value === null ? '-' : String(value));
const seconds = (value: number | null): string => (value === null ? '-' : `${value.toFixed(1)} s`);

/** The report as lines of text (what `entmoot-dr restore-test` prints without `--json`). */
export function reportText(report: RestoreReport): string {
  const dump = report.dump;
  const lines = [
    `source     ${report.source.location}${report.source.sizeBytes === null ? '' : ` (${report.source.sizeBytes.toLocaleString('en-US')} bytes)`}`,
    dump
      ? `dump       custom ${dump.archiveVersion}, ${dump.compression}, database ${dump.database ?? '-'}, pg_dump ${dump.dumpVersion ?? '-'}, created ${dump.createdAt}`
      : 'dump       -',
    `versions   ${report.versions.pgRestore ?? 'pg_restore -'}; server ${report.versions.server ?? '-'}; PostGIS ${report.versions.postgis ?? '-'}`,
    `restored   ${report.restoredInto ?? '-'} with ${report.restore.jobs} job${report.restore.jobs === 1 ? '' : 's'}`,
    `timings    download ${seconds(report.timings.downloadSeconds)}, restore ${seconds(report.timings.restoreSeconds)}, validation ${seconds(report.timings.validationSeconds)}, total ${seconds(report.timings.totalSeconds)}`,
  ];
  for (const error of report.restore.errors) lines.push(`error      ${error}`);
  for (const warning of report.restore.warnings) lines.push(`warning    ${warning}`);
  if (report.results.length) {
    const header = ['check', 'status', 'observed', 'threshold', 'detail'];
    const rows = report.results.map((r) => [r.check, r.status, cell(r.observed), cell(r.threshold), r.detail]);
    const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
    const line = (row: string[]) =>
      row
        .map((text, i) => (i === row.length - 1 ? text : text.padEnd(widths[i])))
        .join('  ')
        .trimEnd();
    lines.push('', line(header), ...rows.map(line));
  }
  lines.push('', `${report.verdict} (exit ${report.exitCode}): ${report.summary}`);
  return lines.join('\n');
}
