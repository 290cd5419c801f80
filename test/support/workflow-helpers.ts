import { reportDeps } from '../../functions/report/aws-deps';
import { reportUnreportedRun } from '../../functions/status-change-reporter/report-unreported-run';
import type { WorkflowDescriptor } from '../../functions/report/evidence';
import { ERROR_NAMES } from '../../functions/shared/errors';
import { REPORT_FAILED_ERROR } from '../../statemachines/report';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AccountModel } from './account/model';
import { evidenceRecords, type StackWorkflows } from './dr-workflows';
import { faultSweep, taskStates } from './workflow/fault-sweep';
import { type RunResult, runWorkflow } from './workflow/run';
import type { ResolvedStateMachine } from './workflow/template';

/**
 * What EventBridge and the status-change reporter do after a run that did not succeed: the reporter gets
 * the run's status change and writes evidence and notifies only if the report step did not.
 */
export async function afterRun(
  stack: StackWorkflows,
  model: AccountModel,
  descriptor: WorkflowDescriptor,
  run: RunResult,
  execution: { name: string; startTime: Date; machineArn: string; input?: unknown },
): Promise<void> {
  if (run.status === 'SUCCEEDED') return;
  const deps = {
    ...reportDeps(
      {
        s3: new S3Client({ region: stack.region, maxAttempts: 1 }),
        sns: new SNSClient({ region: stack.region, maxAttempts: 1 }),
        sfn: new SFNClient({ region: stack.region, maxAttempts: 1 }),
      },
      stack.evidenceBucket,
      stack.topicArn,
    ),
    history: async () => [],
    now: () => model.now(),
  };
  await reportUnreportedRun(
    {
      descriptor,
      detail: {
        executionArn: `${execution.machineArn.replace(':stateMachine:', ':execution:')}:${execution.name}`,
        stateMachineArn: execution.machineArn,
        name: execution.name,
        status: run.status,
        startDate: execution.startTime.getTime(),
        stopDate: model.now().getTime(),
        input: JSON.stringify(execution.input ?? {}),
        error: run.error ?? null,
        cause: run.cause ?? null,
      },
    },
    stack.plan,
    deps,
  );
}

/**
 * `afterRun` for a run and every child it started (`.sync:2`): each execution that did not succeed gets its
 * status change, the children's with their own descriptor, start time (from the model) and input.
 */
export async function afterRunWithChildren(
  stack: StackWorkflows,
  model: AccountModel,
  descriptors: Readonly<Record<string, WorkflowDescriptor>>,
  run: RunResult,
  execution: { name: string; startTime: Date; machine: ResolvedStateMachine; input?: unknown },
): Promise<void> {
  const descriptorOf = (machineName: string): WorkflowDescriptor => {
    const d = descriptors[machineName];
    if (!d) throw new Error(`afterRunWithChildren: no descriptor for ${machineName}`);
    return d;
  };
  await afterRun(stack, model, descriptorOf(execution.machine.name), run, {
    name: execution.name,
    startTime: execution.startTime,
    machineArn: execution.machine.arn,
    input: execution.input,
  });
  for (const child of run.children) {
    const recorded = model.executions.find((e) => e.executionArn === child.executionArn);
    if (!recorded) throw new Error(`afterRunWithChildren: the model has no execution ${child.executionArn}`);
    await afterRun(stack, model, descriptorOf(child.stateMachineName), child.result, {
      name: child.name,
      startTime: recorded.startDate,
      machineArn: recorded.stateMachineArn,
      input: child.input,
    });
  }
}

/** The fault kinds of the default sweep, in order: each Task state gets one run per kind. */
export const FAULT_KINDS = ['throttling', 'accessDenied', 'notFound', 'crash', 'timeout'] as const;

/** How one fault-sweep run ended, once the status-change reporter has done its part. */
export interface SweepOutcome {
  /** `<fault> at <state>`. */
  readonly at: string;
  readonly status: RunResult['status'];
  /**
   * Succeeded, or failed with one of our error names (`ERROR_NAMES`, the report step's `ReportFailedError`)
   * or with the very error the sweep injected (`Rds.RdsException`, `States.Timeout`), which the report
   * records by the name Step Functions gave it. `Error` or `TypeError` (a crash in our code) is not named.
   */
  readonly namedError: boolean;
  /** Evidence records in the bucket. */
  readonly evidence: number;
  /** Child executions the run started (each writes its own evidence record). */
  readonly children: number;
  /** Notifications sent. */
  readonly notifications: number;
  /** The run's model, to assert the account's final state. */
  readonly model: AccountModel;
}

const OUR_ERRORS: ReadonlySet<string> = new Set([...Object.values(ERROR_NAMES), REPORT_FAILED_ERROR]);

/** Whether a swept run failed with one of our error names or with the error injected into it. */
function isNamedError(error: string | undefined, injected: string): boolean {
  return error !== undefined && (OUR_ERRORS.has(error) || error === injected);
}

/**
 * The fault sweep of a stack's workflow: each run starts from a fresh model seeded by `seed`, runs with
 * one fault at one Task, and is followed by what EventBridge and the status-change reporter would do.
 */
