/**
 * Benchmark: the monthly snapshot restore test as synthesized, run by the harness against the account model
 * (DESIGN §7, issue 11). Numbers for the record:
 *
 * - per database, with every AWS operation instant (the model restores and deletes at once): states entered and
 *   Task calls of the child run, and of the parent's Map iteration;
 * - history events as AWS counts them — a Task state 5 (entered, scheduled, started, succeeded, exited), a
 *   Pass, Choice, Wait, Succeed or Fail state 2, a Map or Parallel 2 plus 2 per iteration or branch, each retry 3
 *   more — for a child whose copy never becomes available (the wait runs to its bound, the RTO), against the
 *   25,000-event limit; and the parent's events per database, hence the databases one parent can take;
 * - model time the orchestration adds beyond the AWS operations at the plan's poll interval (a restore of 15 min
 *   5 s plus 2 min backing up: a duration that does not end on a poll shows the slack; Lambdas answer at once);
 * - harness wall time of one parent run over two databases (median of 3).
 *
 * Run alone: `npx tsx bench/restore-test.ts`.
 */
import '../test/support/polyfills';
import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createStacks } from '../lib/app';
import { parsePlan, type DrPlan, type DrPlanInput } from '../lib/plan';
import type { AccountModel } from '../test/support/account/model';
import { stackWorkflows, type StackWorkflows } from '../test/support/dr-workflows';
import { examplePlanInput } from '../test/support/plans';
import { collectStates } from '../test/support/workflow/asl';
import { runWorkflow, type RunResult } from '../test/support/workflow/run';
import { type AslDefinition, fakeResourceNames } from '../test/support/workflow/template';

const HISTORY_LIMIT = 25_000;
const NOW = new Date('2026-11-01T05:00:00Z');

function twoDatabasePlan(): DrPlan {
  const input = examplePlanInput();
  const [first] = input.databases as NonNullable<DrPlanInput['databases']>;
  return parsePlan({
    ...input,
    databases: [first, { ...first, id: 'entmoot-eu', replica: undefined, drReplica: undefined }],
    restoreTest: { maxConcurrent: 1 },
    timeouts: { workflowMinutes: { snapshotRestoreTest: 400 } },
  } as DrPlanInput);
}

function seed(model: AccountModel, plan: DrPlan, template: Record<string, any>): void {
  const subnet = Object.values(fakeResourceNames(template, { region: 'us-east-1' })).find(
    (r) => r.type === 'AWS::RDS::DBSubnetGroup',
  );
  if (subnet) model.addSubnetGroup('us-east-1', subnet.name, 'vpc-isolated');
  for (const db of plan.databases) {
    model.addDbInstance('us-east-1', { id: db.id, instanceClass: 'db.r6g.large' });
    model.addDbSnapshot('us-east-1', {
      id: `rds:${db.id}-2026-11-01-03-00`,
      instanceId: db.id,
      type: 'automated',
      createdAt: new Date('2026-11-01T03:00:00Z'),
    });
  }
}

/**
 * History events of a run as AWS counts them, from the states it entered and the retries it made; with `inside`,
 * only those of states nested in that Map (its iterations' own events included).
 */
function historyEvents(definition: AslDefinition, run: RunResult, inside?: string): number {
  const states = collectStates(definition);
  const counted = (name: string | undefined) =>
    name !== undefined && (inside === undefined || (states.get(name)?.parents ?? []).includes(inside));
  let events = 0;
  for (const name of run.path) {
    if (counted(name)) events += states.get(name)?.state.Type === 'Task' ? 5 : 2;
  }
  for (const e of run.events as Array<{ type: string; state?: { name: string }; parentState?: { name: string } }>) {
    if (e.type === 'StateRetried' && counted(e.state?.name)) events += 3;
    if (e.type === 'MapIterationStarted' && (inside === undefined || e.parentState?.name === inside)) events += 2;
    if (e.type === 'ParallelBranchStarted' && inside === undefined) events += 2;
  }
  return inside === undefined ? events + 2 : events; // ExecutionStarted and the execution's end
}

