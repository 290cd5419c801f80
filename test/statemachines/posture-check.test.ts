import { POSTURE_CHECK_DESCRIPTOR } from '../../lib/posture-check';
import type { AccountModel } from '../support/account/model';
import { stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import type { RunResult } from '../support/workflow/run';
import {
  expectReadOnlyRuns,
  sweepWorkflow,
  expectEveryFaultAtEveryTask,
  runScheduled,
  verdictsOf,
} from '../support/workflow-helpers';

const plan = configuredPlan();
const { primary } = synthesize(plan);
const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
const machine = stack.machine('PostureCheckFleetWorkflowStateMachine');
const descriptor = POSTURE_CHECK_DESCRIPTOR;
const NOW = new Date('2025-11-10T07:00:00Z');
const BLOCK_ALL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** An account set up as the plan asks: protected, encrypted, Multi-AZ databases; buckets with the plan's lifecycle. */
function seedHealthy(model: AccountModel, options: { backupsExpireDays?: number } = {}): void {
  const db = { multiAZ: true, deletionProtection: true, storageEncrypted: true, backupRetentionPeriod: 30 };
  model.addDbInstance('us-east-1', { id: 'entmoot-prod', ...db, backupReplicationRegion: 'us-west-2' });
  model.addDbInstance('us-east-1', { id: 'entmoot-prod-replica', ...db, replicaOf: 'entmoot-prod' });
  for (const id of ['entmoot-prod', 'entmoot-prod-replica']) model.dbInstance('us-east-1', id)!.iamAuth = true;
  model.addBucket('entmoot-prod-files', 'us-east-1', { versioned: true });
  model.addBucket('entmoot-prod-backups', 'us-east-1', { versioned: true });
  model.s3.configure('entmoot-prod-files', {
    lifecycleRules: [
      {
        ID: 'files',
        Status: 'Enabled',
        Filter: {},
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        Transitions: [{ Days: 30, StorageClass: 'GLACIER_IR' }],
        Expiration: { Days: 365 },
      },
    ],
  });
  model.s3.configure('entmoot-prod-backups', {
    lifecycleRules: [
      { ID: 'backups', Status: 'Enabled', Filter: {}, Expiration: { Days: options.backupsExpireDays ?? 30 } },
    ],
  });
  model.s3control.accountPublicAccessBlock = { ...BLOCK_ALL };
}

function run(model: AccountModel, name: string): Promise<RunResult> {
  return runScheduled({ stack, machine, model, descriptor, executionName: name });
}

const verdicts = (model: AccountModel) => verdictsOf(model, stack.evidenceBucket);

describe('the daily posture check workflow', () => {
  it('finds the live setup as the plan asks and stays silent', async () => {
    const model = stack.newModel(NOW);
    seedHealthy(model);

    const result = await run(model, 'daily-1');

    expect({ status: result.status, notPassed: verdicts(model).filter((v: string) => !v.startsWith('PASS')) }).toEqual({
      status: 'SUCCEEDED',
      notPassed: [],
    });
    // Seven database checks, IAM authentication on the in-region replica too, four per bucket.
    expect(verdicts(model)).toHaveLength(8 + 2 * 4);
    expect(model.snsMessages()).toEqual([]);
  });

  it('announces a backups bucket that deletes backups before the plan’s retention as a High failure', async () => {
    const model = stack.newModel(NOW);
    seedHealthy(model, { backupsExpireDays: 7 });

    const result = await run(model, 'daily-1');

    expect(verdicts(model).filter((v: string) => !v.startsWith('PASS'))).toEqual([
      expect.stringMatching(/^FAIL bucket-lifecycle entmoot-prod-backups/),
    ]);
    expect(result).toMatchObject({ status: 'FAILED', error: 'CheckFailedError' });
    expect(model.snsMessages().map((m) => m.Subject)).toEqual([
      expect.stringMatching(/^\[HIGH\] Posture check failed, 1 changed/),
    ]);
  });
});

describe('the posture check under every fault', () => {
  it('ends with a named error or a FAIL result, one evidence record, at most one notification, and writes only evidence', async () => {
    const outcomes = await sweepWorkflow({
      stack,
      machine,
      descriptor,
      executionName: 'daily-sweep',
      startTime: NOW,
      seed: (model) => seedHealthy(model),
    });

    expectEveryFaultAtEveryTask(outcomes, machine, [
      'Check Batch',
      'Count Database Checks as Failed',
      'Count Bucket Checks as Failed',
      'Count Application Checks as Failed',
      'Write Evidence and Notify',
    ]);
    expectReadOnlyRuns(outcomes, stack.evidenceBucket);
  });
});
