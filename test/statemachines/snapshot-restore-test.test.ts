import { ERROR_NAMES } from '../../functions/shared/errors';
import { CLEANUP_CHECK } from '../../statemachines/report';
import { executionName } from '../../functions/shared/naming';
import type { DrPlanInput } from '../../lib/plan';
import { SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR, SNAPSHOT_RESTORE_TEST_DESCRIPTOR } from '../../lib/snapshot-restore-test';
import type { AccountModel } from '../support/account/model';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan, examplePlanInput } from '../support/plans';
import { synthesize } from '../support/synth';
import { fakeResourceNames } from '../support/workflow/template';
import { runWorkflow, type LambdaHandler, type RunOptions, type RunResult } from '../support/workflow/run';
import { afterRunWithChildren, sweepWorkflow } from '../support/workflow-helpers';

const base = examplePlanInput();
const [first] = base.databases as NonNullable<DrPlanInput['databases']>;
const plan = configuredPlan({
  databases: [first, { ...first, id: 'entmoot-eu', replica: undefined, drReplica: undefined }],
  restoreTest: { maxConcurrent: 1 },
  timeouts: { workflowMinutes: { snapshotRestoreTest: 400 } },
} as Partial<DrPlanInput>);
const { primary } = synthesize(plan);
const template = primary.toJSON();
const stack = stackWorkflows(template, 'us-east-1', plan);
const parent = stack.machine('SnapshotRestoreTestWorkflowStateMachine');
const child = stack.machine('SnapshotRestoreTestDatabaseWorkflowStateMachine');
const descriptors = {
  [parent.name]: SNAPSHOT_RESTORE_TEST_DESCRIPTOR,
  [child.name]: SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR,
};
const NOW = new Date('2026-11-01T05:00:00Z');
const EXECUTION = 'monthly-202611010500';
const DBS = ['entmoot-prod', 'entmoot-eu'];
const subnetGroup = Object.values(fakeResourceNames(template, { region: 'us-east-1' })).find(
  (r) => r.type === 'AWS::RDS::DBSubnetGroup',
)!.name;
/** Copies of the database the model holds, and those of them not being deleted. */
const copies = (model: AccountModel, db: string) =>
  model.dbInstances('us-east-1').filter((i) => i.id.startsWith(`edr-restore-${db}-`));
const deletes = (model: AccountModel, db: string) =>
  model.calls.filter((c) => c.action === 'DeleteDBInstance' && JSON.stringify(c.params).includes(`edr-restore-${db}-`));

let restore: () => void = () => undefined;
afterEach(() => restore());

function seed(model: AccountModel): void {
  model.addSubnetGroup('us-east-1', subnetGroup, 'vpc-isolated');
  for (const db of DBS) {
    model.addDbInstance('us-east-1', { id: db, instanceClass: 'db.r6g.large' });
    model.addDbSnapshot('us-east-1', {
      id: `rds:${db}-2026-11-01-03-00`,
      instanceId: db,
      type: 'automated',
      createdAt: new Date('2026-11-01T03:00:00Z'),
    });
  }
}

/** A validator that fails `failing` databases' required tables and passes the others. */
function validator(failing: string[] = []): LambdaHandler {
  return (payload) => {
    const target = (payload as { target: string }).target;
    const bad = failing.includes(target);
    return {
      results: [
        {
          check: 'required-tables',
          target,
          status: bad ? 'FAIL' : 'PASS',
          observed: bad ? 2 : 3,
          threshold: 3,
          detail: bad ? 'optimizations is missing' : 'all required tables present',
        },
      ],
    };
  };
}

async function run(
  model: AccountModel,
  options: { input?: unknown; failing?: string[] } & Partial<Pick<RunOptions, 'stopOnEntering'>> = {},
): Promise<RunResult> {
  restore = model.wireSdkMocks();
  const input = options.input ?? { trigger: 'schedule' };
  const result = await runWorkflow({
    definition: parent.definition,
    region: 'us-east-1',
    model,
    lambdas: stack.lambdas(model, { validator: validator(options.failing) }),
    executionName: EXECUTION,
    stateMachineName: parent.name,
    childMachines: stack.childMachines(),
    input,
    stopOnEntering: options.stopOnEntering,
  });
  await afterRunWithChildren(stack, model, descriptors, result, {
    name: EXECUTION,
    startTime: NOW,
    machine: parent,
    input,
  });
  return result;
}

const records = (model: AccountModel) => evidenceRecords(model, stack.evidenceBucket);
const parentRecord = (model: AccountModel) => records(model).find((r) => r.workflow === 'snapshot-restore-test');