export async function sweepWorkflow(args: {
  readonly stack: StackWorkflows;
  readonly machine: ResolvedStateMachine;
  readonly descriptor: WorkflowDescriptor;
  readonly executionName: string;
  readonly startTime: Date;
  readonly seed: (model: AccountModel) => void;
  /** @default { trigger: 'schedule' } */
  readonly input?: unknown;
  /**
   * Descriptors of the child workflows the run starts (`.sync:2`), by state machine name: their Task states are
   * swept too, and their status changes reported.
   * @default - the run starts no children
   */
  readonly children?: Readonly<Record<string, WorkflowDescriptor>>;
}): Promise<SweepOutcome[]> {
  const { stack, machine } = args;
  let restore: () => void = () => undefined;
  try {
    const runs = await faultSweep({
      definition: machine.definition,
      region: stack.region,
      executionName: args.executionName,
      stateMachineName: machine.name,
      childMachines: args.children
        ? stack
            .childMachines()
            .filter((c) => Object.keys(args.children ?? {}).some((n) => c.stateMachineArn.endsWith(`:${n}`)))
        : undefined,
      setup: () => {
        const model = stack.newModel(args.startTime);
        args.seed(model);
        restore();
        restore = model.wireSdkMocks();
        return { model, lambdas: stack.lambdas(model), input: args.input ?? { trigger: 'schedule' } };
      },
    });
    const outcomes: SweepOutcome[] = [];
    for (const r of runs) {
      const model = r.model as AccountModel;
      restore();
      restore = model.wireSdkMocks();
      await afterRunWithChildren(stack, model, { ...args.children, [machine.name]: args.descriptor }, r.result, {
        name: args.executionName,
        startTime: args.startTime,
        machine,
        input: args.input ?? { trigger: 'schedule' },
      });
      outcomes.push({
        at: `${r.fault} at ${r.state}${r.stateMachine ? ` of ${r.stateMachine}` : ''}`,
        status: r.result.status,
        namedError: r.result.status === 'SUCCEEDED' || isNamedError(r.result.error, r.error),
        evidence: evidenceRecords(model, stack.evidenceBucket).length,
        children: r.result.children.length,
        notifications: model.snsMessages().length,
        model,
      });
    }
    return outcomes;
  } finally {
    restore();
  }
}

/**
 * What every fault-sweep run of a read-only check must show (the replication, posture and readiness checks): it
 * ended SUCCEEDED or FAILED with a named error, wrote exactly one evidence record, started no child, sent at most
 * one notification, and wrote nothing but its evidence, its metrics and that notification. `violations` adds the
 * check's own rules, each a list that must stay empty (e.g. calls outside the recovery region).
 */
export function expectReadOnlyRuns(
  outcomes: readonly SweepOutcome[],
  evidenceBucket: string,
  violations: (model: AccountModel) => Record<string, unknown[]> = () => ({}),
): void {
  for (const { model, ...o } of outcomes) {
    const writesOutsideEvidence = model.calls
      .filter((c) => /^(Put|Create|Delete|Modify|Update|Start|Promote)/.test(c.action))
      .filter(
        (c) =>
          !(c.action === 'PutObject' && (c.params as { Bucket?: string }).Bucket === evidenceBucket) &&
          c.action !== 'PutMetricData' &&
          c.action !== 'Publish',
      )
      .map((c) => `${c.region} ${c.service}:${c.action}`);
    const own = violations(model);
    expect({ ...o, atMostOneNotification: o.notifications <= 1, writesOutsideEvidence, ...own }).toEqual({
      ...o,
      status: expect.stringMatching(/^(SUCCEEDED|FAILED)$/),
      namedError: true,
      evidence: 1,
      children: 0,
      atMostOneNotification: true,
      writesOutsideEvidence: [],
      ...Object.fromEntries(Object.keys(own).map((k) => [k, []])),
    });
  }
}

/** The sweep ran each fault kind at each Task state of `machine`, whose Task states are `tasks` (in order). */
export function expectEveryFaultAtEveryTask(
  outcomes: readonly SweepOutcome[],
  machine: ResolvedStateMachine,
  tasks: readonly string[],
): void {
  expect(taskStates(machine.definition).map((t) => t.name)).toEqual(tasks);
  expect(outcomes.map((o) => o.at)).toEqual(tasks.flatMap((task) => FAULT_KINDS.map((kind) => `${kind} at ${task}`)));
}

/**
 * Runs `machine` of `stack` on `model` as its schedule starts it, with every Lambda's SDK calls routed to the model,
 * then lets the status-change reporter see how it ended (as EventBridge would); the real SDK clients are back after.
 */
export async function runScheduled(args: {
  readonly stack: StackWorkflows;
  readonly machine: ResolvedStateMachine;
  readonly model: AccountModel;
  readonly descriptor: WorkflowDescriptor;
  readonly executionName: string;
}): Promise<RunResult> {
  const { stack, machine, model, executionName: name } = args;
  const restore = model.wireSdkMocks();
  try {
    const result = await runWorkflow({
      definition: machine.definition,
      region: stack.region,
      model,
      lambdas: stack.lambdas(model),
      executionName: name,
      stateMachineName: machine.name,
      input: { trigger: 'schedule' },
    });
    await afterRun(stack, model, args.descriptor, result, { name, startTime: model.now(), machineArn: machine.arn });
    return result;
  } finally {
    restore();
  }
}

/** `<status> <check> <target>` of each result of the run's evidence record, in the record's order. */
export function verdictsOf(model: AccountModel, evidenceBucket: string): string[] {
  return (evidenceRecords(model, evidenceBucket)[0]?.results ?? []).map(
    (r: { check: string; target: string; status: string }) => `${r.status} ${r.check} ${r.target}`,
  );
}
