/**
 * `entmoot-dr restore-test`: the dump restore runner (functions/restore-runner/) run in this process against a
 * local dump file or an `s3://` object with the operator's credentials: the same runner, report and exit codes
 * as the Fargate task (0 restored and validated, 1 bad backup, 2 usage or configuration, 3 the runner could not
 * do its job). The plan is validated here (`--plan`, else the default plan); SIGINT and SIGTERM clean up and exit 3.
 */
import { runnerDeps, writeReportToS3 } from '../functions/restore-runner/aws';
import { parseRunnerArgs, RUNNER_ARGS } from '../functions/restore-runner/options';
import { EXIT_CODES } from '../functions/restore-runner/report';
import { reportText } from '../functions/restore-runner/report-text';
import { runRestore } from '../functions/restore-runner/run-restore';
import { InvalidInputError } from '../functions/shared/errors';
import { loadPlan } from '../lib/plan-loader';
import { type DrPlan, PlanError } from '../lib/plan';
import { type CliIo, EXIT, UsageError } from './cli';

/** The synopsis of `restore-test`. */
export const RESTORE_TEST_ARGS = RUNNER_ARGS;

/** Runs `restore-test`; returns the exit code. Usage problems throw `UsageError` (exit 2). */
export async function restoreTestCommand(
  args: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let options: ReturnType<typeof parseRunnerArgs>;
  try {
    options = parseRunnerArgs(args, env);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.message);
    throw error;
  }
  if (options.help) {
    io.out(`usage: entmoot-dr restore-test ${RESTORE_TEST_ARGS}`);
    return EXIT.ok;
  }
  let plan: DrPlan;
  try {
    plan = loadPlan(options.planFile);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    for (const issue of error.issues) io.err(`entmoot-dr restore-test: ${issue}`);
    return EXIT.usage;
  }
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    io.err(`entmoot-dr restore-test: ${signal} received: stopping pg_restore and cleaning up`);
    interrupt.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await runRestore(options, plan, runnerDeps(env), interrupt.signal);
    io.out(options.json ? JSON.stringify(report, null, 2) : reportText(report));
    if (options.reportBucket && options.reportKey) {
      try {
        await writeReportToS3(report, options.reportBucket, options.reportKey, env);
      } catch (error) {
        io.err(
          `entmoot-dr restore-test: the report could not be written to s3://${options.reportBucket}/${options.reportKey}: ${error instanceof Error ? error.message : String(error)}`,
        );
        return EXIT_CODES.runnerFailed;
      }
    }
    if (report.exitCode !== EXIT_CODES.restored)
      io.err(`entmoot-dr restore-test: ${report.verdict}: ${report.summary}`);
    return report.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
