import type { AccountModel } from '../support/account/model';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { fleetPlan } from '../support/fleet';
import { synthesize } from '../support/synth';
import { STATE_PAYLOAD_LIMIT_BYTES } from '../support/workflow/payload-limit';
import { runWorkflow, type RunResult } from '../support/workflow/run';

// 500 databases: 500 database targets, 500 backups buckets and 500 dumps — 1,500 targets in one run.
const plan = fleetPlan(500);
const { primary } = synthesize(plan);
const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
const machine = stack.machine('BackupVerificationWorkflowStateMachine');
const NOW = new Date('2025-11-10T06:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

/** Every instance with a fresh snapshot, and every backups bucket present but empty (so its checks FAIL). */
function fleetAccount(): AccountModel {
  const model = stack.newModel(NOW);
  for (const db of plan.databases) {
    model.addDbInstance('us-east-1', { id: db.id, createdAt: hoursAgo(24 * 60), backupsSince: hoursAgo(24 * 7) });
    model.addDbSnapshot('us-east-1', {
      id: `rds:${db.id}-2025-11-10-03-00`,
      instanceId: db.id,
      type: 'automated',
      createdAt: hoursAgo(3),
    });
  }
  for (const bucket of plan.buckets.filter((b) => b.role === 'backups')) model.addBucket(bucket.name, 'us-east-1');
  return model;
}

describe('the weekly verification of a 500-database fleet', () => {
  let model: AccountModel;
  let result: RunResult;
  let restore: () => void = () => undefined;

  beforeAll(async () => {
    model = fleetAccount();
    restore = model.wireSdkMocks();
    result = await runWorkflow({
      definition: machine.definition,
      region: 'us-east-1',
      model,
      lambdas: stack.lambdas(model),
      executionName: 'weekly-fleet',
      stateMachineName: machine.name,
      input: { trigger: 'schedule' },
    });
  }, 600_000);
  afterAll(() => restore());

  it('reaches its report with every state payload under the 256 KiB cap', () => {
    expect({ error: result.error, cause: result.cause }).not.toEqual(
      expect.objectContaining({ error: 'States.DataLimitExceeded' }),
    );
    expect(result.path.slice(-3)).toEqual(['Write Evidence and Notify', 'Did the Run Succeed?', 'Run Failed']);
    expect(result.largestPayloadBytes).toBeLessThanOrEqual(STATE_PAYLOAD_LIMIT_BYTES);
  });

  it('stores one result object per target under the run’s prefix', () => {
    const keys = model
      .objects(stack.evidenceBucket)
      .map((o) => o.Key)
      .filter((k) => k.startsWith('runs/backup-verification/weekly-fleet/results/'));
    expect(keys).toHaveLength(1_500);
    expect(keys).toContain('runs/backup-verification/weekly-fleet/results/database-fleet-tenant-0499-prod.json');
  });

  it('reports every target’s results, read back from the evidence bucket, in one record', () => {
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    const targets = new Set(record?.results.map((r: { target: string }) => r.target));
    expect(targets.has('fleet-tenant-0000-prod')).toBe(true);
    expect(targets.has('fleet-tenant-0499-prod')).toBe(true);
    expect(record?.results.filter((r: { check: string }) => r.check === 'snapshot-age')).toHaveLength(500);
    expect(record?.error?.name).toBe('CheckFailedError');
    expect(model.snsMessages()).toHaveLength(1);
  });
});
