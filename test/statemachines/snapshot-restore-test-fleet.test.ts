import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { fleetPlan } from '../support/fleet';
import { synthesize } from '../support/synth';
import { fakeResourceNames } from '../support/workflow/template';
import { runWorkflow } from '../support/workflow/run';

const SIZE = 500;
const plan = fleetPlan(SIZE);
const { primary } = synthesize(plan);
const template = primary.toJSON();
const stack = stackWorkflows(template, 'us-east-1', plan);
const NOW = new Date('2026-11-01T05:00:00Z');

describe(`the monthly snapshot restore test of ${SIZE} databases`, () => {
  it('keeps the parent’s state within 256 KiB and reports every database once, from one child run each', async () => {
    const model = stack.newModel(NOW);
    const subnet = Object.values(fakeResourceNames(template, { region: 'us-east-1' })).find(
      (r) => r.type === 'AWS::RDS::DBSubnetGroup',
    )!;
    model.addSubnetGroup('us-east-1', subnet.name, 'vpc-isolated');
    for (const db of plan.databases) {
      model.addDbInstance('us-east-1', { id: db.id, instanceClass: 'db.r6g.large' });
      model.addDbSnapshot('us-east-1', {
        id: `rds:${db.id}-2026-11-01-03-00`,
        instanceId: db.id,
        type: 'automated',
        createdAt: new Date('2026-11-01T03:00:00Z'),
      });
    }
    const restore = model.wireSdkMocks();
    const parent = stack.machine('SnapshotRestoreTestWorkflowStateMachine');
    try {
      const result = await runWorkflow({
        definition: parent.definition,
        region: 'us-east-1',
        model,
        lambdas: stack.lambdas(model),
        executionName: '0b6f1c5e-2f3a-4c1d-9e8f-7a6b5c4d3e2f',
        stateMachineName: parent.name,
        childMachines: stack.childMachines(),
        input: { trigger: 'schedule' },
      });

      expect(result.status).toBe('SUCCEEDED');
      expect(result.largestPayloadBytes).toBeLessThan(262_144);
      expect(new Set(result.children.map((c) => c.name)).size).toBe(SIZE);
      const record = evidenceRecords(model, stack.evidenceBucket).find((r) => r.workflow === 'snapshot-restore-test')!;
      expect(record.results.map((r: { target: string }) => r.target).sort()).toEqual(
        plan.databases.map((d) => d.id).sort(),
      );
      expect(model.snsMessages()).toHaveLength(1);
      // The model's clock: 25 rounds of 20 children, each about 17 minutes, within the plan's parent timeout.
      expect(model.now().getTime() - NOW.getTime()).toBeLessThan(
        plan.timeouts.workflowMinutes.snapshotRestoreTest * 60_000,
      );
    } finally {
      restore();
    }
  }, 900_000);
});
