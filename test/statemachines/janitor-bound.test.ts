import type { Tag } from '../support/account/rds-state';
import { JANITOR_DESCRIPTOR } from '../../lib/janitor';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { runWorkflow } from '../support/workflow/run';

const plan = configuredPlan();
const { primary } = synthesize(plan);
const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
const machine = stack.machine('JanitorWorkflowStateMachine');
const NOW = new Date('2025-11-10T04:00:00Z');
const ours: Tag[] = [
  { Key: 'entmoot-dr:owner', Value: 'EntmootDrPrimary' },
  { Key: 'entmoot-dr:lifecycle', Value: 'ephemeral' },
  { Key: 'entmoot-dr:execution', Value: 'restore-test-202511010500' },
];

describe('the janitor with more leftovers than fit its timeout', () => {
  it('ends inside its timeout in its own report, naming what waits for the next run', async () => {
    // Prepare: 12 leftovers whose deletes never complete — three waves of 60-minute waits would take 3 hours.
    const model = stack.newModel(NOW);
    model.addDbInstance('us-east-1', { id: 'entmoot-prod' });
    for (let i = 0; i < 12; i += 1) {
      model.addDbInstance('us-east-1', {
        id: `edr-restore-${String(i).padStart(2, '0')}`,
        createdAt: new Date(NOW.getTime() - (48 + i) * 3_600_000),
        tags: ours,
      });
    }
    model.durations.deleteInstanceSeconds = Infinity;
    const restore = model.wireSdkMocks();

    // Act
    const result = await runWorkflow({
      definition: machine.definition,
      region: 'us-east-1',
      model,
      lambdas: stack.lambdas(model),
      executionName: 'janitor-busy',
      stateMachineName: machine.name,
      input: { trigger: 'schedule' },
    }).finally(restore);

    // Assess
    expect(result.path.slice(-3)).toEqual(['Write Evidence and Notify', 'Did the Run Succeed?', 'Run Failed']);
    expect(result).toMatchObject({ status: 'FAILED', error: 'CheckFailedError' });
    expect(result.taskCalls.filter((c) => c.state === 'Delete Instance')).toHaveLength(5);
    expect(model.now().getTime() - NOW.getTime()).toBeLessThanOrEqual(plan.timeouts.workflowMinutes.janitor * 60_000);
    const [record] = evidenceRecords(model, stack.evidenceBucket);
    expect(record?.workflow).toBe(JANITOR_DESCRIPTOR.workflow);
    expect(record?.results.find((r: { check: string }) => r.check === 'janitor-deferred')?.detail).toBe(
      '7 leftovers wait for the next run (a run removes at most 5 within its timeout): edr-restore-06, edr-restore-05, edr-restore-04, edr-restore-03, edr-restore-02, edr-restore-01, edr-restore-00',
    );
    expect(model.snsMessages()).toHaveLength(1);
  });
});
