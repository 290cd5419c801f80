/**
 * What AWS (and PostgreSQL) would refuse, checked at synth so a bad plan fails with one line per field instead of
 * at deploy — or, worse, deploying and misbehaving. Imports no CDK: `lib/plan.ts` applies these rules.
 */
import { intervalHoursOf } from '../functions/freshness/schedule-interval';

/**
 * AWS region codes, as aws-cdk-lib's region-info lists them (`RegionInfo.regions`; a test keeps the two equal).
 * A code outside it is a typo or a region this CDK version cannot deploy to.
 */
export const AWS_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'cn-north-1',
  'cn-northwest-1',
  'eu-central-1',
  'eu-central-2',
  'eu-isoe-west-1',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eusc-de-east-1',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-iso-east-1',
  'us-iso-west-1',
  'us-isob-east-1',
  'us-isob-west-1',
  'us-isof-east-1',
  'us-isof-south-1',
  'us-west-1',
  'us-west-2',
];

/**
 * Why S3 would refuse a general purpose bucket name (Amazon S3 User Guide, "General purpose bucket naming
 * rules"), or undefined when it is a valid name.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3-63 characters';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may hold only lower-case letters, digits, dots and hyphens';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not hold two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
  if (prefix) return `must not start with "${prefix}" (reserved by S3)`;
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((s) => name.endsWith(s));
  if (suffix) return `must not end with "${suffix}" (reserved by S3)`;
  return undefined;
}

/**
 * Memory (MiB) Fargate accepts for each CPU value (Amazon ECS Developer Guide, "Task CPU and memory"): the only
 * combinations a task definition may use.
 */
export const FARGATE_MEMORY: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/**
 * Minutes a dump restore task needs beyond its runner's deadline: Fargate provisioning and the image pull before
 * the runner starts (a few minutes for a PostgreSQL + PostGIS image), and the container's 120 s stop timeout after.
 */
export const DUMP_RESTORE_TASK_MARGIN_MINUTES = 10;

/** Why Fargate would refuse a CPU/memory pair, or undefined. */
export function fargateProblem(cpu: number, memoryMiB: number): string | undefined {
  const allowed = FARGATE_MEMORY[cpu];
  if (!allowed) return `cpu must be one of ${Object.keys(FARGATE_MEMORY).join(', ')}`;
  if (allowed.includes(memoryMiB)) return undefined;
  const steps = allowed.length > 1 ? (allowed[1] ?? 0) - (allowed[0] ?? 0) : 0;
  return `must be a memory Fargate accepts with ${cpu} CPU units: ${allowed[0]}-${allowed[allowed.length - 1]} MiB in steps of ${steps}`;
}

/** Why EventBridge (or the freshness monitor, which must bound it) would refuse a schedule, or undefined. */
export function scheduleProblem(expression: string): string | undefined {
  try {
    intervalHoursOf(expression);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    return message.replace(/^cannot bound the interval of schedule "[^"]*": /, '');
  }
}

/** Functions that act (end sessions, change settings, reach other servers or large objects): never in validation SQL. */
const ACTING_FUNCTIONS =
  /\b(pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|pg_switch_wal|set_config|nextval|setval|dblink\w*|lo_\w+)\s*\(/i;

/** The SQL with string literals, quoted identifiers and comments blanked, so only its code is searched. */
function sqlCode(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const dollar = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
    if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += ' ';
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += ' ';
    } else if (sql[i] === "'" || sql[i] === '"') {
      const quote = sql.charAt(i);
      let j = i + 1;
      while (j < sql.length && !(sql[j] === quote && sql[j + 1] !== quote)) j += sql[j] === quote ? 2 : 1;
      i = j + 1;
      out += quote === "'" ? "''" : '"x"';
    } else if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      i = end < 0 ? sql.length : end + dollar[0].length;
      out += "''";
    } else {
      out += sql[i];
      i += 1;
    }
  }
  return out;
}

/**
 * Why a validation query is visibly not one read-only query, or undefined. It runs in a read-only transaction as
 * a read-only role anyway; this catches at synth what would fail there, or act, at 3 a.m. A trailing semicolon
 * and comments are fine.
 */
export function sqlProblem(sql: string): string | undefined {
  const code = sqlCode(sql).trim().replace(/;\s*$/, '');
  if (!/^\(*\s*(SELECT|WITH)\b/i.test(code)) return `it starts with ${code.split(/\s+/)[0] || 'nothing'}`;
  if (code.includes(';')) return 'one statement only (a semicolon may only end it)';
  const writes = /\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|DROP|ALTER|GRANT|REVOKE|COPY|CALL|LOCK|VACUUM)\b/i;
  const locking = /\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b/i.exec(code);
  if (locking) return `no row locks (${locking[0].toUpperCase().replace(/\s+/g, ' ')})`;
  const write = writes.exec(code);
  if (write) return `no data-modifying statement (${(write[1] ?? '').toUpperCase()}, also inside WITH)`;
  if (/\bINTO\b/i.test(code)) return 'no SELECT … INTO (it creates a table)';
  const acting = ACTING_FUNCTIONS.exec(code);
  if (acting) return `no ${acting[1]}(), which acts instead of reading`;
  return undefined;
}
