/**
 * The dump restore runner's program: `node main.js <file|s3://bucket/key> [flags]` (esbuild bundle
 * `main.js`, see lib/restore-runner-bundle.ts), run in the Fargate task and, through `entmoot-dr restore-test`, by an
 * operator. Arguments and environment in (`options.ts`: every flag has an `EDR_*` variable), the report out (to
 * stdout, and to `s3://<report-bucket>/<report-key>` when given), and the exit code of `EXIT_CODES`:
 * 0 restored and validated, 1 bad backup, 2 usage or configuration, 3 the runner could not do its job.
 * SIGINT and SIGTERM stop pg_restore, clean up and exit 3 with a report.
 */
import { join } from 'node:path';
import { readRunnerPlan, runnerDeps, writeReportToS3 } from './aws';
import { parseRunnerArgs, RUNNER_ARGS } from './options';
import { EXIT_CODES } from './report';
import { reportText } from './report-text';
import { runRestore } from './run-restore';

const PLAN_FILE = 'plan.json';

async function main(argv: readonly string[]): Promise<number> {
  const err = (line: string) => process.stderr.write(`restore-runner: ${line}\n`);
  let options: ReturnType<typeof parseRunnerArgs>;
  try {
    options = parseRunnerArgs(argv, process.env);
  } catch (error) {
    err(error instanceof Error ? error.message : String(error));
    err(`usage: restore-runner ${RUNNER_ARGS}`);
    return EXIT_CODES.usage;
  }
  if (options.help) {
    process.stdout.write(`usage: restore-runner ${RUNNER_ARGS}\n`);
    return EXIT_CODES.restored;
  }
  const plan = readRunnerPlan(options.planFile ?? join(__dirname, PLAN_FILE));
  if (!plan.ok) {
    err(plan.message);
    return EXIT_CODES.usage;
  }

  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    err(`${signal} received: stopping pg_restore and cleaning up`);
    interrupt.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const report = await runRestore(options, plan.plan, runnerDeps(process.env), interrupt.signal);
  process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : reportText(report)}\n`);
  if (options.reportBucket && options.reportKey) {
    try {
      await writeReportToS3(report, options.reportBucket, options.reportKey, process.env);
    } catch (error) {
      err(
        `the report could not be written to s3://${options.reportBucket}/${options.reportKey}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return EXIT_CODES.runnerFailed;
    }
  }
  return report.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only a bug gets here: runRestore turns every failure into a report.
    process.stderr.write(`restore-runner: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT_CODES.runnerFailed;
  },
);
