import { PITR_CHECKS } from '../../functions/pitr/finish-recovery';
import { POINT_IN_TIME_RECOVERY_DESCRIPTOR } from '../../lib/point-in-time-recovery';
import type { AccountModel } from '../support/account/model';
import type { DbInstanceState } from '../support/account/rds-state';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { runWorkflow, type FaultInjection, type LambdaHandler, type RunResult } from '../support/workflow/run';
import { afterRun, sweepWorkflow } from '../support/workflow-helpers';

const plan = configuredPlan();
const { primary } = synthesize(plan);
const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
const machine = stack.machine('PointInTimeRecoveryWorkflowStateMachine');
const descriptor = POINT_IN_TIME_RECOVERY_DESCRIPTOR;
const E = 'us-east-1';
const NOW = new Date('2025-11-10T14:07:00Z');
const EXECUTION = 'pitr-entmoot-prod-202511101407';
const COPY = 'edr-pitr-entmoot-prod-202511101407';
const SNAPSHOT = 'edr-emergency-entmoot-prod-202511101407';
const TARGET_TIME = '2025-11-10T12:00:00Z';
const INPUT = { sourceDbInstanceId: 'entmoot-prod', targetTime: TARGET_TIME, reason: 'bad migration 4711' };

let restore: () => void = () => undefined;
afterEach(() => restore());

function seed(model: AccountModel): void {
  model.addSubnetGroup(E, 'entmoot-db-subnets', 'vpc-0a1b2c3d4e5f60718');
  model.addDbInstance(E, {
    id: 'entmoot-prod',
    instanceClass: 'db.r6g.large',
    subnetGroupName: 'entmoot-db-subnets',
    vpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
    parameterGroupName: 'entmoot-pg16',
    multiAZ: true,
    deletionProtection: true,
    copyTagsToSnapshot: true,
    tags: [
      { Key: 'team', Value: 'data' },
      { Key: 'aws:cloudformation:stack-name', Value: 'entmoot' },
    ],
    settings: {
      storageType: 'io1',
      iops: 3000,
      maxAllocatedStorage: 500,
      optionGroupName: 'entmoot-og',
      caCertificateIdentifier: 'rds-ca-ecc384-g1',
      cloudwatchLogsExports: ['postgresql'],
      autoMinorVersionUpgrade: false,
      networkType: 'DUAL',
      preferredBackupWindow: '03:00-03:30',
      performanceInsightsEnabled: true,
      monitoringInterval: 60,
    },
  });
}

/** What a test checks of production: every field of the source, as it was seeded. */
function sourceOf(model: AccountModel): DbInstanceState {
  return structuredClone(model.dbInstance(E, 'entmoot-prod') as DbInstanceState);
}

async function run(
  model: AccountModel,
  options: { input?: unknown; fault?: FaultInjection[]; validator?: LambdaHandler } = {},
): Promise<RunResult> {
  restore = model.wireSdkMocks();
  const result = await runWorkflow({
    definition: machine.definition,
    region: E,
    model,
    lambdas: stack.lambdas(model, { validator: options.validator }),
    executionName: EXECUTION,
    stateMachineName: machine.name,
    input: options.input ?? INPUT,
    fault: options.fault,
  });
  await afterRun(stack, model, descriptor, result, { name: EXECUTION, startTime: NOW, machineArn: machine.arn });
  return result;
}

const copy = (model: AccountModel) => model.dbInstance(E, COPY);
const tag = (i: { tags: { Key: string; Value: string }[] } | undefined, key: string) =>
  i?.tags.find((t) => t.Key === key)?.Value;

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
  'Run Point-in-time recovery',
  'Plan the Recovery',
  'Mark Restore Requested',
  'Snapshot and Restore',
  'Take Emergency Snapshot',
  'Restore to Point in Time',
];
const VALIDATE = [
  'Did the Restore Succeed?',
  'Mark Copy Available',
  'Validate Copy',
  'Mark Copy Validated',
  'Retain Copy',
  'Summarize the Recovery',
  'Collect Results',
];
const NO_CLEANUP = ['Clean Up', 'Did the Run Fail?', 'Nothing to Clean Up'];
const DECIDE = ['Clean Up', 'Did the Run Fail?', 'Was the Input Refused?', 'Decide the Cleanup', 'Delete the Copy?'];
const SUCCEEDED = ['Write Evidence and Notify', 'Did the Run Succeed?', 'Run Succeeded'];
const FAILED = ['Write Evidence and Notify', 'Did the Run Succeed?', 'Run Failed'];
const checks = (record: Record<string, any>) =>
  record.results.map((r: { check: string; status: string }) => [r.check, r.status]);
