import type { CheckResult } from '../../functions/shared/check-result';
import { restoreReportKey, type RestoreReport } from '../../functions/restore-runner/report';
import { DUMP_RESTORE_TEST_DESCRIPTOR } from '../../lib/dump-restore-test';
import { TASK_CLEANUP_CHECK } from '../../statemachines/dump-restore-test';
import type { ContainerHandler } from '../support/account/ecs';
import type { AccountModel } from '../support/account/model';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { fakeResourceNames } from '../support/workflow/template';
import { runWorkflow, type FaultInjection, type RunResult } from '../support/workflow/run';
import { afterRun, sweepWorkflow } from '../support/workflow-helpers';

const plan = configuredPlan();
const { primary } = synthesize(plan);
const template = primary.toJSON();
const stack = stackWorkflows(template, 'us-east-1', plan);
const machine = stack.machine('DumpRestoreTestWorkflowStateMachine');
const descriptor = DUMP_RESTORE_TEST_DESCRIPTOR;
const NOW = new Date('2026-12-01T08:00:00Z');
const EXECUTION = 'dump-restore-test-202612010800';
const DB = plan.databases[0]!.id;
const BACKUPS = plan.databases[0]!.backupBucket!;
const SOURCE = `s3://${BACKUPS}/${plan.backups.keyLayout.prefix}${plan.backups.keyLayout.latestDumpKey}`;
const REPORT_KEY = restoreReportKey(EXECUTION, DB);
const GROUP = `${plan.system.namePrefix}:${EXECUTION}`;
const cluster = Object.values(fakeResourceNames(template, { region: 'us-east-1' })).find(
  (r) => r.type === 'AWS::ECS::Cluster',
)!;
const runTaskState = (() => {
  const map = (machine.definition as any).States['Run Dump restore test'].Branches[0].States['Restore Each Dump'];
  return map.ItemProcessor.States['Run the Restore Task'];
})();

let restore: () => void = () => undefined;
afterEach(() => restore());

function seed(model: AccountModel): void {
  model.addBucket(BACKUPS, 'us-east-1');
  model.putObject(BACKUPS, plan.backups.keyLayout.latestDumpKey, 'PGDMP…', {
    lastModified: new Date('2026-12-01T03:30:00Z'),
  });
  model.ecs.addCluster('us-east-1', model.account, cluster.name);
  model.ecs.addTaskDefinition({
    region: 'us-east-1',
    family: `${plan.system.namePrefix}-dump-restore-test`,
    container: 'Runner',
    environment: { EDR_REPORT_BUCKET: stack.evidenceBucket, EDR_PLAN_FILE: '/opt/restore-runner/plan.json' },
  });
}

/** A report as the runner writes it; `results` and `exitCode` set the verdict. */
function report(exitCode: 0 | 1 | 3, results: CheckResult[]): RestoreReport {
  const verdict: RestoreReport['verdict'] =
    exitCode === 0 ? 'restored' : exitCode === 1 ? 'bad-backup' : 'runner-failed';
  return {
    reportVersion: 1,
    execution: EXECUTION,
    database: DB,
    source: {
      location: SOURCE,
      kind: 's3',
      sizeBytes: 123_456_789,
      lastModified: '2026-12-01T03:30:00.000Z',
      etag: '"e"',
    },
    dump: null,
    versions: {
      pgRestore: 'pg_restore (PostgreSQL) 15.8',
      server: '15.8',
      postgis: 'POSTGIS="3.4.2"',
      node: 'v22.11.0',
    },
    restoredInto: 'throwaway server',
    referenceTime: '2026-12-01T03:30:00.000Z',
    sweptDatabases: [],
    startedAt: '2026-12-01T08:01:30.000Z',
    finishedAt: '2026-12-01T08:31:30.000Z',
    timings: { downloadSeconds: 120, restoreSeconds: 1500, validationSeconds: 60, totalSeconds: 1800 },
    restore: { exitCode: exitCode === 3 ? null : 0, jobs: 2, errors: [], warnings: [], errorCount: 0 },
    results,
    verdict,
    exitCode,
    summary: `exit ${exitCode}`,
  };
}

