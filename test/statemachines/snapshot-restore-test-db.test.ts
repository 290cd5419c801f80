import { SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR } from '../../lib/snapshot-restore-test';
import { CLEANUP_CHECK } from '../../statemachines/report';
import type { AccountModel } from '../support/account/model';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { fakeResourceNames } from '../support/workflow/template';
import { runWorkflow, type FaultInjection, type LambdaHandler, type RunResult } from '../support/workflow/run';
import { afterRun, sweepWorkflow } from '../support/workflow-helpers';

const plan = configuredPlan();
const { primary } = synthesize(plan);
const template = primary.toJSON();
const stack = stackWorkflows(template, 'us-east-1', plan);
const machine = stack.machine('SnapshotRestoreTestDatabaseWorkflowStateMachine');
const descriptor = SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR;
const NOW = new Date('2026-11-01T05:00:00Z');
const EXECUTION = 'restore-test-entmoot-prod';
const COPY = 'edr-restore-entmoot-prod-202611010500';
const subnetGroup = Object.values(fakeResourceNames(template, { region: 'us-east-1' })).find(
  (r) => r.type === 'AWS::RDS::DBSubnetGroup',
)!.name;
const rtoSeconds = plan.recoveryTargets.restoreFromBackup.rtoMinutes * 60;

let restore: () => void = () => undefined;
afterEach(() => restore());

function seed(model: AccountModel): void {
  model.addDbInstance('us-east-1', { id: 'entmoot-prod', instanceClass: 'db.r6g.large' });
  model.addSubnetGroup('us-east-1', subnetGroup, 'vpc-isolated');
  model.addDbSnapshot('us-east-1', {
    id: 'rds:entmoot-prod-2026-10-31-03-00',
    instanceId: 'entmoot-prod',
    type: 'automated',
    createdAt: new Date('2026-10-31T03:00:00Z'),
  });
  model.addDbSnapshot('us-east-1', {
    id: 'rds:entmoot-prod-2026-11-01-03-00',
    instanceId: 'entmoot-prod',
    type: 'automated',
    createdAt: new Date('2026-11-01T03:00:00Z'),
  });
}

async function run(
  model: AccountModel,
  options: { input?: unknown; fault?: FaultInjection[]; validator?: LambdaHandler } = {},
): Promise<RunResult> {
  restore = model.wireSdkMocks();
  const result = await runWorkflow({
    definition: machine.definition,
    region: 'us-east-1',
    model,
    lambdas: stack.lambdas(model, { validator: options.validator }),
    executionName: EXECUTION,
    stateMachineName: machine.name,
    input: options.input ?? { dbInstanceId: 'entmoot-prod' },
    fault: options.fault,
  });
  await afterRun(stack, model, descriptor, result, { name: EXECUTION, startTime: NOW, machineArn: machine.arn });
  return result;
}

const rdsCalls = (model: AccountModel) => model.calls.filter((c) => c.service === 'rds');

const looks = (n: number) => [
  'Start Waiting for Copy',
  ...Array.from({ length: n }, (_, k) => [
    'Wait for Copy',
    'Look at Copy',
    'Is Copy Done?',
    ...(k < n - 1 ? ['Count Copy Attempt'] : []),
  ]).flat(),
];
/** Looks until available: restore 900 s + backing-up 120 s at the plan's 30 s poll. */
const LOOKS_UNTIL_AVAILABLE = Math.ceil((900 + 120) / plan.polling.rdsPollSeconds);
const START = [
  'Run Snapshot restore test of one database',
  'Plan the Restore',
  'Mark Restore Requested',
  'Which Storage Settings?',
  'Restore Snapshot',
];
const VALIDATE = [
  'Did the Restore Succeed?',
  'Mark Copy Available',
  'Validate Copy',
  'Mark Copy Validated',
  'Collect Results',
];
const CLEANUP_AFTER_SUCCESS = ['Clean Up', 'Did the Run Fail?', 'Copy Named by the Run', 'Delete Copy', 'Copy Deleted'];
const CLEANUP_AFTER_FAILURE = [
  'Clean Up',
  'Did the Run Fail?',
  'Was the Input Refused?',
  'Name the Copy',
  'Delete Copy',
  'Copy Deleted',
];
const SUCCEEDED = ['Write Evidence and Notify', 'Did the Run Succeed?', 'Run Succeeded'];
const FAILED = ['Write Evidence and Notify', 'Did the Run Succeed?', 'Run Failed'];
const copy = (model: AccountModel) => model.dbInstances('us-east-1').find((i) => i.id === COPY);

