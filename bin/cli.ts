/**
 * The operator CLI, `entmoot-dr <command> [args]`: the same pure logic the Lambdas run, against local
 * files or the operator's own AWS credentials. Each command is an entry of `COMMANDS`; adding one is adding
 * an entry. One exit-code table for every command (`EXIT`): 0 OK, 1 the command ran and found a problem,
 * 2 usage or configuration error (missing credentials or region included), 3 it could not do its job.
 */
import { DumpFormatError } from '../functions/shared/errors';
import { completeness } from '../functions/backup-verification/check-integrity';
import { readDumpToc } from '../functions/backup-verification/dump-reader';
import { type FileRangeReader, openFileRangeReader } from '../functions/backup-verification/file-range-reader';
import { decideCommand } from './cli-approve';
import { PITR_ARGS, pitrCommand } from './cli-pitr';
import { RESTORE_TEST_ARGS, restoreTestCommand } from './cli-restore-test';
import { VALIDATE_ARGS, validateCommand } from './cli-validate';

/** Where a command writes; injectable for tests. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** One subcommand: its argument synopsis, a one-line summary and its handler, which returns the exit code. */
export interface CliCommand {
  readonly args: string;
  readonly summary: string;
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}

/** A usage mistake: printed with the usage line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The one exit-code table of every command. */
export const EXIT = {
  /** The command did its job and found nothing wrong. */
  ok: 0,
  /** The command ran and found a problem. */
  problem: 1,
  /** Usage or configuration error (bad flags, invalid plan, missing credentials or region), before any work. */
  usage: 2,
  /** The command could not do its job (an unreachable service, an unexpected failure). */
  failure: 3,
} as const;

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a dump file',
  EPERM: 'operation not permitted',
};

async function inspectDump(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-'))
    throw new UsageError(
      args.length === 0 ? 'inspect-dump needs a dump file' : `inspect-dump takes one dump file, got: ${args.join(' ')}`,
    );
  const file = args[0];
  let reader: FileRangeReader;
  try {
    reader = openFileRangeReader(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    io.err(
      `entmoot-dr inspect-dump: cannot read ${file}: ${FS_ERRORS[code] ?? (e instanceof Error ? e.message : String(e))}`,
    );
    return EXIT.problem;
  }
  try {
    const toc = await readDumpToc(reader);
    // Judged as the weekly check judges the object: a dump cut inside its data is a problem, not a clean report.
    const verdict = await completeness(reader, toc, reader.size);
    if (verdict.status === 'FAIL') {
      io.err(`entmoot-dr inspect-dump: ${file}: ${verdict.detail}`);
      return EXIT.problem;
    }
    const report = {
      format: toc.format,
      archiveVersion: toc.archiveVersion,
      compression: toc.compression,
      createdAt: toc.createdAt,
      database: toc.database,
      serverVersion: toc.serverVersion,
      dumpVersion: toc.dumpVersion,
      tables: toc.tables.map((t) => ({ schema: t.schema, name: t.name, hasData: t.hasData })),
      completeness: { status: verdict.status, detail: verdict.detail },
    };
    io.out(JSON.stringify(report, null, 2));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof DumpFormatError) {
      io.err(`entmoot-dr inspect-dump: ${file}: ${e.message}`);
      return EXIT.problem;
    }
    const code = (e as NodeJS.ErrnoException).code ?? '';
    io.err(
      `entmoot-dr inspect-dump: cannot read ${file}: ${FS_ERRORS[code] ?? (e instanceof Error ? e.message : String(e))}`,
    );
    return EXIT.problem;
  } finally {
    reader.close();
  }
}

/** The subcommands, by name. */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  'inspect-dump': {
    args: '<file>',
    summary:
      'print what a pg_dump custom-format archive holds (header, tables, completeness) as JSON; exit 1 if it is cut short or corrupt',
    run: inspectDump,
  },
  validate: {
    args: VALIDATE_ARGS,
    summary:
      "run the database validator (required tables, the plan's read-only queries) against any database, over TLS verify-full; exit 1 on a FAIL, 3 when unreachable",
    run: (args, io) => validateCommand(args, io),
  },
  'restore-test': {
    args: RESTORE_TEST_ARGS,
    summary:
      'pg_restore a dump (file or s3://) into a throwaway PostgreSQL + PostGIS (or a new database at --database-url), validate it, clean up; exit 1 for a bad backup, 3 when the runner could not',
    run: (args, io) => restoreTestCommand(args, io),
  },
  approve: {
    args: '<execution> [--comment TEXT] [--plan FILE] [--endpoint URL]',
    summary:
      'approve a workflow waiting at its approval gate, signed as your approver role; exit 1 when the endpoint refuses, 3 when unreachable',
    run: (args, io) => decideCommand('approve', args, io),
  },
  pitr: {
    args: PITR_ARGS,
    summary:
      'start a point-in-time recovery of a plan database (input checked first, as the workflow checks it); exit 1 when that execution already exists, 3 when Step Functions fails',
    run: (args, io) => pitrCommand(args, io),
  },
  reject: {
    args: '<execution> --reason TEXT [--plan FILE] [--endpoint URL]',
    summary: 'reject a workflow waiting at its approval gate (it stops), signed as your approver role',
    run: (args, io) => decideCommand('reject', args, io),
  },
};

/** The usage text: one line, then one line per command. */
export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name} ${c.args}\t${c.summary}`);
  return [`usage: entmoot-dr <command> [args]  (commands: ${Object.keys(COMMANDS).join(', ')})`, ...lines].join('\n');
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return EXIT.ok;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    io.err(name === undefined ? 'entmoot-dr: no command given' : `entmoot-dr: unknown command "${name}"`);
    io.err(usage());
    return EXIT.usage;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`entmoot-dr ${name}: ${e.message}`);
      io.err(`usage: entmoot-dr ${name} ${command.args}`);
      return EXIT.usage;
    }
    // Not a finding about the input: the command could not do its job.
    io.err(`entmoot-dr ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failure;
  }
}
