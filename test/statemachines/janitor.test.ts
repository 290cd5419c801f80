import type { Tag } from '../support/account/rds-state';
import { JANITOR_DESCRIPTOR } from '../../lib/janitor';
import type { AccountModel } from '../support/account/model';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { runWorkflow, type RunResult } from '../support/workflow/run';
import { afterRun, sweepWorkflow, expectEveryFaultAtEveryTask } from '../support/workflow-helpers';

const plan = configuredPlan();
const { primary } = synthesize(plan);
const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
const machine = stack.machine('JanitorWorkflowStateMachine');
const descriptor = JANITOR_DESCRIPTOR;
const OWNER = 'EntmootDrPrimary';
const NOW = new Date('2025-11-10T04:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const ours = (lifecycle: string, execution = 'restore-test-202511010500'): Tag[] => [
  { Key: 'entmoot-dr:owner', Value: OWNER },
  { Key: 'entmoot-dr:lifecycle', Value: lifecycle },
  { Key: 'entmoot-dr:execution', Value: execution },
];

let restore: () => void = () => undefined;
afterEach(() => restore());

async function run(
  model: AccountModel,
  options: { running?: Set<string>; executionName?: string } = {},
): Promise<RunResult> {
  restore = model.wireSdkMocks();
  const executionName = options.executionName ?? 'janitor-run';
  const result = await runWorkflow({
    definition: machine.definition,
    region: 'us-east-1',
    model,
    lambdas: stack.lambdas(model, { runningExecutions: options.running }),
    executionName,
    stateMachineName: machine.name,
    input: { trigger: 'schedule' },
  });
  await afterRun(stack, model, descriptor, result, { name: executionName, startTime: NOW, machineArn: machine.arn });
  return result;
}

function seedProduction(model: AccountModel): void {
  model.addDbInstance('us-east-1', { id: 'entmoot-prod' });
}

describe('the janitor workflow', () => {
  it('finds nothing in a clean account, writes its evidence and stays silent', async () => {
    const model = stack.newModel(NOW);
    seedProduction(model);

    const result = await run(model);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      'Run Janitor',
      'Find Leftovers',
      'Remove Each Leftover',
      'Name What Waits',
      'Write Evidence and Notify',
      'Did the Run Succeed?',
      'Run Succeeded',
    ]);
    expect(evidenceRecords(model, stack.evidenceBucket)).toEqual([
      expect.objectContaining({ workflow: 'janitor', outcome: 'SUCCEEDED', results: [] }),
    ]);
    expect(model.snsMessages()).toHaveLength(0);
    expect(model.dbInstances('us-east-1').map((i) => i.id)).toEqual(['entmoot-prod']);
  });

  it('removes three leftovers and leaves untagged, retained and still-running resources alone', async () => {
    const model = stack.newModel(NOW);
    seedProduction(model);
    for (const id of ['edr-restore-a', 'edr-restore-b', 'edr-pitr-c'])
      model.addDbInstance('us-east-1', { id, createdAt: hoursAgo(48), tags: ours('ephemeral') });
    model.addDbInstance('us-east-1', { id: 'someone-elses-db', createdAt: hoursAgo(48) });
    model.addDbInstance('us-east-1', { id: 'edr-pitr-kept', createdAt: hoursAgo(48), tags: ours('retained') });
    model.addDbInstance('us-east-1', {
      id: 'edr-restore-live',
      createdAt: hoursAgo(48),
      tags: ours('ephemeral', 'live-run'),
    });
    model.durations.deleteInstanceSeconds = 300;

    const result = await run(model, { running: new Set(['live-run']) });

    expect(result.status).toBe('SUCCEEDED');
    expect(
      model
        .dbInstances('us-east-1')
        .map((i) => i.id)
        .sort(),
    ).toEqual(['edr-pitr-kept', 'edr-restore-live', 'entmoot-prod', 'someone-elses-db']);
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(record?.results.map((r: { target: string; status: string }) => `${r.target} ${r.status}`).sort()).toEqual([
      'edr-pitr-c PASS',
      'edr-restore-a PASS',
      'edr-restore-b PASS',
    ]);
    expect(result.path.filter((s) => s === 'Wait for Instance Deletion').length).toBeGreaterThanOrEqual(3);
    expect(model.snsMessages()).toHaveLength(0);
  });

  it('keeps the five newest of seven emergency snapshots and removes the two oldest', async () => {
    const model = stack.newModel(NOW);
    seedProduction(model);
    for (let n = 1; n <= 7; n += 1) {
      model.addDbSnapshot('us-east-1', {
        id: `edr-emergency-entmoot-prod-${n}`,
        instanceId: 'entmoot-prod',
        createdAt: hoursAgo(n * 24),
        tags: ours('rotating'),
      });
    }

    const result = await run(model);

    expect(result.status).toBe('SUCCEEDED');
    expect(
      model
        .dbSnapshots('us-east-1')
        .map((s) => s.id)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5].map((n) => `edr-emergency-entmoot-prod-${n}`));
  });

  it('retries a throttled delete and then removes the instance', async () => {
    const model = stack.newModel(NOW);
    seedProduction(model);
    model.addDbInstance('us-east-1', { id: 'edr-restore-a', createdAt: hoursAgo(48), tags: ours('ephemeral') });
    model.injectFault({ service: 'rds', action: 'DeleteDBInstance', via: 'sfn', error: 'Throttling', times: 1 });

    const result = await run(model);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.taskCalls.filter((c) => c.state === 'Delete Instance')).toHaveLength(2);
    expect(model.dbInstance('us-east-1', 'edr-restore-a')).toBeUndefined();
  });

  it('gives up on a delete that never completes after the plan’s bound, and reports it', async () => {
    const model = stack.newModel(NOW);
    seedProduction(model);
    model.addDbInstance('us-east-1', { id: 'edr-restore-stuck', createdAt: hoursAgo(48), tags: ours('ephemeral') });
    model.durations.deleteInstanceSeconds = Infinity;

    const result = await run(model);

    const looks = result.path.filter((s) => s === 'Look for Instance').length;
    expect(looks).toBe((plan.polling.maxDeleteWaitMinutes * 60) / plan.polling.deletePollSeconds);
    expect(result.path).toContain('Instance Removal Timed Out');
    expect(result).toMatchObject({ status: 'FAILED', error: 'CheckFailedError' });
    const records = evidenceRecords(model, stack.evidenceBucket);
    expect(records).toHaveLength(1);
    expect(records[0]?.results[0]).toMatchObject({
      target: 'edr-restore-stuck',
      status: 'FAIL',
      detail: 'instance edr-restore-stuck was still not gone after 60 minutes',
    });
    expect(model.snsMessages()).toHaveLength(1);
    expect(model.snsMessages()[0]?.Subject).toMatch(/^\[MEDIUM\] Janitor failed/);
  });
});