const pass = (check: string): CheckResult => ({
  check,
  target: DB,
  status: 'PASS',
  observed: 1,
  threshold: 1,
  detail: `${check} passed`,
});

/** The container: writes `written` to the report key the task got, then exits with its exit code. */
function container(model: AccountModel, written: RestoreReport | undefined, runSeconds = 1800): ContainerHandler {
  return ({ environment }) => ({
    exitCode: written?.exitCode ?? 3,
    runSeconds,
    atExit: () => {
      const body = written ?? report(3, []);
      if (written) model.putObject(environment.EDR_REPORT_BUCKET!, environment.EDR_REPORT_KEY!, JSON.stringify(body));
    },
  });
}

async function run(model: AccountModel, options: { fault?: FaultInjection[] } = {}): Promise<RunResult> {
  restore = model.wireSdkMocks();
  const result = await runWorkflow({
    definition: machine.definition,
    region: 'us-east-1',
    model,
    lambdas: stack.lambdas(model),
    executionName: EXECUTION,
    stateMachineName: machine.name,
    input: { trigger: 'schedule' },
    fault: options.fault,
  });
  await afterRun(stack, model, descriptor, result, { name: EXECUTION, startTime: NOW, machineArn: machine.arn });
  return result;
}

const START = [
  'Run Dump restore test',
  'Name Results Prefix',
  'List Dumps',
  'Restore Each Dump',
  'Run the Restore Task',
];
const READ = ['Read the Report', 'Collect Results'];
const NO_TASK_RUNNING = ['Clean Up', 'Find Running Restore Tasks', 'Any Restore Task Running?', 'No Task Running'];
const SUCCEEDED = ['Write Evidence and Notify', 'Did the Run Succeed?', 'Run Succeeded'];
const FAILED = ['Write Evidence and Notify', 'Did the Run Succeed?', 'Run Failed'];

const onlyRecord = (model: AccountModel) => {
  const records = evidenceRecords(model, stack.evidenceBucket);
  expect(records).toHaveLength(1);
  return records[0]!;
};
const verdictOf = (record: Record<string, any>) =>
  (record.results as CheckResult[]).find((r) => r.check === 'dump-restore');
const backupObjects = (model: AccountModel) => model.objects(BACKUPS).map((o) => [o.Key, o.Body.toString()]);