const resultOf = (record: Record<string, any>, check: string) =>
  record.results.find((r: { check: string }) => r.check === check);
const rdsCalls = (model: AccountModel) => model.calls.filter((c) => c.service === 'rds');

describe('point-in-time recovery', () => {
  it('restores a retained copy at the target time with every setting of the source, and leaves the source as it was', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    const before = sourceOf(model);

    const result = await run(model);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([...START, ...looks(LOOKS_UNTIL_AVAILABLE), ...VALIDATE, ...NO_CLEANUP, ...SUCCEEDED]);
    const restoreCall = rdsCalls(model).find((c) => c.action === 'RestoreDBInstanceToPointInTime');
    expect(restoreCall?.params).toEqual({
      SourceDBInstanceIdentifier: 'entmoot-prod',
      TargetDBInstanceIdentifier: COPY,
      RestoreTime: new Date(TARGET_TIME),
      DBInstanceClass: 'db.r6g.large',
      StorageType: 'io1',
      AllocatedStorage: 100,
      Iops: 3000,
      MaxAllocatedStorage: 500,
      Port: 5432,
      DBSubnetGroupName: 'entmoot-db-subnets',
      VpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
      DBParameterGroupName: 'entmoot-pg16',
      OptionGroupName: 'entmoot-og',
      MultiAZ: true,
      PubliclyAccessible: false,
      EnableIAMDatabaseAuthentication: true,
      CACertificateIdentifier: 'rds-ca-ecc384-g1',
      EnableCloudwatchLogsExports: ['postgresql'],
      CopyTagsToSnapshot: true,
      AutoMinorVersionUpgrade: false,
      NetworkType: 'DUAL',
      BackupRetentionPeriod: 7,
      PreferredBackupWindow: '03:00-03:30',
      DeletionProtection: false,
      Tags: [
        { Key: 'team', Value: 'data' },
        { Key: 'entmoot-dr:owner', Value: 'EntmootDrPrimary' },
        { Key: 'entmoot-dr:execution', Value: EXECUTION },
        { Key: 'entmoot-dr:lifecycle', Value: 'ephemeral' },
      ],
    });
    const recovered = copy(model);
    expect(recovered).toMatchObject({ status: 'available', defaultsApplied: [], publiclyAccessible: false });
    expect(tag(recovered, 'entmoot-dr:lifecycle')).toBe('retained');
    expect(model.restoredTo(E, COPY)).toEqual(new Date(TARGET_TIME));
    expect(sourceOf(model)).toEqual(before);
    const snapshot = model.dbSnapshots(E).find((s) => s.id === SNAPSHOT);
    expect(snapshot?.tags.filter((t) => t.Key.startsWith('entmoot-dr:'))).toEqual([
      { Key: 'entmoot-dr:owner', Value: 'EntmootDrPrimary' },
      { Key: 'entmoot-dr:execution', Value: EXECUTION },
      { Key: 'entmoot-dr:lifecycle', Value: 'rotating' },
    ]);
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(checks(record)).toEqual([
      ['required-tables', 'PASS'],
      [PITR_CHECKS.point, 'PASS'],
      [PITR_CHECKS.copy, 'PASS'],
      [PITR_CHECKS.dataLoss, 'PASS'],
      [PITR_CHECKS.afterSwap, 'PASS'],
      [PITR_CHECKS.swapSteps, 'PASS'],
      [PITR_CHECKS.snapshot, 'PASS'],
    ]);
    expect(resultOf(record, PITR_CHECKS.afterSwap).detail).toContain(
      'Performance Insights on; Enhanced Monitoring interval 60 s',
    );
    expect(resultOf(record, PITR_CHECKS.afterSwap).detail).toContain('deletion protection on');
    expect(record.measurements).toEqual([
      { name: 'restore', seconds: 1020, met: true },
      { name: 'validation', seconds: 0, met: true },
      { name: 'total', seconds: 1020, targetSeconds: 3600, met: true },
    ]);
    expect(model.snsMessages()).toHaveLength(1);
    expect(
      model
        .objects(stack.evidenceBucket)
        .map((o) => o.Key)
        .filter((k) => k.endsWith('.pir.md')),
    ).toEqual([`runs/point-in-time-recovery/2025/11/10/${EXECUTION}.pir.md`]);
  });

  it('restores to the latest restorable time read before the restore, and validates against it', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    const seen: { referenceTime?: string }[] = [];

    const result = await run(model, {
      input: { sourceDbInstanceId: 'entmoot-prod', useLatestRestorableTime: true, reason: 'latest' },
      validator: (payload) => {
        seen.push(payload as { referenceTime: string });
        return { results: [] };
      },
    });

    expect(result.status).toBe('SUCCEEDED');
    // RDS's latest restorable time trails the clock by five minutes (transaction logs are uploaded every five).
    const latest = new Date(NOW.getTime() - 5 * 60_000);
    expect(model.restoredTo(E, COPY)).toEqual(latest);
    expect(seen.map((p) => p.referenceTime)).toEqual([latest.toISOString()]);
  });

  it.each<[string, unknown, string]>([
    ['an unknown source', { ...INPUT, sourceDbInstanceId: 'billing-prod' }, 'is not one of the plan'],
    ['a target time in the future', { ...INPUT, targetTime: '2025-11-10T15:00:00Z' }, 'is in the future'],
    ['a target outside the prefix', { ...INPUT, targetDbInstanceId: 'entmoot-prod-2' }, 'must start with edr-pitr-'],
  ])('refuses %s before any RDS call', async (_what, input, message) => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, { input });

    expect(result.error).toBe('InvalidInputError');
    expect(result.cause).toContain(message);
    expect(result.path).toEqual([
      'Run Point-in-time recovery',
      'Plan the Recovery',
      'Clean Up',
      'Did the Run Fail?',
      'Was the Input Refused?',
      'Nothing to Clean Up',
      ...FAILED,
    ]);
    expect(rdsCalls(model)).toEqual([]);
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('fails with InvalidTargetTimeError naming the window when the target is before it, creating nothing', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    // Backups only since 13:00: the window starts after the target time.
    model.automatedBackups(E)[0]!.earliest = new Date('2025-11-10T13:00:00Z');
    const before = sourceOf(model);

    const result = await run(model);

    expect(result.error).toBe('InvalidTargetTimeError');
    expect(result.cause).toBe(
      'targetTime 2025-11-10T12:00:00.000Z is before the earliest restorable time 2025-11-10T13:00:00.000Z of entmoot-prod (window 2025-11-10T13:00:00.000Z – 2025-11-10T14:02:00.000Z): restore a snapshot instead',
    );
    expect(result.path).toEqual([
      'Run Point-in-time recovery',
      'Plan the Recovery',
      ...DECIDE,
      'Report the Copy',
      ...FAILED,
    ]);
    expect(copy(model)).toBeUndefined();
    expect(model.dbSnapshots(E).filter((s) => s.id === SNAPSHOT)).toEqual([]);
    expect(sourceOf(model)).toEqual(before);
  });

  it('goes on with a WARN when the emergency snapshot cannot be taken', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, {
      fault: [{ state: 'Take Emergency Snapshot', error: 'Rds.SnapshotQuotaExceededException' }],
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      ...START,
      'Emergency Snapshot Refused',
      ...looks(LOOKS_UNTIL_AVAILABLE),
      ...VALIDATE,
      ...NO_CLEANUP,
      ...SUCCEEDED,
    ]);
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(record.status).toBe('WARN');
    expect(resultOf(record, PITR_CHECKS.snapshot)).toMatchObject({
      status: 'WARN',
      observed: 'refused',
      detail: expect.stringContaining('could not be taken (Rds.SnapshotQuotaExceededException)'),
    });
    expect(tag(copy(model), 'entmoot-dr:lifecycle')).toBe('retained');
  });

  it('fails with RestoreFailedError when the restore ends incompatible-restore, deletes the half-created copy, and leaves the source as it was', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.rds.restoreEndsIn = 'incompatible-restore';
    const before = sourceOf(model);

    const result = await run(model);

    expect(result.error).toBe('RestoreFailedError');
    expect(result.path).toEqual([
      ...START,
      ...looks(Math.ceil(900 / plan.polling.rdsPollSeconds)),
      'Did the Restore Succeed?',
      'Restore Failed',
      ...DECIDE,
      'Delete Failed Copy',
      'Failed Copy Deleted',
      ...FAILED,
    ]);
    expect(copy(model)?.status).toBe('deleting');
    expect(sourceOf(model)).toEqual(before);
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(resultOf(record, PITR_CHECKS.cleanup)).toMatchObject({
      status: 'PASS',
      detail: `deleting ${COPY}, a failed restore (incompatible-restore); emergency snapshot ${SNAPSHOT} is available (kept, lifecycle rotating)`,
    });
    expect(model.dbSnapshots(E).find((s) => s.id === SNAPSHOT)?.status).toBe('available');
    expect(model.snsMessages()).toHaveLength(1);
  });

  it('keeps a copy that fails validation, retained, with a FAIL saying the point is corrupted as well', async () => {
    const model = stack.newModel(NOW);
    seed(model);

    const result = await run(model, {
      validator: () => ({
        results: [
          {
            check: 'error_count',
            target: COPY,
            status: 'FAIL',
            observed: 12,
            threshold: 0,
            detail: 'error_count is 12, expected 0',
          },
        ],
      }),
    });

    expect(result.error).toBe('CheckFailedError');
    expect(result.path).toEqual([...START, ...looks(LOOKS_UNTIL_AVAILABLE), ...VALIDATE, ...NO_CLEANUP, ...FAILED]);
    expect(tag(copy(model), 'entmoot-dr:lifecycle')).toBe('retained');
    expect(copy(model)?.status).toBe('available');
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(resultOf(record, PITR_CHECKS.point)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('this point is corrupted as well: choose an earlier time'),
    });
  });

  it('measures a total over the RTO as a FAIL without stopping: the copy is still validated and retained', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.durations.restoreInstanceSeconds = 3600;

    const result = await run(model);

    expect(result.error).toBe('CheckFailedError');
    expect(tag(copy(model), 'entmoot-dr:lifecycle')).toBe('retained');
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(record.measurements.find((m: { name: string }) => m.name === 'total')).toEqual({
      name: 'total',
      seconds: 3720,
      targetSeconds: 3600,
      met: false,
    });
    expect(resultOf(record, 'measured-duration')).toMatchObject({ status: 'FAIL', observed: 3720, threshold: 3600 });
  });

  it('gives up at polling.maxRestoreMinutes, leaving the copy ephemeral for the janitor and saying how to keep it', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    model.durations.restoreInstanceSeconds = plan.polling.maxRestoreMinutes * 60 * 2;
    const bound = (plan.polling.maxRestoreMinutes * 60) / plan.polling.rdsPollSeconds;

    const result = await run(model);

    expect(result.error).toBe('WaitTimedOutError');
    expect(result.path).toEqual([
      ...START,
      ...looks(bound),
      'Copy Not Available in Time',
      ...DECIDE,
      'Report the Copy',
      ...FAILED,
    ]);
    expect(copy(model)?.status).toBe('creating');
    expect(tag(copy(model), 'entmoot-dr:lifecycle')).toBe('ephemeral');
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(resultOf(record, PITR_CHECKS.cleanup)).toMatchObject({
      status: 'WARN',
      target: COPY,
      detail: `left ${COPY} (creating, lifecycle ephemeral): the janitor removes it after ${plan.janitor.minAgeHours} h, on its run at ${plan.schedules.janitor}, unless it is retagged retained: aws rds add-tags-to-resource --resource-name arn:aws:rds:us-east-1:123456789012:db:${COPY} --tags Key=entmoot-dr:lifecycle,Value=retained; emergency snapshot ${SNAPSHOT} is available (kept, lifecycle rotating)`,
    });
    expect(model.snsMessages()).toHaveLength(1);
  });
});