describe('one database’s snapshot restore test', () => {
  it('restores the newest snapshot with every setting explicit, validates, measures and deletes the copy', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      ...START,
      ...looks(LOOKS_UNTIL_AVAILABLE),
      ...VALIDATE,
      ...CLEANUP_AFTER_SUCCESS,
      ...SUCCEEDED,
    ]);
    const restoreCall = result.taskCalls.find((c) => c.state === 'Restore Snapshot');
    expect(restoreCall?.params).toEqual({
      DbInstanceIdentifier: COPY,
      DbSnapshotIdentifier: 'rds:entmoot-prod-2026-11-01-03-00',
      DbInstanceClass: 'db.r6g.large',
      DbSubnetGroupName: subnetGroup,
      VpcSecurityGroupIds: [expect.stringMatching(/^sg-[0-9a-f]{17}$/)],
      PubliclyAccessible: false,
      MultiAZ: false,
      DeletionProtection: false,
      EnableIAMDatabaseAuthentication: true,
      BackupRetentionPeriod: 0,
      StorageType: 'gp3',
      DbParameterGroupName: expect.stringMatching(/^default\.postgres\d+$/),
      Port: 5432,
      CopyTagsToSnapshot: false,
      AutoMinorVersionUpgrade: false,
      Tags: [
        { Key: 'entmoot-dr:owner', Value: 'EntmootDrPrimary' },
        { Key: 'entmoot-dr:execution', Value: EXECUTION },
        { Key: 'entmoot-dr:lifecycle', Value: 'ephemeral' },
      ],
    });
    expect(copy(model)).toMatchObject({
      status: 'deleting',
      defaultsApplied: [],
      publiclyAccessible: false,
      backupRetentionPeriod: 0,
      subnetGroupName: subnetGroup,
      iamAuth: true,
    });
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(record.measurements.map((m: { name: string }) => m.name)).toEqual(['restore', 'validation', 'total']);
    expect(record.measurements[2]).toEqual({
      name: 'total',
      seconds: expect.any(Number),
      targetSeconds: rtoSeconds,
      met: true,
    });
    expect(record.results.map((r: { check: string; status: string }) => [r.check, r.status])).toEqual([
      ['required-tables', 'PASS'],
      ['restore-copy-cleanup', 'PASS'],
    ]);
    expect(model.snsMessages()).toHaveLength(0);
    expect(model.dbInstances('us-east-1').find((i) => i.id === 'entmoot-prod')?.status).toBe('available');
  });

  it('restores the snapshot named in the input, validated against its creation time', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    const seen: unknown[] = [];

    const result = await run(model, {
      input: { dbInstanceId: 'entmoot-prod', snapshotId: 'rds:entmoot-prod-2026-10-31-03-00' },
      validator: (payload) => {
        seen.push(payload);
        return { results: [] };
      },
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.taskCalls.find((c) => c.state === 'Restore Snapshot')?.params).toMatchObject({
      DbSnapshotIdentifier: 'rds:entmoot-prod-2026-10-31-03-00',
    });
    expect(seen).toEqual([
      {
        target: 'entmoot-prod',
        host: expect.any(String),
        port: 5432,
        database: 'entmoot',
        user: 'dr_validator',
        referenceTime: '2026-10-31T03:00:00.000Z',
      },
    ]);
  });

  it.each([
    [{ dbInstanceId: 'entmoot-prod', extra: 1 }, 'unknown key extra'],
    [{ dbInstanceId: 'someone-else' }, 'someone-else is not in the plan'],
    [{ dbInstanceId: 'entmoot_prod!' }, 'must be an RDS instance id'],
    [{ snapshotId: 'rds:entmoot-prod-2026-11-01-03-00' }, 'snapshotId needs input.dbInstanceId'],
    [{ dbInstanceId: 'entmoot-prod', snapshotId: 'not a snapshot' }, 'must be an RDS snapshot id'],
  ])('refuses input %j before any RDS call (%s)', async (input, message) => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, { input });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    expect(result.cause).toContain(message);
    expect(result.path).toEqual([
      'Run Snapshot restore test of one database',
      'Plan the Restore',
      'Clean Up',
      'Did the Run Fail?',
      'Was the Input Refused?',
      'Nothing to Clean Up',
      ...FAILED,
    ]);
    expect(rdsCalls(model)).toEqual([]);
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('refuses a named snapshot of another instance', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.addDbInstance('us-east-1', { id: 'other-db' });
    model.addDbSnapshot('us-east-1', { id: 'other-snap', instanceId: 'other-db' });

    const result = await run(model, { input: { dbInstanceId: 'entmoot-prod', snapshotId: 'other-snap' } });

    expect(result.error).toBe('InvalidInputError');
    expect(result.cause).toContain('other-snap is not a snapshot of entmoot-prod');
    expect(
      model
        .dbInstances('us-east-1')
        .map((i) => i.id)
        .sort(),
    ).toEqual(['entmoot-prod', 'other-db']);
  });

  it('fails with the refusal when RDS refuses the restore, and has nothing to delete', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, {
      fault: [{ state: 'Restore Snapshot', error: 'Rds.InstanceQuotaExceededException' }],
    });

    expect(result.error).toBe('Rds.InstanceQuotaExceededException');
    expect(result.path).toEqual([
      ...START,
      'Clean Up',
      'Did the Run Fail?',
      'Was the Input Refused?',
      'Name the Copy',
      'Delete Copy',
      'No Copy to Delete',
      ...FAILED,
    ]);
    expect(copy(model)).toBeUndefined();
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('fails at once, naming the status, when the restore ends incompatible-restore, and deletes the copy', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.rds.restoreEndsIn = 'incompatible-restore';

    const result = await run(model);

    expect(result.error).toBe('CheckFailedError');
    expect(result.cause).toContain('ended in status incompatible-restore');
    expect(result.path).toEqual([
      ...START,
      ...looks(Math.ceil(900 / plan.polling.rdsPollSeconds)),
      'Did the Restore Succeed?',
      'Restore Failed',
      'Collect the Failure',
      ...CLEANUP_AFTER_SUCCESS,
      ...FAILED,
    ]);
    expect(copy(model)?.status).toBe('deleting');
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('gives up at the RTO with WaitTimedOutError when the copy never becomes available, and deletes it', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.durations.restoreInstanceSeconds = rtoSeconds * 2;

    const result = await run(model);

    expect(result.error).toBe('WaitTimedOutError');
    // Still creating at the bound: the delete is refused, waited for and tried again.
    const bound = START.length + looks(rtoSeconds / plan.polling.rdsPollSeconds).length;
    expect(result.path.slice(0, bound + 6)).toEqual([
      ...START,
      ...looks(rtoSeconds / plan.polling.rdsPollSeconds),
      'Copy Not Available in Time',
      'Clean Up',
      'Did the Run Fail?',
      'Was the Input Refused?',
      'Name the Copy',
      'Delete Copy',
    ]);
    expect(result.path.slice(bound + 6, bound + 9)).toEqual([
      'Start Waiting for Deletable Instance',
      'Wait for Deletable Instance',
      'Delete Copy Again',
    ]);
    expect(result.path.slice(-4)).toEqual(['Copy Deleted', ...FAILED]);
    expect(copy(model)?.status).toBe('deleting');
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('reports a crashed validator as Lambda.Unknown and still deletes the copy', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, { fault: [{ state: 'Validate Copy', error: 'Lambda.Unknown' }] });

    expect(result.error).toBe('Lambda.Unknown');
    expect(result.path).toEqual([
      ...START,
      ...looks(LOOKS_UNTIL_AVAILABLE),
      'Did the Restore Succeed?',
      'Mark Copy Available',
      'Validate Copy',
      ...CLEANUP_AFTER_FAILURE,
      ...FAILED,
    ]);
    expect(copy(model)?.status).toBe('deleting');
  });

  it('fails with CheckFailedError when validation finds a FAIL, and deletes the copy', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, {
      validator: () => ({
        results: [
          {
            check: 'required-tables',
            target: 'entmoot-prod',
            status: 'FAIL',
            observed: 2,
            threshold: 3,
            detail: 'missing table optimizations',
          },
        ],
      }),
    });

    expect(result.error).toBe('CheckFailedError');
    expect(result.cause).toContain('missing table optimizations');
    expect(result.path).toEqual([
      ...START,
      ...looks(LOOKS_UNTIL_AVAILABLE),
      ...VALIDATE,
      ...CLEANUP_AFTER_SUCCESS,
      ...FAILED,
    ]);
    expect(copy(model)?.status).toBe('deleting');
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('fails when the total is over the RTO even though the copy validated', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.durations.restoreInstanceSeconds = rtoSeconds - 200;

    const result = await run(model, {
      // Validation takes two minutes: available within the RTO, validated after it.
      validator: (payload) => {
        model.advance(120);
        return {
          results: [
            {
              check: 'required-tables',
              target: (payload as { target: string }).target,
              status: 'PASS',
              observed: 3,
              threshold: 3,
              detail: 'ok',
            },
          ],
        };
      },
    });

    expect(result.error).toBe('CheckFailedError');
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(record.measurements.find((m: { name: string }) => m.name === 'total')).toMatchObject({
      met: false,
      targetSeconds: rtoSeconds,
    });
    expect(record.results.map((r: { check: string; status: string }) => [r.check, r.status])).toEqual([
      ['required-tables', 'PASS'],
      ['measured-duration', 'FAIL'],
      ['restore-copy-cleanup', 'PASS'],
    ]);
    expect(copy(model)?.status).toBe('deleting');
  });

  it('retries a throttled delete and then deletes the copy', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, { fault: [{ state: 'Delete Copy', error: 'Rds.RdsException', times: 2 }] });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.taskCalls.filter((c) => c.state === 'Delete Copy')).toHaveLength(3);
    expect(copy(model)?.status).toBe('deleting');
  });

  it('waits for a copy still creating and deletes it once it can', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, {
      fault: [
        { state: 'Validate Copy', error: 'Lambda.Unknown' },
        { state: 'Delete Copy', error: 'Rds.InvalidDbInstanceStateException' },
      ],
    });

    expect(result.error).toBe('Lambda.Unknown');
    expect(result.path.slice(-9)).toEqual([
      'Delete Copy',
      'Start Waiting for Deletable Instance',
      'Wait for Deletable Instance',
      'Delete Copy Again',
      'Is Deletable Instance Done?',
      'Copy Deleted',
      ...FAILED,
    ]);
    expect(copy(model)?.status).toBe('deleting');
  });

  it('leaves a never-deletable copy to the janitor with a FAIL saying when', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, {
      fault: [
        { state: 'Delete Copy', error: 'Rds.InvalidDbInstanceStateException' },
        { state: 'Delete Copy Again', error: 'Rds.InvalidDbInstanceStateException' },
      ],
    });

    const attempts = Math.ceil((plan.polling.maxDeleteWaitMinutes * 60) / plan.polling.deletePollSeconds);
    expect(result.error).toBe('CheckFailedError');
    expect(result.taskCalls.filter((c) => c.state === 'Delete Copy Again')).toHaveLength(attempts);
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(record.results.at(-1)).toMatchObject({
      check: 'restore-copy-cleanup',
      target: COPY,
      status: 'FAIL',
      observed: 'present',
      detail: `left ${COPY}: the janitor removes it after ${plan.janitor.minAgeHours} h, on its run at ${plan.schedules.janitor}`,
    });
    expect(model.snsMessages()).toHaveLength(1);
  });
});