describe('a janitor run that outlives its workflow timeout', () => {
  it('ends TIMED_OUT outside any Catch and is reported once by the status-change reporter', async () => {
    // A delete wait longer than the run: the plan loader now refuses it and Find Leftovers would start no removal,
    // so the plan is built unvalidated and Find Leftovers answered by hand, to reach a run that outlives its timeout.
    const base = configuredPlan();
    const slowPlan: typeof base = {
      ...base,
      polling: { ...base.polling, maxDeleteWaitMinutes: 600 },
      timeouts: { ...base.timeouts, workflowMinutes: { ...base.timeouts.workflowMinutes, janitor: 120 } },
    };
    const slow = stackWorkflows(synthesize(slowPlan).primary.toJSON(), 'us-east-1', slowPlan);
    const slowMachine = slow.machine('JanitorWorkflowStateMachine');
    const model = slow.newModel(NOW);
    seedProduction(model);
    model.addDbInstance('us-east-1', { id: 'edr-restore-stuck', createdAt: hoursAgo(48), tags: ours('ephemeral') });
    model.durations.deleteInstanceSeconds = Infinity;
    restore = model.wireSdkMocks();

    const result = await runWorkflow({
      definition: slowMachine.definition,
      region: 'us-east-1',
      model,
      lambdas: {
        ...slow.lambdas(model),
        JanitorFindLeftovers: () => ({
          remove: [
            {
              kind: 'instance',
              id: 'edr-restore-stuck',
              lifecycle: 'ephemeral',
              execution: 'restore-test-202511010500',
              createdAt: hoursAgo(48).toISOString(),
              reason: 'ephemeral, 48.0 h old, run over',
            },
          ],
          kept: [],
          deferred: [],
        }),
      },
      executionName: 'janitor-slow',
      stateMachineName: slowMachine.name,
    });
    await afterRun(slow, model, descriptor, result, {
      name: 'janitor-slow',
      startTime: NOW,
      machineArn: slowMachine.arn,
    });

    expect(result.status).toBe('TIMED_OUT');
    expect(result.path).not.toContain('Write Evidence and Notify');
    expect(evidenceRecords(model, slow.evidenceBucket)).toEqual([
      expect.objectContaining({
        outcome: 'TIMED_OUT',
        reportedBy: 'status-change-reporter',
        error: expect.objectContaining({ name: 'States.Timeout' }),
      }),
    ]);
    expect(model.snsMessages()).toHaveLength(1);
    expect(model.snsMessages()[0]?.Subject).toMatch(/^\[MEDIUM\] Janitor timed out/);
  });
});

describe('the janitor under every fault', () => {
  it('fails with a named error or recovers, and always leaves one evidence record, at most one notification and production intact', async () => {
    const outcomes = await sweepWorkflow({
      stack,
      machine,
      descriptor,
      executionName: 'janitor-sweep',
      startTime: NOW,
      seed: (model) => {
        seedProduction(model);
        model.addDbInstance('us-east-1', { id: 'edr-restore-a', createdAt: hoursAgo(48), tags: ours('ephemeral') });
        model.addDbSnapshot('us-east-1', {
          id: 'edr-restore-snap',
          instanceId: 'entmoot-prod',
          createdAt: hoursAgo(48),
          tags: ours('ephemeral'),
        });
      },
    });

    expectEveryFaultAtEveryTask(outcomes, machine, [
      'Find Leftovers',
      'Delete Snapshot',
      'Look for Snapshot',
      'Delete Instance',
      'Look for Instance',
      'Write Evidence and Notify',
    ]);
    for (const { model, ...o } of outcomes) {
      expect({ ...o, production: model.dbInstance('us-east-1', 'entmoot-prod')?.status }).toEqual({
        at: o.at,
        status: expect.stringMatching(/^(SUCCEEDED|FAILED)$/),
        namedError: true,
        evidence: 1,
        children: 0,
        notifications: o.status === 'SUCCEEDED' ? 0 : 1,
        production: 'available',
      });
    }
    expect(outcomes.some((o) => o.status === 'FAILED')).toBe(true);
  });
});