describe('a stopped point-in-time recovery', () => {
  it('is reported by the status-change reporter, and the janitor later removes its copy and keeps the snapshot', async () => {
    const model = stack.newModel(NOW);
    seed(model);
    const before = sourceOf(model);
    restore = model.wireSdkMocks();

    const result = await runWorkflow({
      definition: machine.definition,
      region: E,
      model,
      lambdas: stack.lambdas(model),
      executionName: EXECUTION,
      stateMachineName: machine.name,
      input: INPUT,
      stopOnEntering: 'Validate Copy',
    });
    await afterRun(stack, model, descriptor, result, { name: EXECUTION, startTime: NOW, machineArn: machine.arn });

    expect(result.status).toBe('ABORTED');
    expect(result.path.at(-1)).toBe('Validate Copy');
    expect(evidenceRecords(model, stack.evidenceBucket)).toEqual([
      expect.objectContaining({ outcome: 'ABORTED', reportedBy: 'status-change-reporter' }),
    ]);
    expect(model.snsMessages()).toHaveLength(1);
    expect(
      model
        .objects(stack.evidenceBucket)
        .map((o) => o.Key)
        .filter((k) => k.endsWith('.pir.md')),
    ).toEqual([`runs/point-in-time-recovery/2025/11/10/${EXECUTION}.pir.md`]);
    expect(tag(copy(model), 'entmoot-dr:lifecycle')).toBe('ephemeral');

    model.advance((plan.janitor.minAgeHours + 1) * 3600);
    const janitor = stack.machine('JanitorWorkflowStateMachine');
    const swept = await runWorkflow({
      definition: janitor.definition,
      region: E,
      model,
      lambdas: stack.lambdas(model),
      executionName: 'janitor-run',
      stateMachineName: janitor.name,
      input: { trigger: 'schedule' },
    });

    expect(swept.status).toBe('SUCCEEDED');
    expect(copy(model)?.status ?? 'gone').toMatch(/^(deleting|gone)$/);
    expect(model.dbSnapshots(E).find((s) => s.id === SNAPSHOT)?.status).toBe('available');
    expect(sourceOf(model)).toEqual(before);
  });
});

