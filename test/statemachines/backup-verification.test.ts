import { BACKUP_VERIFICATION_DESCRIPTOR } from '../../lib/backup-verification';
import type { AccountModel } from '../support/account/model';
import { entmootEntries, writeCustomDump } from '../support/dump-writer';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { runWorkflow, type RunResult } from '../support/workflow/run';
import { afterRun, sweepWorkflow, expectEveryFaultAtEveryTask } from '../support/workflow-helpers';

// A small dump stands in for the 100 MB one: the size threshold is lowered, every other check is the plan's.
const plan = configuredPlan({ backups: { verification: { minDumpBytes: 1_000 } } });
const { primary } = synthesize(plan);
const stack = stackWorkflows(primary.toJSON(), 'us-east-1', plan);
const machine = stack.machine('BackupVerificationWorkflowStateMachine');
const descriptor = BACKUP_VERIFICATION_DESCRIPTOR;
const NOW = new Date('2025-11-10T06:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const dump = Buffer.from(
  writeCustomDump({ version: '1.14', entries: entmootEntries({ withData: true }), chunkSize: 8192 }),
);

let restore: () => void = () => undefined;
afterEach(() => restore());

/** A healthy account: recent snapshots, automated backups replicated to us-west-2, 25 backups and a good dump. */
function healthyAccount(options: { dumpBody?: Buffer; snapshotAgeHours?: number } = {}): AccountModel {
  const model = stack.newModel(NOW);
  seedHealthy(model, options);
  return model;
}

function seedHealthy(model: AccountModel, options: { dumpBody?: Buffer; snapshotAgeHours?: number } = {}): void {
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
    createdAt: hoursAgo(options.snapshotAgeHours ?? 3),
  });
  model.addBucket('entmoot-prod-backups', 'us-east-1');
  for (let n = 1; n <= 25; n += 1)
    model.putObject('entmoot-prod-backups', `daily/entmoot-${String(n).padStart(2, '0')}.dump`, Buffer.from('x'));
  model.putObject('entmoot-prod-backups', 'latest.sql', options.dumpBody ?? dump);
}

async function run(model: AccountModel): Promise<RunResult> {
  restore = model.wireSdkMocks();
  const result = await runWorkflow({
    definition: machine.definition,
    region: 'us-east-1',
    model,
    lambdas: stack.lambdas(model),
    executionName: 'weekly-run',
    stateMachineName: machine.name,
    input: { trigger: 'schedule' },
  });
  await afterRun(stack, model, descriptor, result, { name: 'weekly-run', startTime: NOW, machineArn: machine.arn });
  return result;
}

describe('the weekly backup verification workflow', () => {
  it('checks every target in one run and sends one informational report when all pass', async () => {
    const model = healthyAccount();

    const result = await run(model);

    const [record] = evidenceRecords(model, stack.evidenceBucket);
    const verdicts = Object.fromEntries(
      (record?.results ?? []).map((r: { check: string; status: string; detail: string }) => [
        r.check,
        `${r.status}: ${r.detail}`,
      ]),
    );
    expect(Object.keys(verdicts).sort()).toEqual(
      [
        'backup-age',
        'backup-count',
        'dump-completeness',
        'dump-created',
        'dump-format',
        'dump-size',
        'dump-tables',
        'recovery-point-age',
        'replicated-backup-lag',
        'snapshot-age',
      ].sort(),
    );
    expect({
      status: result.status,
      failed: Object.values(verdicts).filter((v) => String(v).startsWith('FAIL')),
    }).toEqual({ status: 'SUCCEEDED', failed: [] });
    expect(result.path.filter((s) => s === 'Check Target')).toHaveLength(3);
    expect(model.snsMessages()).toHaveLength(1);
    expect(model.snsMessages()[0]?.Subject).toMatch(/^\[(INFO|MEDIUM)\] Weekly backup verification passed/);
  });

  it('fails the run and leads the report with the failure when the newest snapshot is too old', async () => {
    const model = healthyAccount({ snapshotAgeHours: 30 });

    const result = await run(model);

    expect(result).toMatchObject({ status: 'FAILED', error: 'CheckFailedError' });
    expect(model.snsMessages()).toHaveLength(1);
    const message = JSON.parse(model.snsMessages()[0]?.Message ?? '{}') as { default: string };
    expect(model.snsMessages()[0]?.Subject).toMatch(/^\[HIGH\] Weekly backup verification failed/);
    const description = message.default.split('DESCRIPTION:\n')[1] ?? '';
    expect(description.split('\n').find((l) => /^(FAIL|WARN|PASS) /.test(l))).toMatch(
      /^FAIL snapshot-age entmoot-prod/,
    );
  });

  it('reports a dump cut short as a failed integrity check without failing the other targets', async () => {
    const model = healthyAccount({ dumpBody: dump.subarray(0, dump.length - 100) });

    const result = await run(model);

    const [record] = evidenceRecords(model, stack.evidenceBucket);
    const failed = record?.results
      .filter((r: { status: string }) => r.status === 'FAIL')
      .map((r: { check: string }) => r.check);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((c: string) => c.startsWith('dump-'))).toBe(true);
    expect(record?.results.find((r: { check: string }) => r.check === 'snapshot-age')?.status).toBe('PASS');
    expect(result.status).toBe('FAILED');
  });
});

describe('the weekly verification under every fault', () => {
  it('ends with a named error or a FAIL result, one evidence record and one notification', async () => {
    const outcomes = await sweepWorkflow({
      stack,
      machine,
      descriptor,
      executionName: 'weekly-sweep',
      startTime: NOW,
      seed: (model) => seedHealthy(model),
    });

    expectEveryFaultAtEveryTask(outcomes, machine, [
      'Check Target',
      'Count Database Checks as Failed',
      'Count Backups Bucket Checks as Failed',
      'Count Dump Checks as Failed',
      'Write Evidence and Notify',
    ]);
    for (const { model: _model, ...o } of outcomes) {
      expect(o).toEqual({
        at: o.at,
        status: expect.stringMatching(/^(SUCCEEDED|FAILED)$/),
        namedError: true,
        evidence: 1,
        children: 0,
        notifications: 1,
      });
    }
  });
});