describe('the fault sweep of one database’s restore test', () => {
  it('ends every run with one evidence record, at most one notification, no copy left unless deleting or reported, and production untouched', async () => {
    const outcomes = await sweepWorkflow({
      stack,
      machine,
      descriptor,
      executionName: EXECUTION,
      startTime: NOW,
      seed,
      input: { dbInstanceId: 'entmoot-prod' },
    });

    expect(outcomes.length).toBeGreaterThan(40);
    for (const o of outcomes) {
      const record = evidenceRecords(o.model, stack.evidenceBucket)[0];
      const left = o.model.dbInstances('us-east-1').filter((i) => i.id === COPY && i.status !== 'deleting');
      const reportedLeft = (record?.results ?? []).some(
        (r: { check: string; status: string }) =>
          (r.check === 'restore-copy-cleanup' || r.check === CLEANUP_CHECK) && r.status === 'FAIL',
      );
      expect({
        at: o.at,
        evidence: o.evidence,
        namedError: o.namedError,
        // "Not found" injected at a delete claims the copy is gone while the model still holds it: not found is
        // taken at its word (done), and the janitor removes what is really left.
        leftUnreported: left.length > 0 && !reportedLeft && !/^notFound at Delete Copy/.test(o.at),
      }).toEqual({
        at: o.at,
        evidence: 1,
        namedError: true,
        leftUnreported: false,
      });
      expect(o.notifications).toBeLessThanOrEqual(1);
      expect(o.model.dbInstances('us-east-1').find((i) => i.id === 'entmoot-prod')?.status).toBe('available');
    }
  }, 600_000);
});