describe('the dump restore test workflow', () => {
  it('runs the runner on the latest dump in a Fargate task, reads its report, measures, and notifies', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.ecs.container = container(model, report(0, [pass('required-tables'), pass('building_count')]));

    const result = await run(model);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([...START, ...READ, ...NO_TASK_RUNNING, ...SUCCEEDED]);
    const call = result.taskCalls.find((c) => c.state === 'Run the Restore Task')!;
    expect(call.resource).toBe('arn:aws:states:::ecs:runTask.sync');
    expect(call.params).toEqual({
      Cluster: cluster.arn,
      TaskDefinition: `${plan.system.namePrefix}-dump-restore-test`,
      LaunchType: 'FARGATE',
      PlatformVersion: 'LATEST',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: [expect.stringMatching(/^subnet-/), expect.stringMatching(/^subnet-/)],
          SecurityGroups: [expect.stringMatching(/^sg-/)],
          AssignPublicIp: 'DISABLED',
        },
      },
      Overrides: {
        ContainerOverrides: [
          {
            Name: 'Runner',
            Environment: [
              { Name: 'EDR_SOURCE', Value: SOURCE },
              { Name: 'EDR_DATABASE', Value: DB },
              { Name: 'EDR_EXECUTION', Value: EXECUTION },
              { Name: 'EDR_REPORT_KEY', Value: REPORT_KEY },
              { Name: 'EDR_DEADLINE_SECONDS', Value: String(plan.workload.dumpRestore.deadlineMinutes * 60) },
            ],
          },
        ],
      },
      Group: GROUP,
      Tags: [
        { Key: 'entmoot-dr:owner', Value: 'EntmootDrPrimary' },
        { Key: 'entmoot-dr:execution', Value: EXECUTION },
        { Key: 'entmoot-dr:lifecycle', Value: 'ephemeral' },
      ],
    });
    const [task] = model.ecs.tasksOf(cluster.arn);
    expect(task).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      exitCode: 0,
      group: GROUP,
    });
    const record = onlyRecord(model);
    expect(record.status).toBe('PASS');
    expect((record.results as CheckResult[]).map((r) => r.check)).toEqual([
      'required-tables',
      'building_count',
      'dump-restore',
    ]);
    expect(record.measurements).toEqual([{ name: `${DB} total`, seconds: 1800, targetSeconds: 3600, met: true }]);
    expect(verdictOf(record)!.detail).toBe(
      `${SOURCE} restored and validated (download 120 s, restore 1500 s, validation 60 s, total 1800 s): exit 0`,
    );
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('reports a bad backup (exit 1) as such: a FAIL that says the backup is bad, read from the report', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    const missing: CheckResult = {
      check: 'required-tables',
      target: DB,
      status: 'FAIL',
      observed: 2,
      threshold: 3,
      detail: 'optimizations is missing from the dump',
    };
    model.ecs.container = container(model, report(1, [missing]));

    const result = await run(model);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('CheckFailedError');
    expect(result.path).toEqual([...START, ...READ, ...NO_TASK_RUNNING, ...FAILED]);
    const record = onlyRecord(model);
    expect(verdictOf(record)).toMatchObject({ status: 'FAIL', observed: 1 });
    expect(verdictOf(record)!.detail).toMatch(/^the backup is bad \(exit 1\)/);
    expect((record.results as CheckResult[])[0]).toEqual(missing);
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('tells a runner failure (exit 3) from a bad backup: nothing is known about the backup', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.ecs.container = container(model, report(3, []));

    const result = await run(model);

    expect(result.error).toBe('CheckFailedError');
    expect(result.path).toEqual([...START, ...READ, ...NO_TASK_RUNNING, ...FAILED]);
    expect(verdictOf(onlyRecord(model))!.detail).toMatch(
      /^the restore test could not run \(exit 3\), nothing is known/,
    );
  });

  it('fails naming the exit code, StopCode and StoppedReason when the task left no report', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.ecs.container = container(model, undefined);

    const result = await run(model);

    expect(result.error).toBe('CheckFailedError');
    expect(result.path).toEqual([...START, ...READ, ...NO_TASK_RUNNING, ...FAILED]);
    const verdict = verdictOf(onlyRecord(model))!;
    expect(verdict.observed).toBe(3);
    expect(verdict.detail).toBe(
      `the restore task left no report at ${REPORT_KEY} (States.TaskFailed): exit code 3, StopCode EssentialContainerExited, StoppedReason Essential container in task exited; nothing is known about the backup — see the task's log`,
    );
  });

  it('fails naming TaskFailedToStart when the task never started (no route to ECR)', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.ecs.container = () => ({
      failToStart:
        'ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: dial tcp: i/o timeout',
    });

    const result = await run(model);

    expect(result.error).toBe('CheckFailedError');
    expect(result.path).toEqual([...START, ...READ, ...NO_TASK_RUNNING, ...FAILED]);
    expect(verdictOf(onlyRecord(model))!.detail).toMatch(
      /\(States\.TaskFailed\): exit code none, StopCode TaskFailedToStart, StoppedReason ResourceInitializationError: unable to pull/,
    );
  });

  it('retries a task ECS did not place (AmazonECS.Unknown), then reports it when placement keeps failing', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.ecs.placementFailures = { count: 3, reason: 'Capacity is unavailable at this time.' };

    const result = await run(model);

    expect(result.error).toBe('CheckFailedError');
    // The first attempt and the Retry's two.
    expect(result.taskCalls.filter((c) => c.state === 'Run the Restore Task')).toHaveLength(3);
    expect(result.path).toEqual([...START, ...READ, ...NO_TASK_RUNNING, ...FAILED]);
    expect(model.ecs.tasksOf(cluster.arn)).toEqual([]);
    expect(verdictOf(onlyRecord(model))!.detail).toMatch(
      /\(AmazonECS\.Unknown\): exit code none, StopCode none, StoppedReason Tasks provisioning failure: .*Capacity is unavailable/,
    );
  });

  it('stops the task still running when its state timed out (Step Functions does not), and reports the time-out', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.ecs.syncTimeoutSeconds = runTaskState.TimeoutSeconds;
    model.ecs.container = container(model, report(0, []), 10 * 3600);

    const result = await run(model);

    expect(runTaskState.TimeoutSeconds).toBe((plan.workload.dumpRestore.deadlineMinutes + 10) * 60);
    expect(result.error).toBe('CheckFailedError');
    expect(result.path).toEqual([
      ...START,
      ...READ,
      'Clean Up',
      'Find Running Restore Tasks',
      'Any Restore Task Running?',
      'Describe Running Restore Tasks',
      'Stop This Run’s Tasks',
      'Is It This Run’s Task?',
      'Stop the Restore Task',
      'Collect Stopped Tasks',
      'Were Any Stopped?',
      'Restore Tasks Stopped',
      ...FAILED,
    ]);
    const [task] = model.ecs.tasksOf(cluster.arn);
    expect(task!.desiredStatus).toBe('STOPPED');
    model.advance(model.ecs.durations.stopping);
    expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', exitCode: 3 });
    const record = onlyRecord(model);
    expect(verdictOf(record)!.detail).toMatch(/left no report .* \(States\.Timeout\)/);
    expect((record.results as CheckResult[]).find((r) => r.check === TASK_CLEANUP_CHECK)).toMatchObject({
      status: 'PASS',
      observed: 'stopped',
    });
  });

  it('leaves another run’s task alone', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.ecs.container = container(model, report(0, []), 5 * 3600);
    const other = model.ecs.RunTask(
      {
        region: 'us-east-1',
        account: model.account,
        now: () => model.now(),
        schedule: () => undefined,
        refuse: () => undefined,
        durations: model.durations,
      },
      {
        cluster: cluster.arn,
        taskDefinition: `${plan.system.namePrefix}-dump-restore-test`,
        launchType: 'FARGATE',
        group: `${plan.system.namePrefix}:another-run`,
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      },
    ) as { tasks: { taskArn: string }[] };
    model.ecs.container = container(model, report(0, []));

    const result = await run(model);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      ...START,
      ...READ,
      'Clean Up',
      'Find Running Restore Tasks',
      'Any Restore Task Running?',
      'Describe Running Restore Tasks',
      'Stop This Run’s Tasks',
      'Is It This Run’s Task?',
      'Another Run’s Task',
      'Collect Stopped Tasks',
      'Were Any Stopped?',
      'No Task Running',
      ...SUCCEEDED,
    ]);
    expect(model.ecs.tasks.get(other.tasks[0]!.taskArn)!.desiredStatus).toBe('RUNNING');
    expect(model.callCount('ecs', 'StopTask')).toBe(0);
  });
});

describe('the fault sweep of the dump restore test', () => {
  it('ends every run with one evidence record, at most one notification, no task left running, and the backup bucket untouched', async () => {
    const before = (() => {
      const model = stack.newModel(NOW);
      seed(model);
      return backupObjects(model);
    })();
    const outcomes = await sweepWorkflow({
      stack,
      machine,
      descriptor,
      executionName: EXECUTION,
      startTime: NOW,
      seed: (model) => {
        seed(model);
        model.ecs.container = container(model, report(0, [pass('required-tables')]));
      },
    });

    expect(outcomes.length).toBeGreaterThan(25);
    for (const o of outcomes) {
      expect({ at: o.at, evidence: o.evidence, namedError: o.namedError }).toEqual({
        at: o.at,
        evidence: 1,
        namedError: true,
      });
      expect(o.notifications).toBeLessThanOrEqual(1);
      expect(o.model.ecs.tasksOf(cluster.arn).filter((t) => t.desiredStatus === 'RUNNING')).toEqual([]);
      expect(backupObjects(o.model)).toEqual(before);
    }
  });
});
