import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApprovalRequestEvent } from '../../functions/approval/request-approval';
import type { WorkflowDescriptor } from '../../functions/report/evidence';
import { createStacks } from '../../lib/app';
import { DrWorkflow } from '../../lib/dr-workflow';
import { ApprovalGate } from '../../statemachines/approval-gate';
import type { AccountModel } from '../support/account/model';
import { addApprovalsTable, approvalFunctions, CALLERS, urlRequest } from '../support/approvals';
import { evidenceRecords, stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { faultSweep, taskStates } from '../support/workflow/fault-sweep';
import { runWorkflow, type RunResult } from '../support/workflow/run';
import { afterRun } from '../support/workflow-helpers';

const plan = configuredPlan();
const REGION = 'us-west-2';
const TABLE = 'approvals';
const NOW = new Date('2025-11-10T04:00:00Z');
const EXECUTION = 'gate-run';
const STAKES = 'promote entmoot-prod-dr-replica; estimated data loss 40 s';
const descriptor: WorkflowDescriptor = {
  workflow: 'approval-gate-test',
  title: 'Approval gate test',
  priority: 'High',
  policy: 'onFailure',
};

/** The recovery stack with a test-only workflow: the gate, then a Pass. */
function synthesizeGateWorkflow(): Record<string, any> {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'edr-cdk-')) });
  const { recovery } = createStacks(app, plan);
  const timeout = Duration.minutes(120);
  new DrWorkflow(recovery, 'GateTest', {
    plan,
    reporting: recovery.reporting,
    descriptor,
    timeout,
    body: (scope) =>
      sfn.Chain.start(
        new ApprovalGate(scope, 'Gate', {
          plan,
          requestFunction: recovery.approvals.requestFunction,
          stakesPath: '$.stakes',
          title: descriptor.title,
          workflowTimeout: timeout,
        }),
      ).next(new sfn.Pass(scope, 'Proceed')),
  });
  return Template.fromStack(recovery).toJSON();
}

const stack = stackWorkflows(synthesizeGateWorkflow(), REGION, plan);
const machine = stack.machine('GateTestStateMachine');
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

let restore: () => void = () => undefined;
afterEach(() => restore());

interface Prepared {
  model: AccountModel;
  fns: ReturnType<typeof approvalFunctions>;
  lambdas: ReturnType<StackWorkflows['lambdas']>;
  /** Every payload the request function received (they hold the token). */
  requests: ApprovalRequestEvent[];
}
type StackWorkflows = typeof stack;

function prepare(): Prepared {
  const model = stack.newModel(NOW);
  addApprovalsTable(model, REGION, TABLE);
  restore();
  restore = model.wireSdkMocks();
  const fns = approvalFunctions(model, plan, { region: REGION, tableName: TABLE, topicArn: stack.topicArn });
  const requests: ApprovalRequestEvent[] = [];
  const lambdas = {
    ...stack.lambdas(model),
    ApprovalsRequestFunction: (payload: unknown) => {
      requests.push(payload as ApprovalRequestEvent);
      return fns.request(payload as ApprovalRequestEvent);
    },
  };
  return { model, fns, lambdas, requests };
}

async function run(p: Prepared): Promise<RunResult> {
  const result = await runWorkflow({
    definition: machine.definition,
    region: REGION,
    model: p.model,
    lambdas: p.lambdas,
    executionName: EXECUTION,
    stateMachineName: machine.name,
    input: { stakes: STAKES },
    startTime: NOW,
  });
  await afterRun(stack, p.model, descriptor, result, { name: EXECUTION, startTime: NOW, machineArn: machine.arn });
  return result;
}

const isRequest = (m: { Subject?: string }) => /APPROVAL NEEDED/.test(m.Subject ?? '');

/** The token never leaves the table: no message, evidence object (or any object), answer or output holds it. */
function expectTokenOnlyInTable(p: Prepared, result: RunResult, answers: unknown[]): void {
  const tokens = p.requests.map((r) => r.taskToken);
  expect(tokens.length).toBeGreaterThan(0);
  const everywhere = JSON.stringify({
    messages: p.model.snsMessages(),
    objects: p.model.objects(stack.evidenceBucket).map((o) => o.Body.toString('utf8')),
    answers,
    output: result.output ?? null,
    cause: result.cause ?? null,
  });
  for (const token of tokens) expect(everywhere).not.toContain(token);
}

