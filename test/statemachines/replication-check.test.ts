import { REPLICATION_CHECK_DESCRIPTOR } from '../../lib/replication-check';
import type { AccountModel } from '../support/account/model';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import type { RunResult } from '../support/workflow/run';
import {
  expectReadOnlyRuns,
  sweepWorkflow,
  expectEveryFaultAtEveryTask,
  runScheduled,
} from '../support/workflow-helpers';

const plan = configuredPlan({
  buckets: [
    {
      name: 'entmoot-prod-files',
      role: 'files',
      drBucket: 'entmoot-prod-files-us-west-2',
      sampleKeys: ['health/probe.txt'],
    },
    { name: 'entmoot-prod-backups', role: 'backups' },
  ],
});
const { primary } = synthesize(plan);
const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
const machine = stack.machine('ReplicationCheckFleetWorkflowStateMachine');
const descriptor = REPLICATION_CHECK_DESCRIPTOR;
const NOW = new Date('2025-11-10T10:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const RULE = {
  ID: 'to-dr',
  Status: 'Enabled',
  Priority: 1,
  Filter: {},
  DeleteMarkerReplication: { Status: 'Enabled' },
  Destination: {
    Bucket: 'arn:aws:s3:::entmoot-prod-files-us-west-2',
    ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
    Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
  },
};
const S3_DIMENSIONS = {
  SourceBucket: 'entmoot-prod-files',
  DestinationBucket: 'entmoot-prod-files-us-west-2',
  RuleId: 'to-dr',
};

/** A healthy account: the files bucket replicated with RTC, its sample replicated, both replicas streaming. */
function seedHealthy(model: AccountModel, options: { drLagSeconds?: number } = {}): void {
  model.addBucket('entmoot-prod-files', 'us-east-1', { versioned: true });
  model.addBucket('entmoot-prod-files-us-west-2', 'us-west-2', { versioned: true });
  model.s3.configure('entmoot-prod-files', {
    replication: { Role: 'arn:aws:iam::123456789012:role/replication', Rules: [RULE] },
  });
  model.putObject('entmoot-prod-files', 'health/probe.txt', 'ok', {
    checksumSHA256: true,
    lastModified: minutesAgo(90),
  });
  model.s3.replicate('entmoot-prod-files', 'health/probe.txt', 'entmoot-prod-files-us-west-2');
  model.addDbInstance('us-east-1', { id: 'entmoot-prod', backupReplicationRegion: 'us-west-2' });
  model.addDbInstance('us-east-1', { id: 'entmoot-prod-replica', replicaOf: 'entmoot-prod' });
  model.addDbInstance('us-west-2', {
    id: 'entmoot-prod-dr-replica',
    replicaOf: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
  });
  seedMetrics(model, options);
}

/** The last hour's RTC metrics and the last minutes' ReplicaLag, as AWS publishes them, up to the model's now. */
function seedMetrics(model: AccountModel, options: { drLagSeconds?: number } = {}): void {
  const ago = (m: number) => new Date(model.now().getTime() - m * 60_000);
  const quarterHours = [55, 40, 25, 10].map(ago);
  model.cloudwatch.seedDatapoints(
    'us-west-2',
    { namespace: 'AWS/S3', metricName: 'ReplicationLatency', dimensions: S3_DIMENSIONS },
    quarterHours.map((at) => ({ at, value: 40 })),
  );
  model.cloudwatch.seedDatapoints(
    'us-west-2',
    { namespace: 'AWS/S3', metricName: 'OperationsPendingReplication', dimensions: S3_DIMENSIONS },
    quarterHours.map((at) => ({ at, value: 0 })),
  );
  for (const [region, id, lag] of [
    ['us-east-1', 'entmoot-prod-replica', 2],
    ['us-west-2', 'entmoot-prod-dr-replica', options.drLagSeconds ?? 30],
  ] as const) {
    model.cloudwatch.seedDatapoints(
      region,
      { namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensions: { DBInstanceIdentifier: id } },
      [1, 2, 3].map((m) => ({ at: ago(m), value: lag })),
    );
  }
}

function run(model: AccountModel, name: string): Promise<RunResult> {
  return runScheduled({ stack, machine, model, descriptor, executionName: name });
}

describe('the hourly replication check workflow', () => {
  it('checks every replicated bucket and database in one batch each, passes quietly, and keeps results in the evidence bucket', async () => {
    const model = stack.newModel(NOW);
    seedHealthy(model);

    const result = await run(model, 'hourly-1');

    const [record] = evidenceRecords(model, stack.evidenceBucket);
    const verdicts = (record?.results ?? []).map((r: { check: string; status: string }) => `${r.check} ${r.status}`);
    expect({ status: result.status, notFailed: verdicts.filter((v: string) => !v.endsWith('PASS')) }).toEqual({
      status: 'SUCCEEDED',
      notFailed: [],
    });
    expect(result.path.filter((s) => s === 'Check Batch')).toHaveLength(2);
    expect(model.snsMessages()).toEqual([]);
    expect(
      model
        .objects(stack.evidenceBucket)
        .map((o) => o.Key)
        .filter((k) => k.includes('/results/')),
    ).toEqual([
      'runs/replication-check/hourly-1/results/batch-0000.json',
      'runs/replication-check/hourly-1/results/batch-0001.json',
    ]);
  });

  it('announces a DR replica lagging past the region-failure RPO once, stays silent the next hour, and announces its recovery', async () => {
    const model = stack.newModel(NOW);
    seedHealthy(model, { drLagSeconds: 20 * 60 });

    const first = await run(model, 'hourly-1');
    model.advance(3600);
    seedMetrics(model, { drLagSeconds: 20 * 60 });
    const second = await run(model, 'hourly-2');
    const quietMessages = model.snsMessages().length;
    model.advance(3600);
    seedMetrics(model);
    const third = await run(model, 'hourly-3');

    expect([first.status, first.error, second.status, third.status]).toEqual([
      'FAILED',
      'CheckFailedError',
      'FAILED',
      'SUCCEEDED',
    ]);
    expect(quietMessages).toBe(1);
    const [failed, recovered] = model.snsMessages();
    expect([failed?.Subject, recovered?.Subject]).toEqual([
      expect.stringMatching(/^\[HIGH\] Replication check failed, 1 changed/),
      expect.stringMatching(/^\[INFO\] Replication check passed, 1 changed/),
    ]);
    const message = JSON.parse(failed?.Message ?? '{}') as { default: string };
    expect(message.default).toContain('NEW FAIL rds-replica-lag entmoot-prod-dr-replica');
  });
});

describe('the replication check under every fault', () => {
  it('ends with a named error or a FAIL result, one evidence record, at most one notification, and writes only evidence', async () => {
    const outcomes = await sweepWorkflow({
      stack,
      machine,
      descriptor,
      executionName: 'hourly-sweep',
      startTime: NOW,
      seed: (model) => seedHealthy(model),
    });

    expectEveryFaultAtEveryTask(outcomes, machine, [
      'Check Batch',
      'Count Bucket Checks as Failed',
      'Count Database Checks as Failed',
      'Write Evidence and Notify',
    ]);
    expectReadOnlyRuns(outcomes, stack.evidenceBucket);
  });
});
