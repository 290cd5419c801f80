import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { reconcileDeps } from '../../../functions/status-change-reporter/aws-deps';
import type { WorkflowDescriptor } from '../../../functions/report/evidence';
import {
  reconcileEndedRuns,
  type ListedExecution,
  type ReconcileDeps,
  type ReportedWorkflow,
} from '../../../functions/status-change-reporter/reconcile';
import { reportUnreportedRun } from '../../../functions/status-change-reporter/report-unreported-run';
import { FakeReportDeps } from '../../support/fake-evidence';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-janitor';
const descriptor: WorkflowDescriptor = {
  workflow: 'janitor',
  title: 'Janitor',
  priority: 'Medium',
  policy: 'onFailure',
};
const workflows: ReportedWorkflow[] = [{ stateMachineArn: MACHINE, descriptor }];
const NOW = new Date('2025-11-10T09:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

/** The report's fake bucket and topic, plus listed executions by status, and a record of the listing calls. */
class FakeReconcileDeps extends FakeReportDeps implements ReconcileDeps {
  readonly ended = new Map<string, ListedExecution[]>();
  readonly listCalls: string[] = [];
  failDescribe = new Set<string>();

  constructor() {
    super();
    this.clock = NOW;
  }

  listEnded = async (stateMachineArn: string, status: string): Promise<ListedExecution[]> => {
    this.listCalls.push(`${stateMachineArn.split(':').at(-1)} ${status}`);
    return this.ended.get(status) ?? [];
  };

  describe = async (executionArn: string) => {
    if (this.failDescribe.has(executionArn))
      throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    return { input: '{"trigger":"schedule"}', error: 'States.Timeout', cause: null };
  };
}

const run = (name: string, status: string, stoppedHoursAgo: number): ListedExecution => ({
  executionArn: `arn:aws:states:us-east-1:123456789012:execution:edr-janitor:${name}`,
  name,
  status,
  startDate: hoursAgo(stoppedHoursAgo + 1),
  stopDate: hoursAgo(stoppedHoursAgo),
});

describe('reconcileEndedRuns', () => {
  it('reports a timed-out run whose status-change event never arrived, as the status-change reporter would', async () => {
    const deps = new FakeReconcileDeps();
    deps.ended.set('TIMED_OUT', [run('lost-run', 'TIMED_OUT', 5)]);

    const out = await reconcileEndedRuns(workflows, plan, deps);

    expect(out).toEqual({ checked: 1, reported: [run('lost-run', 'TIMED_OUT', 5).executionArn], failed: [] });
    expect(deps.record('runs/janitor/2025/11/10/lost-run.json')).toMatchObject({
      outcome: 'TIMED_OUT',
      error: { name: 'States.Timeout' },
      reportedBy: 'status-change-reporter',
      input: { trigger: 'schedule' },
    });
    expect(deps.published.map((p) => p.subject)).toEqual([expect.stringMatching(/^\[MEDIUM\] Janitor timed out/)]);
  });

  it('lists each workflow’s FAILED, TIMED_OUT and ABORTED runs', async () => {
    const deps = new FakeReconcileDeps();

    await reconcileEndedRuns(workflows, plan, deps);

    expect(deps.listCalls).toEqual(['edr-janitor FAILED', 'edr-janitor TIMED_OUT', 'edr-janitor ABORTED']);
  });

  it('does nothing for a run the status-change reporter already reported (the same markers)', async () => {
    const deps = new FakeReconcileDeps();
    const aborted = run('stopped-run', 'ABORTED', 3);
    deps.ended.set('ABORTED', [aborted]);
    await reportUnreportedRun(
      {
        descriptor,
        detail: {
          executionArn: aborted.executionArn,
          stateMachineArn: MACHINE,
          name: aborted.name,
          status: 'ABORTED',
          startDate: aborted.startDate.getTime(),
          stopDate: aborted.stopDate!.getTime(),
        },
      },
      plan,
      deps,
    );

    const out = await reconcileEndedRuns(workflows, plan, deps);

    expect([out.checked, out.reported, deps.published.length]).toEqual([1, [], 1]);
  });

  it('reports each run once however often it runs', async () => {
    const deps = new FakeReconcileDeps();
    deps.ended.set('FAILED', [run('a', 'FAILED', 2), run('b', 'FAILED', 30)]);

    const first = await reconcileEndedRuns(workflows, plan, deps);
    const second = await reconcileEndedRuns(workflows, plan, deps);

    expect([first.reported.length, second.reported.length, deps.published.length]).toEqual([2, 0, 2]);
  });

  it('ignores runs that ended more than two days ago', async () => {
    const deps = new FakeReconcileDeps();
    deps.ended.set('FAILED', [run('recent', 'FAILED', 47), run('old', 'FAILED', 49)]);

    const out = await reconcileEndedRuns(workflows, plan, deps);

    expect(out.reported.map((a) => a.split(':').at(-1))).toEqual(['recent']);
  });

  it('reconciles the other runs when one cannot be, and names the one that failed', async () => {
    const deps = new FakeReconcileDeps();
    deps.ended.set('FAILED', [run('a', 'FAILED', 2), run('b', 'FAILED', 3)]);
    deps.failDescribe.add(run('a', 'FAILED', 2).executionArn);

    const out = await reconcileEndedRuns(workflows, plan, deps);

    expect(out).toEqual({
      checked: 2,
      reported: [run('b', 'FAILED', 3).executionArn],
      failed: [{ execution: run('a', 'FAILED', 2).executionArn, error: 'ThrottlingException' }],
    });
  });

  it('refuses a workflow list without a policy before any call', async () => {
    const deps = new FakeReconcileDeps();
    const bad = [{ stateMachineArn: MACHINE, descriptor: { workflow: 'janitor' } }] as unknown as ReportedWorkflow[];

    await expect(reconcileEndedRuns(bad, plan, deps)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: 'workflows[0].descriptor must name the workflow and a policy of always, onFailure, onChange',
    });
    expect(deps.listCalls).toEqual([]);
  });
});

describe('reconcileDeps.listEnded', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());

  it('asks ListExecutions for one status and reads every page', async () => {
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({
        executions: [
          { executionArn: 'e1', stateMachineArn: MACHINE, name: 'r1', status: 'FAILED', startDate: hoursAgo(1) },
        ],
        nextToken: 't',
      })
      .resolvesOnce({
        executions: [
          { executionArn: 'e2', stateMachineArn: MACHINE, name: 'r2', status: 'FAILED', startDate: hoursAgo(2) },
        ],
      });
    const deps = reconcileDeps(
      {
        s3: new S3Client({ region: 'us-east-1' }),
        sns: new SNSClient({ region: 'us-east-1' }),
        sfn: new SFNClient({ region: 'us-east-1' }),
      },
      'evidence',
      'arn:aws:sns:us-east-1:123456789012:t',
    );

    const listed = await deps.listEnded(MACHINE, 'FAILED', hoursAgo(48));

    expect(listed.map((e) => e.name)).toEqual(['r1', 'r2']);
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, statusFilter: 'FAILED', maxResults: 100, nextToken: undefined },
      { stateMachineArn: MACHINE, statusFilter: 'FAILED', maxResults: 100, nextToken: 't' },
    ]);
  });
});