describe('the fault sweep of the point-in-time recovery', () => {
  it('ends every run with one evidence record, at most one notification, nothing left but the snapshot and copies the report names, and the source untouched', async () => {
    const before = new WeakMap<AccountModel, string>();
    const outcomes = await sweepWorkflow({
      stack,
      machine,
      descriptor,
      executionName: EXECUTION,
      startTime: NOW,
      seed: (model) => {
        seed(model);
        // A short restore keeps each of the sweep's runs to a few looks; the paths are the same.
        model.durations.restoreInstanceSeconds = 60;
        before.set(model, JSON.stringify(sourceOf(model)));
      },
      input: INPUT,
    });

    expect(outcomes.length).toBeGreaterThan(40);
    for (const o of outcomes) {
      const record = evidenceRecords(o.model, stack.evidenceBucket)[0];
      const named = new Set((record?.results ?? []).map((r: { target: string }) => r.target));
      const left = o.model
        .dbInstances(E)
        // A retained copy validated: kept on purpose even where the report step itself failed (its record, then the
        // status-change reporter's, has no results to name it by).
        .filter(
          (i) =>
            i.id !== 'entmoot-prod' &&
            i.status !== 'deleting' &&
            !named.has(i.id) &&
            tag(i, 'entmoot-dr:lifecycle') !== 'retained',
        );
      const snapshots = o.model.dbSnapshots(E).filter((s) => tag(s, 'entmoot-dr:lifecycle') !== 'rotating');
      expect({
        at: o.at,
        evidence: o.evidence,
        namedError: o.namedError,
        left: left.map((i) => i.id),
        snapshots: snapshots.map((s) => s.id),
        sourceUntouched: JSON.stringify(sourceOf(o.model)) === before.get(o.model),
      }).toEqual({ at: o.at, evidence: 1, namedError: true, left: [], snapshots: [], sourceUntouched: true });
      expect(o.notifications).toBeLessThanOrEqual(1);
    }
  }, 600_000);
});
