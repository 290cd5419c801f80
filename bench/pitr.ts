/**
 * Benchmark: the point-in-time recovery's orchestration overhead. One simulated successful run of the synthesized
 * definition on the account model (the model's restore time: `creating` 900 s, `backing-up` 120 s), every AWS call
 * and Lambda invocation answering after 50 ms (added to the model's clock), and the first invocation of each function
 * paying its measured cold import (its bundle built as DrFunction builds it, timed in a fresh node). Overhead is the
 * run's time minus what RDS needs to restore the copy (the validator's own queries are not in the simulation: the
 * validator benchmark times them): polling slack, task latency and cold starts. Also: state transitions, task calls,
 * and the share of the data-corruption RTO left for RDS. Goal: overhead under 2 minutes.
 *
 * Run alone: `npx tsx bench/pitr.ts`.
 */
import '../test/support/polyfills';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POINT_IN_TIME_RECOVERY_DESCRIPTOR } from '../lib/point-in-time-recovery';
import { stackWorkflows } from '../test/support/dr-workflows';
import { configuredPlan } from '../test/support/plans';
import { synthesize } from '../test/support/synth';
import { type LambdaHandler, runWorkflow } from '../test/support/workflow/run';
import { buildBundle, dummyEnv, measureColdImports } from './bundles';

const CALL_LATENCY_S = 0.05;
const GOAL_S = 120;

/** Cold import (ms beyond empty node, median) of the functions a recovery invokes, by the harness's function key. */
async function coldImports(runs: number): Promise<Record<string, number>> {
  const plan = configuredPlan();
  const work = mkdtempSync(join(tmpdir(), 'edr-bench-pitr-'));
  try {
    const entries = {
      PointInTimeRecoveryRecoveryFunction: 'functions/pitr/handler.ts',
      PointInTimeRecoveryValidator: 'functions/validator/handler.ts',
      ReportingReportFunction: 'functions/report/handler.ts',
    };
    const built = await Promise.all(
      Object.entries(entries).map(async ([key, entry]) => ({ key, bundle: await buildBundle(entry, work, plan) })),
    );
    const measured = measureColdImports(
      built.map((b) => ({ label: b.key, requires: [b.bundle.file], env: dummyEnv(b.bundle.requiredEnv) })),
      runs,
    );
    return Object.fromEntries(measured.results.map((r) => [r.label, r.medianMs ?? 0]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs the benchmark and returns its numbers. */
export async function benchPitr(coldRuns = 7): Promise<Record<string, number>> {
  const cold = await coldImports(coldRuns);
  const plan = configuredPlan();
  const { primary } = synthesize(plan);
  const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
  const machine = stack.machine('PointInTimeRecoveryWorkflowStateMachine');
  const start = new Date('2025-11-10T14:07:00Z');
  const model = stack.newModel(start);
  model.addDbInstance('us-east-1', { id: 'entmoot-prod', instanceClass: 'db.r6g.large' });
  // Every AWS call answers after 50 ms: Step Functions SDK integrations and the Lambdas' own SDK calls.
  const sfnCall = model.sfnCall.bind(model);
  model.sfnCall = async (...args: Parameters<typeof sfnCall>) => {
    model.advance(CALL_LATENCY_S);
    return sfnCall(...args);
  };
  const sdkCall = model.sdkCall.bind(model);
  model.sdkCall = async (...args: Parameters<typeof sdkCall>) => {
    model.advance(CALL_LATENCY_S);
    return sdkCall(...args);
  };
  const warm = new Set<string>();
  const lambdas = Object.fromEntries(
    Object.entries(stack.lambdas(model)).map(([key, handler]): [string, LambdaHandler] => [
      key,
      (payload, context) => {
        model.advance(CALL_LATENCY_S + (warm.has(key) ? 0 : (cold[key] ?? 0) / 1000));
        warm.add(key);
        return handler(payload, context);
      },
    ]),
  );
  const restore = model.wireSdkMocks();
  try {
    const result = await runWorkflow({
      definition: machine.definition,
      region: 'us-east-1',
      model,
      lambdas,
      executionName: 'pitr-entmoot-prod-bench',
      stateMachineName: machine.name,
      input: { sourceDbInstanceId: 'entmoot-prod', targetTime: '2025-11-10T12:00:00Z', reason: 'bench' },
    });
    if (result.status !== 'SUCCEEDED') throw new Error(`the simulated run ended ${result.status}: ${result.error}`);
    const runSeconds = (model.now().getTime() - start.getTime()) / 1000;
    const rdsSeconds = model.durations.restoreInstanceSeconds + model.durations.backingUpSeconds;
    const overhead = runSeconds - rdsSeconds;
    const rto = plan.recoveryTargets[POINT_IN_TIME_RECOVERY_DESCRIPTOR.scenario ?? 'dataCorruption'].rtoMinutes * 60;
    return {
      runSeconds: Math.round(runSeconds * 10) / 10,
      rdsRestoreSeconds: rdsSeconds,
      overheadSeconds: Math.round(overhead * 10) / 10,
      // Where the copy becomes available just after a look, the next look is one poll interval later.
      worstCasePollingSlackSeconds: plan.polling.rdsPollSeconds,
      goalSeconds: GOAL_S,
      stateTransitions: result.path.length,
      taskCalls: result.taskCalls.length,
      coldImportRecoveryMs: cold.PointInTimeRecoveryRecoveryFunction ?? 0,
      coldImportValidatorMs: cold.PointInTimeRecoveryValidator ?? 0,
      coldImportReportMs: cold.ReportingReportFunction ?? 0,
      rtoSeconds: rto,
      rtoShareLeftForRdsPercent: Math.round(((rto - overhead) / rto) * 1000) / 10,
    };
  } finally {
    restore();
  }
}

if (require.main === module) {
  benchPitr().then(
    (numbers) => console.log(JSON.stringify(numbers, null, 2)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