describe('the monthly snapshot restore test (parent)', () => {
  it('tests each database in its own child run, one at a time, and sends the one notification', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      'Run Monthly snapshot restore test',
      'Choose Databases',
      'Test Each Database',
      'Test One Database',
      'Database Tested',
      'Test One Database',
      'Database Tested',
      'Collect Results',
      'Write Evidence and Notify',
      'Did the Run Succeed?',
      'Run Succeeded',
    ]);
    expect(result.children.map((c) => [c.name, c.result.status])).toEqual(
      DBS.map((db) => [executionName(EXECUTION, db), 'SUCCEEDED']),
    );
    expect(result.children.map((c) => c.input)).toEqual(
      DBS.map((db) => ({
        dbInstanceId: db,
        snapshotId: null,
        AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: `arn:aws:states:us-east-1:123456789012:execution:${parent.name}:${EXECUTION}`,
      })),
    );
    // One at a time: the second restore was requested after the first copy was validated.
    const restores = model.calls.filter((c) => c.action === 'RestoreDBInstanceFromDBSnapshot');
    const firstEnded = result.children[0].result;
    expect(restores).toHaveLength(2);
    expect(restores[1].at.getTime()).toBeGreaterThan(restores[0].at.getTime() + 900_000);
    expect(firstEnded.path.at(-1)).toBe('Run Succeeded');
    for (const db of DBS) {
      expect(copies(model, db).filter((c) => c.status !== 'deleting')).toEqual([]);
      expect(deletes(model, db)).toHaveLength(1);
    }
    expect(model.snsMessages()).toHaveLength(1);
    expect(model.snsMessages()[0].Subject).toContain('Monthly snapshot restore test');
    const record = parentRecord(model)!;
    expect(record.results.map((r: Record<string, unknown>) => [r.check, r.target, r.status])).toEqual([
      ['snapshot-restore-test', 'entmoot-prod', 'PASS'],
      ['snapshot-restore-test', 'entmoot-eu', 'PASS'],
    ]);
    expect(record.results[0].detail).toMatch(
      new RegExp(
        `evidence runs/snapshot-restore-test-db/2026/11/01/${executionName(EXECUTION, 'entmoot-prod')}\\.json$`,
      ),
    );
    const childRecords = records(model).filter((r) => r.workflow === 'snapshot-restore-test-db');
    expect(childRecords.map((r) => [r.execution.name, r.status, r.notification]).sort()).toEqual(
      DBS.map((db) => [executionName(EXECUTION, db), 'PASS', 'not-required']).sort(),
    );
  });

  it('makes a failed child a FAIL for its database only, naming its error and evidence, in one notification', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, { failing: ['entmoot-eu'] });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(ERROR_NAMES.checkFailed);
    expect(result.path).toContain('Read Failed Child');
    const record = parentRecord(model)!;
    expect(record.results.map((r: Record<string, unknown>) => [r.target, r.status, r.observed])).toEqual([
      ['entmoot-prod', 'PASS', 'PASS'],
      ['entmoot-eu', 'FAIL', 'FAILED'],
    ]);
    expect(record.results[1].detail).toBe(
      `the restore test of entmoot-eu ended FAILED with ${ERROR_NAMES.checkFailed}: ${result.children[1].result.cause}; evidence runs/snapshot-restore-test-db/2026/11/01/${executionName(EXECUTION, 'entmoot-eu')}.json`,
    );
    expect(model.snsMessages()).toHaveLength(1);
    expect(records(model).filter((r) => r.workflow === 'snapshot-restore-test-db')).toHaveLength(2);
    expect(copies(model, 'entmoot-eu').filter((c) => c.status !== 'deleting')).toEqual([]);
    expect(deletes(model, 'entmoot-eu')).toHaveLength(1);
  });

  it('tests only the database named, restoring the snapshot named', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.addDbSnapshot('us-east-1', {
      id: 'before-upgrade',
      instanceId: 'entmoot-eu',
      type: 'manual',
      createdAt: new Date('2026-10-20T00:00:00Z'),
    });

    const result = await run(model, { input: { dbInstanceId: 'entmoot-eu', snapshotId: 'before-upgrade' } });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.children.map((c) => c.input)).toEqual([
      expect.objectContaining({ dbInstanceId: 'entmoot-eu', snapshotId: 'before-upgrade' }),
    ]);
    const restoreCall = model.calls.find((c) => c.action === 'RestoreDBInstanceFromDBSnapshot');
    expect(restoreCall?.params).toEqual(expect.objectContaining({ DbSnapshotIdentifier: 'before-upgrade' }));
  });

  it.each([
    [{ dbInstanceId: 'entmoot-prod', extra: 1 }, 'input has unknown key extra'],
    [{ dbInstanceId: 'not-in-plan' }, 'input.dbInstanceId not-in-plan is not in the plan'],
    [{ dbInstanceId: 'bad id!' }, 'input.dbInstanceId must be an RDS instance id'],
    [{ snapshotId: 'rds:entmoot-prod-2026-11-01-03-00' }, 'input.snapshotId needs input.dbInstanceId'],
    [{ dbInstanceId: 'entmoot-prod', snapshotId: 'has space' }, 'input.snapshotId must be an RDS snapshot id'],
  ])('refuses the input %j before any AWS call, starting no child', async (input, message) => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, { input });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(ERROR_NAMES.invalidInput);
    expect(result.cause).toContain(message);
    expect(model.calls.filter((c) => c.service === 'rds' || c.action === 'StartExecution')).toEqual([]);
    expect(result.children).toEqual([]);
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('stopped while a child waits: both ABORTED, one notification, and the janitor later removes the copy', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, { stopOnEntering: { state: 'Wait for Copy', stateMachine: child.name } });

    expect(result.status).toBe('ABORTED');
    expect(model.executions.map((e) => [e.name, e.status])).toEqual([
      [executionName(EXECUTION, 'entmoot-prod'), 'ABORTED'],
    ]);
    expect(model.snsMessages()).toHaveLength(1);
    expect(records(model).map((r) => [r.workflow, r.outcome, r.notification])).toEqual(
      expect.arrayContaining([
        ['snapshot-restore-test', 'ABORTED', 'required'],
        ['snapshot-restore-test-db', 'ABORTED', 'not-required'],
      ]),
    );
    expect(copies(model, 'entmoot-prod').map((c) => c.status)).toEqual(['creating']);
    expect(deletes(model, 'entmoot-prod')).toEqual([]);

    // The janitor's next run, once the copy is older than its minimum age and no run owns it.
    model.advance((plan.janitor.minAgeHours + 1) * 3600);
    const janitor = stack.machine('JanitorWorkflowStateMachine');
    const cleaned = await runWorkflow({
      definition: janitor.definition,
      region: 'us-east-1',
      model,
      lambdas: stack.lambdas(model),
      executionName: 'janitor-run',
      stateMachineName: janitor.name,
      input: { trigger: 'schedule' },
    });

    expect(cleaned.status).toBe('SUCCEEDED');
    expect(deletes(model, 'entmoot-prod')).toHaveLength(1);
    expect(copies(model, 'entmoot-prod').filter((c) => c.status !== 'deleting')).toEqual([]);
  });
});