describe('a workflow behind the approval gate', () => {
  it('continues once a manager (minute 3) and a director (minute 7) approved, with both approvals in its evidence', async () => {
    const p = prepare();
    const answers: unknown[] = [];
    p.model.taskTokens.at(minutes(3), async () =>
      answers.push(
        await p.fns.decide(
          urlRequest({ execution: EXECUTION, decision: 'approve', comment: 'bridge agrees' }, CALLERS.manager),
        ),
      ),
    );
    p.model.taskTokens.at(minutes(7), async () =>
      answers.push(await p.fns.decide(urlRequest({ execution: EXECUTION, decision: 'approve' }, CALLERS.director))),
    );

    const result = await run(p);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      'Run Approval gate test',
      'Mark Approval Requested',
      'Request Approval',
      'Record Approvals',
      'Proceed',
      'Write Evidence and Notify',
      'Did the Run Succeed?',
      'Run Succeeded',
    ]);
    expect(answers).toEqual([
      expect.objectContaining({ status: 'recorded' }),
      expect.objectContaining({ status: 'approved' }),
    ]);
    const [record] = evidenceRecords(p.model, stack.evidenceBucket);
    expect(record?.approvals).toEqual([
      {
        approverArn: 'arn:aws:iam::123456789012:role/dr-approver-manager',
        role: 'manager',
        callerArn: CALLERS.manager,
        session: 'alice',
        decidedAt: minutes(3).toISOString(),
        comment: 'bridge agrees',
      },
      {
        approverArn: 'arn:aws:iam::123456789012:role/dr-approver-director',
        role: 'director',
        callerArn: CALLERS.director,
        session: 'dana',
        decidedAt: minutes(7).toISOString(),
        comment: null,
      },
    ]);
    expect(p.model.snsMessages().filter(isRequest)).toHaveLength(1);
    expect(p.model.snsMessages().filter((m) => !isRequest(m))).toHaveLength(0);
    expectTokenOnlyInTable(p, result, answers);
  });

  it('stops with ApprovalRejectedError naming who rejected and why, and reports it', async () => {
    const p = prepare();
    const answers: unknown[] = [];
    p.model.taskTokens.at(minutes(3), async () =>
      answers.push(
        await p.fns.decide(
          urlRequest({ execution: EXECUTION, decision: 'reject', reason: 'primary is recovering' }, CALLERS.director),
        ),
      ),
    );

    const result = await run(p);

    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'ApprovalRejectedError',
      cause: `rejected by director ${CALLERS.director} (session dana): primary is recovering`,
    });
    expect(result.path).toEqual([
      'Run Approval gate test',
      'Mark Approval Requested',
      'Request Approval',
      'Write Evidence and Notify',
      'Did the Run Succeed?',
      'Run Failed',
    ]);
    expect(evidenceRecords(p.model, stack.evidenceBucket)).toEqual([
      expect.objectContaining({
        outcome: 'FAILED',
        error: expect.objectContaining({
          name: 'ApprovalRejectedError',
          cause: expect.stringContaining('session dana'),
        }),
      }),
    ]);
    expect(p.model.snsMessages().filter((m) => !isRequest(m))).toHaveLength(1);
    expectTokenOnlyInTable(p, result, answers);
  });

  it('stops with ApprovalTimedOutError naming when, once the plan’s 60 minutes pass without both approvals', async () => {
    const p = prepare();
    const answers: unknown[] = [];
    p.model.taskTokens.at(minutes(3), async () =>
      answers.push(await p.fns.decide(urlRequest({ execution: EXECUTION, decision: 'approve' }, CALLERS.manager))),
    );

    const result = await run(p);

    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'ApprovalTimedOutError',
      cause: `no manager and director approved within 60 minutes of the request at ${NOW.toISOString()}`,
    });
    expect(result.path).toEqual([
      'Run Approval gate test',
      'Mark Approval Requested',
      'Request Approval',
      'Describe Approval Timeout',
      'Approval Timed Out',
      'Write Evidence and Notify',
      'Did the Run Succeed?',
      'Run Failed',
    ]);
    expect(p.model.now().getTime()).toBeGreaterThanOrEqual(minutes(60).getTime());
    expect(evidenceRecords(p.model, stack.evidenceBucket)).toEqual([
      expect.objectContaining({ outcome: 'FAILED', error: expect.objectContaining({ name: 'ApprovalTimedOutError' }) }),
    ]);
    const late = await p.fns.decide(urlRequest({ execution: EXECUTION, decision: 'approve' }, CALLERS.director));
    expect(late.statusCode).toBe(410);
    expectTokenOnlyInTable(p, result, [...answers, late]);
  });
});

describe('the approval gate under every fault', () => {
  it('ends each run with one report (the request message apart) and a named error or success', async () => {
    const runs = await faultSweep({
      definition: machine.definition,
      region: REGION,
      executionName: EXECUTION,
      stateMachineName: machine.name,
      startTime: NOW,
      setup: () => {
        const p = prepare();
        p.model.taskTokens.at(minutes(3), () =>
          p.fns.decide(urlRequest({ execution: EXECUTION, decision: 'approve' }, CALLERS.manager)),
        );
        p.model.taskTokens.at(minutes(7), () =>
          p.fns.decide(urlRequest({ execution: EXECUTION, decision: 'approve' }, CALLERS.director)),
        );
        return { model: p.model, lambdas: p.lambdas, input: { stakes: STAKES } };
      },
    });

    expect(taskStates(machine.definition).map((t) => t.name)).toEqual([
      'Request Approval',
      'Write Evidence and Notify',
    ]);
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) {
      const model = r.model as AccountModel;
      restore();
      restore = model.wireSdkMocks();
      await afterRun(stack, model, descriptor, r.result, { name: EXECUTION, startTime: NOW, machineArn: machine.arn });
      const reports = model.snsMessages().filter((m) => !isRequest(m));
      expect({
        at: `${r.fault} at ${r.state}`,
        evidence: evidenceRecords(model, stack.evidenceBucket).length,
        reports: reports.length,
        named:
          r.result.status === 'SUCCEEDED' ||
          r.result.error === r.error ||
          /^(ApprovalRejectedError|ApprovalTimedOutError|ReportFailedError)$/.test(r.result.error ?? ''),
        path: r.result.path.includes('Write Evidence and Notify'),
      }).toEqual({
        at: `${r.fault} at ${r.state}`,
        evidence: 1,
        reports: r.result.status === 'SUCCEEDED' ? 0 : 1,
        named: true,
        path: true,
      });
    }
  });
});

describe('the approval gate at synth', () => {
  it('refuses an approval timeout not below its workflow’s timeout', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'edr-cdk-')) });
    const { recovery } = createStacks(app, plan);

    expect(
      () =>
        new ApprovalGate(recovery, 'TooLongGate', {
          plan,
          requestFunction: recovery.approvals.requestFunction,
          stakesPath: '$.stakes',
          title: 'Regional failover',
          workflowTimeout: Duration.minutes(60),
        }),
    ).toThrow('plan.approvals.timeoutMinutes: 60 is not below the timeout of Regional failover (60 minutes): lower it');
  });
});
