/**
 * The dump restore runner's arguments, one parser for the container entry (`main.ts`) and the operator CLI
 * (`entmoot-dr restore-test`). Every flag has an environment variable, read when the flag is absent, so the
 * workflow can set them as ECS container overrides (`Environment`) without rebuilding a command line; a
 * database URL with a password belongs in the environment, where `ps` does not show it.
 */
import { availableParallelism } from 'node:os';
import { InvalidInputError } from '../shared/errors';
import { restoreReportKey } from './report';

/** The flags that take a value, and the environment variable each falls back to. */
export const RUNNER_FLAGS = {
  'database-url': 'EDR_DATABASE_URL',
  jobs: 'EDR_JOBS',
  plan: 'EDR_PLAN_FILE',
  'reference-time': 'EDR_REFERENCE_TIME',
  deadline: 'EDR_DEADLINE_SECONDS',
  'report-bucket': 'EDR_REPORT_BUCKET',
  'report-key': 'EDR_REPORT_KEY',
  execution: 'EDR_EXECUTION',
  database: 'EDR_DATABASE',
  'work-dir': 'EDR_WORK_DIR',
} as const;

/** The environment variable of the positional source. */
export const SOURCE_ENV = 'EDR_SOURCE';

/** The synopsis, as `--help` and usage errors print it. */
export const RUNNER_ARGS =
  '<file|s3://bucket/key> [--database-url URL] [--jobs N] [--plan FILE] [--reference-time ISO] [--deadline SECONDS] [--report-bucket B --report-key K] [--execution NAME] [--database ID] [--work-dir DIR] [--json]';

/** pg_restore's parallel jobs at most (more than the server's connections or the dump's tables gains nothing). */
export const MAX_JOBS = 64;

/** What the runner was asked to do. */
export interface RunnerOptions {
  /** A local file or `s3://bucket/key`. */
  readonly source: string;
  /** Restore into a new database on this server instead of a throwaway server of our own. */
  readonly databaseUrl?: string;
  /** pg_restore `--jobs`.
   * @default - the machine's available parallelism, at most 8 */
  readonly jobs: number;
  /** A plan JSON file.
   * @default - `plan.json` beside the bundle (the container), or the default plan (the CLI) */
  readonly planFile?: string;
  /** The time the data should be fresh at.
   * @default - the object's LastModified, or the file's mtime */
  readonly referenceTime?: Date;
  /** Seconds from the runner's start to its deadline, at which it stops, cleans up and exits 3.
   * @default - the plan's `timeouts.workflowMinutes.dumpRestoreTest` */
  readonly deadlineSeconds?: number;
  /**
   * Where the report goes in S3 (the evidence bucket): the key given, or `restoreReportKey(execution, database)`
   * when only the bucket is.
   */
  readonly reportBucket?: string;
  readonly reportKey?: string;
  /** The workflow execution, recorded in the report. */
  readonly execution?: string;
  /** The plan's database id the dump belongs to, recorded in the report. */
  readonly database?: string;
  /** Where the download and the throwaway server go.
   * @default - the temp directory */
  readonly workDir?: string;
  /** Print the report as JSON instead of a table. */
  readonly json: boolean;
  readonly help: boolean;
}

function positiveInteger(text: string, what: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max)
    throw new InvalidInputError(`${what} must be a whole number from 1 to ${max}, got "${text}"`);
  return n;
}

/**
 * Parses the runner's arguments, falling back to the environment for each one absent. Throws
 * `InvalidInputError` (exit 2) for an unknown flag, a missing value, a bad number or time, or no source.
 */
export function parseRunnerArgs(args: readonly string[], env: NodeJS.ProcessEnv): RunnerOptions {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  let json = false;
  let help = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (!arg.startsWith('-') || arg === '-') positional.push(arg);
    else {
      const [name, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2);
      if (!(name in RUNNER_FLAGS)) throw new InvalidInputError(`unknown option ${arg.split('=')[0]}`);
      const value = inline ?? args[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--')))
        throw new InvalidInputError(`--${name} needs a value`);
      if (flags.has(name)) throw new InvalidInputError(`--${name} is given twice`);
      flags.set(name, value);
    }
  }
  const value = (flag: keyof typeof RUNNER_FLAGS): string | undefined => {
    const text = flags.get(flag) ?? env[RUNNER_FLAGS[flag]];
    return text === undefined || text === '' ? undefined : text;
  };
  if (positional.length > 1) throw new InvalidInputError(`one dump source only, got: ${positional.join(' ')}`);
  const source = positional[0] ?? env[SOURCE_ENV] ?? '';
  if (help) return { source, jobs: 1, json, help };
  if (!source) throw new InvalidInputError(`no dump given: pass a file or s3://bucket/key (or set ${SOURCE_ENV})`);
  if (source.startsWith('s3://') && !/^s3:\/\/[^/]+\/.+/.test(source))
    throw new InvalidInputError(`"${source}" is not s3://bucket/key`);

  const jobsText = value('jobs');
  const jobs =
    jobsText === undefined ? Math.min(8, availableParallelism()) : positiveInteger(jobsText, '--jobs', MAX_JOBS);
  const referenceText = value('reference-time');
  let referenceTime: Date | undefined;
  if (referenceText !== undefined) {
    referenceTime = new Date(referenceText);
    if (!/^\d{4}-\d{2}-\d{2}/.test(referenceText) || Number.isNaN(referenceTime.getTime()))
      throw new InvalidInputError(
        `--reference-time must be an ISO 8601 time such as 2026-11-01T05:00:00Z, got "${referenceText}"`,
      );
  }
  const deadlineText = value('deadline');
  const deadlineSeconds =
    deadlineText === undefined ? undefined : positiveInteger(deadlineText, '--deadline (seconds)', 7 * 24 * 3600);
  const databaseUrl = value('database-url');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new InvalidInputError('--database-url must be postgres://user[:password]@host[:port]/database');
  const reportBucket = value('report-bucket');
  const execution = value('execution');
  const database = value('database');
  let reportKey = value('report-key');
  if (reportBucket !== undefined && reportKey === undefined) {
    if (execution === undefined || database === undefined)
      throw new InvalidInputError(
        '--report-bucket needs --report-key, or --execution and --database (the key is then restore-reports/<execution>/<database>.json)',
      );
    reportKey = restoreReportKey(execution, database);
  }
  if (reportBucket === undefined && reportKey !== undefined)
    throw new InvalidInputError('--report-key needs --report-bucket');
  return {
    source,
    jobs,
    json,
    help,
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...(value('plan') === undefined ? {} : { planFile: value('plan') }),
    ...(referenceTime === undefined ? {} : { referenceTime }),
    ...(deadlineSeconds === undefined ? {} : { deadlineSeconds }),
    ...(reportBucket === undefined ? {} : { reportBucket, reportKey }),
    ...(execution === undefined ? {} : { execution }),
    ...(database === undefined ? {} : { database }),
    ...(value('work-dir') === undefined ? {} : { workDir: value('work-dir') }),
  };
}