describe('the monthly snapshot restore test under faults, its children included', () => {
  let outcomes: Awaited<ReturnType<typeof sweepWorkflow>>;
  beforeAll(async () => {
    outcomes = await sweepWorkflow({
      stack,
      machine: parent,
      descriptor: SNAPSHOT_RESTORE_TEST_DESCRIPTOR,
      executionName: EXECUTION,
      startTime: NOW,
      seed,
      children: { [child.name]: SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR },
    });
  }, 600_000);

  it('sweeps the children’s Task states as well as the parent’s', () => {
    expect(outcomes.some((o) => o.at.endsWith(`of ${child.name}`))).toBe(true);
    expect(outcomes.some((o) => o.at === 'crash at Choose Databases')).toBe(true);
  });

  it('writes one evidence record per execution and notifies at most once per run', () => {
    for (const o of outcomes) {
      expect({ at: o.at, evidence: o.evidence }).toEqual({ at: o.at, evidence: 1 + o.children });
      expect({ at: o.at, notifications: o.notifications }).toEqual({ at: o.at, notifications: 1 });
    }
  });

  it('fails only with a named error', () => {
    expect(outcomes.filter((o) => !o.namedError).map((o) => o.at)).toEqual([]);
  });

  it('leaves no copy unless deleting or reported by its run, and only describes production', () => {
    for (const o of outcomes) {
      const childRecords = evidenceRecords(o.model, stack.evidenceBucket).filter(
        (r) => r.workflow === 'snapshot-restore-test-db',
      );
      // A copy may stay only when its run reported a failed cleanup (the janitor removes it); "not found" injected
      // at a delete claims the copy is gone while the model still holds it, and is taken at its word.
      const reportedLeft = (copy: { id: string; tags: { Key: string; Value: string }[] }) => {
        const run = copy.tags.find((t) => t.Key === 'entmoot-dr:execution')?.Value;
        return childRecords.some((r) =>
          (r.results ?? []).some(
            (c: { check: string; status: string; target: string }) =>
              c.status === 'FAIL' &&
              ((c.check === 'restore-copy-cleanup' && c.target === copy.id) ||
                (c.check === CLEANUP_CHECK && c.target === run)),
          ),
        );
      };
      const left = o.model
        .dbInstances('us-east-1')
        .filter((i) => i.id.startsWith('edr-restore-') && i.status !== 'deleting' && !reportedLeft(i))
        .filter(() => !/^notFound at Delete Copy/.test(o.at));
      expect({ at: o.at, left: left.map((i) => `${i.id} ${i.status}`) }).toEqual({ at: o.at, left: [] });
      const onProduction = o.model.calls.filter(
        (c) =>
          c.service === 'rds' &&
          DBS.some((db) => JSON.stringify(c.params).includes(`"${db}"`)) &&
          !/^Describe/.test(c.action) &&
          c.action !== 'RestoreDBInstanceFromDBSnapshot',
      );
      expect({ at: o.at, onProduction }).toEqual({ at: o.at, onProduction: [] });
    }
  });
});