/** States entered inside a Map. */
function statesInside(definition: AslDefinition, run: RunResult, map: string): number {
  const states = collectStates(definition);
  return run.path.filter((n) => (states.get(n)?.parents ?? []).includes(map)).length;
}

async function runParent(
  stack: StackWorkflows,
  plan: DrPlan,
  template: Record<string, any>,
  tune: (m: AccountModel) => void,
) {
  const parent = stack.machine('SnapshotRestoreTestWorkflowStateMachine');
  const model = stack.newModel(NOW);
  seed(model, plan, template);
  tune(model);
  const restore = model.wireSdkMocks();
  try {
    const started = performance.now();
    const result = await runWorkflow({
      definition: parent.definition,
      region: 'us-east-1',
      model,
      lambdas: stack.lambdas(model),
      executionName: 'bench-monthly',
      stateMachineName: parent.name,
      childMachines: stack.childMachines(),
      input: { trigger: 'schedule' },
    });
    return { result, model, wallMs: performance.now() - started, parent };
  } finally {
    restore();
  }
}

/** Runs the benchmark and returns its numbers. */
export async function benchRestoreTest(): Promise<Record<string, unknown>> {
  const plan = twoDatabasePlan();
  const dir = mkdtempSync(join(tmpdir(), 'edr-bench-restore-'));
  try {
    const app = new App({ outdir: dir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = createStacks(app, plan);
    const template = app.synth().getStackByName(stacks.primary.stackName).template as Record<string, any>;
    const stack = stackWorkflows(template, 'us-east-1', plan);
    const child = stack.machine('SnapshotRestoreTestDatabaseWorkflowStateMachine');

    const instant = await runParent(stack, plan, template, (m) => {
      m.durations.restoreInstanceSeconds = 0;
      m.durations.backingUpSeconds = 0;
    });
    const dbs = plan.databases.length;
    const childRun = instant.result.children[0]!.result;
    const MAP = 'Test Each Database';
    const parentEvents = historyEvents(instant.parent.definition, instant.result);
    const perDatabase = historyEvents(instant.parent.definition, instant.result, MAP) / dbs;
    const fixed = parentEvents - perDatabase * dbs;

    const atBound = await runParent(stack, plan, template, (m) => {
      m.durations.restoreInstanceSeconds = 10 * 24 * 3600;
    });
    const boundChild = atBound.result.children[0]!.result;

    // A restore that does not end on a poll (15 min 5 s, then 2 min backing up) shows the polling slack.
    const realistic = await runParent(stack, plan, template, (m) => {
      m.durations.restoreInstanceSeconds = 905;
    });
    const awsSeconds = realistic.model.durations.restoreInstanceSeconds + realistic.model.durations.backingUpSeconds;
    const childSeconds = (realistic.model.now().getTime() - NOW.getTime()) / 1000 / dbs;

    const walls: number[] = [];
    for (let i = 0; i < 3; i++) walls.push((await runParent(stack, plan, template, () => undefined)).wallMs);
    walls.sort((a, b) => a - b);

    return {
      childStatesPerDatabase: childRun.path.length,
      childTaskCallsPerDatabase: childRun.taskCalls.length,
      parentStatesPerDatabase: statesInside(instant.parent.definition, instant.result, MAP) / dbs,
      parentTaskCallsPerDatabase: instant.result.taskCalls.filter((c) => c.state === 'Test One Database').length / dbs,
      childEventsAtRtoBound: historyEvents(child.definition, boundChild),
      childRunAtBound: `${boundChild.status} ${boundChild.error ?? ''}`.trim(),
      historyLimit: HISTORY_LIMIT,
      parentEventsPerDatabase: perDatabase,
      parentFixedEvents: fixed,
      databasesPerParentBeforeLimit: Math.floor((HISTORY_LIMIT - fixed) / perDatabase),
      pollSeconds: plan.polling.rdsPollSeconds,
      modelSecondsPerDatabase: childSeconds,
      awsOperationSeconds: awsSeconds,
      orchestrationSecondsPerDatabase: childSeconds - awsSeconds,
      harnessWallMsMedian: Math.round(walls[1]!),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchRestoreTest().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
