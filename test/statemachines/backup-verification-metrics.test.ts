import type { AccountModel } from '../support/account/model';
import { entmootEntries, writeCustomDump } from '../support/dump-writer';
import { stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { runWorkflow } from '../support/workflow/run';

const plan = configuredPlan({ backups: { verification: { minDumpBytes: 1_000 } } });
const { primary } = synthesize(plan);
const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
const machine = stack.machine('BackupVerificationWorkflowStateMachine');
const NOW = new Date('2025-11-10T06:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

let restore: () => void = () => undefined;
afterEach(() => restore());

function healthyAccount(): AccountModel {
  const model = stack.newModel(NOW);
  model.addDbInstance('us-east-1', {
    id: 'entmoot-prod',
    createdAt: hoursAgo(24 * 60),
    backupsSince: hoursAgo(24 * 7),
    backupReplicationRegion: 'us-west-2',
  });
  model.addDbSnapshot('us-east-1', {
    id: 'rds:entmoot-prod-2025-11-10-03-00',
    instanceId: 'entmoot-prod',
    type: 'automated',
    createdAt: hoursAgo(3),
  });
  model.addBucket('entmoot-prod-backups', 'us-east-1');
  for (let n = 1; n <= 25; n += 1) model.putObject('entmoot-prod-backups', `daily/${n}.dump`, Buffer.from('x'));
  model.putObject(
    'entmoot-prod-backups',
    'latest.sql',
    Buffer.from(writeCustomDump({ version: '1.14', entries: entmootEntries({ withData: true }), chunkSize: 8192 })),
  );
  return model;
}

/** The alarms on CheckFailed, as {namespace, metric, dimensions}. */
function checkFailedAlarms(): Record<string, unknown>[] {
  return Object.values(primary.findResources('AWS::CloudWatch::Alarm'))
    .map((r) => r.Properties)
    .filter((p) => p.MetricName === 'CheckFailed')
    .map((p) => ({ namespace: p.Namespace, metric: p.MetricName, dimensions: p.Dimensions }));
}

describe('a target whose checks crash', () => {
  it('publishes CheckFailed = 1 for each check of its kind, exactly as their alarms watch it', async () => {
    const model = healthyAccount();
    restore = model.wireSdkMocks();
    const lambdas = stack.lambdas(model);
    const checkTarget = lambdas.BackupVerificationCheckTarget!;
    lambdas.BackupVerificationCheckTarget = (payload, context) => {
      if ((payload as { target: { kind: string } }).target.kind === 'dump')
        throw Object.assign(new Error('killed'), { name: 'Error' });
      return checkTarget(payload, context);
    };

    const result = await runWorkflow({
      definition: machine.definition,
      region: 'us-east-1',
      model,
      lambdas,
      executionName: 'weekly-crash',
      stateMachineName: machine.name,
      input: { trigger: 'schedule' },
    });

    expect(result.path).toEqual(
      expect.arrayContaining(['Which Checks Crashed?', 'Count Dump Checks as Failed', 'Record Check Error']),
    );
    const published = model.metricData.flatMap((d) =>
      (d.MetricData as { MetricName: string; Dimensions: unknown; Value: number }[]).map((m) => ({
        namespace: d.Namespace,
        metric: m.MetricName,
        dimensions: m.Dimensions,
        value: m.Value,
      })),
    );
    const watched = checkFailedAlarms();
    expect(published.map(({ value: _, ...rest }) => rest)).toEqual(
      ['dump-format', 'dump-tables', 'dump-completeness', 'dump-created'].map((check) => ({
        namespace: 'EntmootDR',
        metric: 'CheckFailed',
        dimensions: [{ Name: 'Check', Value: check }],
      })),
    );
    expect(published.map((p) => p.value)).toEqual([1, 1, 1, 1]);
    for (const { value: _, ...metric } of published) expect(watched).toContainEqual(metric);
  });
});
