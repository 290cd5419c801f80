/**
 * Runs a synthesized state machine definition locally with aws-local-stepfunctions, every Task answered
 * by the in-memory account model, by test-supplied Lambda handlers or by per-state overrides — never by
 * real AWS. Waits and retry back-offs take no real time: they advance the model's clock instead.
 *
 * What aws-local-stepfunctions 3.0.0 does, and what this file does about it (read from its build,
 * `node_modules/aws-local-stepfunctions/build/main.node.cjs`):
 * - A Task without a `taskResourceLocalHandlers` entry is sent to real Lambda. Every Task name resolves to
 *   a harness handler here (a Proxy), so nothing ever leaves the process.
 * - Retry/Catch match `error.name` against `ErrorEquals`; the Catch output's `Cause` is `error.message`;
 *   `States.TaskFailed` matches any error except the library's own `StatesTimeoutError` class (not
 *   exported: the harness obtains it from a 1 ms probe run, so an injected `States.Timeout` behaves as on
 *   AWS); an error whose `isRetryable`/`isCatchable` is false escapes every Retry and Catch (used for
 *   harness failures and `States.Runtime`).
 * - Retry sleeps for real (`IntervalSeconds × BackoffRate^n`); `retryIntervalOverrides` set to 0 for every
 *   state skips it, and the `StateRetried` event tells the harness the retrier and attempt, from which it
 *   computes the interval AWS would wait and advances the model clock by it.
 * - Wait sleeps for real, and `waitTimeOverrides` can only shorten the sleep (the input a SecondsPath reads
 *   is not visible to the harness). So the executed copy turns each Wait into a Task with the same
 *   InputPath/OutputPath, whose harness handler computes the duration exactly as the Wait would and sleeps
 *   on a virtual clock: concurrent waits (Map iterations, Parallel branches) overlap as on AWS instead of
 *   adding up.
 * - Task `TimeoutSeconds` is enforced in real time (60 s by default), the execution's `TimeoutSeconds` too,
 *   and any timeout above 2^31 ms fires at once (setTimeout overflow). The executed copy drops both: the
 *   execution timeout is enforced on the model clock; a task timeout is what `fault` injects.
 * - The context object: `Execution.Input` and `Execution.StartTime` are overwritten by the library (with
 *   real time, and inside a Map iteration with the item), so the executed copy reads `$$.Execution` from
 *   another key the harness fills in. `$$.Task.Token` and `$$.State.EnteredTime` come only from the
 *   context passed to `run` (here: getters, so each read sees the model clock and a fresh token).
 * - A `Pass` state with a falsy `Result` (false, 0, '', null) passes its input instead: such a state is
 *   also run as a Task returning the Result.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { assertSupported, collectStates, type StateInfo } from './asl';
import { TaskError, UncatchableError } from './harness-errors';
import { type Converted, prepareForExecution, WAIT_RESOURCE, waitSeconds } from './state-conversions';
import { type AslDefinition, FAKE_ACCOUNT_ID, validateAsl } from './template';
import { awaitTaskToken, type TaskTokenRegistry, tokenIn } from './task-tokens';
import { retryIntervalSeconds, Timeline, VirtualClock } from './virtual-clock';
import { PayloadWatch } from './payload-limit';

/** The account model as the harness sees it (implemented by test/support/account/model.ts). */
export interface AwsModel {
  /** The model's clock. */
  now(): Date;
  /** Moves the model's clock forward. */
  advance(seconds: number): void;
  /**
   * Answers a non-Lambda Task. `resource` is the Task's Resource ARN; throws an Error whose `name` is the
   * error as Step Functions reports it (`Rds.DbInstanceNotFoundException`) and whose `message` is the cause.
   */
  sfnCall(region: string, resource: string, params: Record<string, unknown>): Promise<unknown>;
  /** Task tokens, for `.waitForTaskToken` tasks (task-tokens.ts). @default - such a task fails the test */
  readonly taskTokens?: TaskTokenRegistry;
  /**
   * Records how a child execution (started by a `.sync:2` Task through `sfnCall`) ended.
   * @default - a `.sync:2` Task fails the test
   */
  completeExecution?(
    executionArn: string,
    status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED',
    output?: unknown,
    failure?: { error?: string; cause?: string },
  ): void;
}

/** The second argument a Lambda handler receives (enough of Lambda's context for middy and Powertools). */
export interface FakeLambdaContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** A test-supplied Lambda: receives the payload, returns the function's result or throws its error. */
export type LambdaHandler = (payload: unknown, context: FakeLambdaContext) => Promise<unknown> | unknown;

/** An error injected at a Task state, before the model or handler is called. */
export interface FaultInjection {
  /** Name of the Task state. */
  readonly state: string;
  /** The error as Step Functions would report it, e.g. `Rds.RdsException`, `States.Timeout`. */
  readonly error: string;
  /** @default - a message naming the state */
  readonly cause?: string;
  /** How many attempts fail (a Retry can then be shown to recover).
   * @default - every attempt */
  readonly times?: number;
  /**
   * The state machine (by name) whose executions get the fault: a child started by a `.sync:2` Task.
   * @default - the execution `runWorkflow` starts
   */
  readonly stateMachine?: string;
}

/** A state machine a `.sync:2` Task may start: the harness runs its definition in-process, on the same model and clock. */
export interface ChildMachine {
  readonly stateMachineArn: string;
  /** Its resolved definition (`stateMachineDefinition(...).definition`). */
  readonly definition: object;
}

/** Where the test stops the execution `runWorkflow` started, as an operator would (`StopExecution`: ABORTED). */
export interface StopAt {
  /** The state whose entering stops the execution. */
  readonly state: string;
  /** The state machine (by name) the state belongs to: a child's state stops the parent (and so the child).
   * @default - the execution `runWorkflow` starts */
  readonly stateMachine?: string;
}

/** What to run and how to answer its Tasks. */
export interface RunOptions {
  /** The resolved definition (`stateMachineDefinition(...).definition`). */
  readonly definition: object;
  /** Execution input. @default {} */
  readonly input?: unknown;
  /** The state machine's region: passed to `model.sfnCall` and used in ARNs. */
  readonly region: string;
  readonly model: AwsModel;
  /**
   * Lambda handlers keyed by function name or logical-id prefix: `JanitorFindLeftovers` answers
   * `...:function:JanitorFindLeftovers1A2B3C4D`.
   */
  readonly lambdas?: Record<string, LambdaHandler>;
  /** Handlers for named Task states, given the state's effective input (after Parameters), returning its raw result. */
  readonly overrides?: Record<string, (input: unknown) => Promise<unknown> | unknown>;
  /** @default 'test-execution' */
  readonly executionName?: string;
  /** @default 'TestStateMachine' */
  readonly stateMachineName?: string;
  /** `$$.Execution.RoleArn`. @default - a fake role named after the state machine */
  readonly roleArn?: string;
  /** `$$.Execution.StartTime`, and the start of the execution timeout. @default - model.now() */
  readonly startTime?: Date;
  /** Errors to inject at Task states. */
  readonly fault?: FaultInjection | readonly FaultInjection[];
  /** State machines `.sync:2` Tasks start (`startExecution.sync:2`), by ARN. @default - none: such a Task fails the test */
  readonly childMachines?: readonly ChildMachine[];
  /** Stop the execution on entering a state (the run ends ABORTED; its running children are stopped too). */
  readonly stopOnEntering?: string | StopAt;
  /**
   * Error names from the model or a handler that mean the test itself is wrong (a call AWS would never
   * accept as written): they fail `runWorkflow` instead of reaching a Catch.
   * @default ['ModelRejectedCall']
   */
  readonly fatalErrors?: readonly string[];
}

/** One Task invocation: the state, its Resource and its effective input. */
export interface TaskCall {
  readonly state: string;
  readonly resource: string;
  readonly params: unknown;
}

/** How the execution ended. */
export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Names of the states entered, in order, including states in Map iterations and Parallel branches. */
  readonly path: string[];
  /** Every Task attempt (retries included), in order; Waits are not Tasks and do not appear. */
  readonly taskCalls: TaskCall[];
  /** aws-local-stepfunctions' event log (converted Wait/Pass states reported with their real type). */
  readonly events: unknown[];
  /** Bytes of the largest state payload of the run (see payload-limit.ts). */
  readonly largestPayloadBytes?: number;
  /** Child executions started by `.sync:2` Tasks (and their children), in the order they started. */
  readonly children: ChildRun[];
}

/** A child execution and how it ended. */
export interface ChildRun {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineName: string;
  /** The execution that started it. */
  readonly parentExecutionArn: string;
  readonly input: unknown;
  readonly result: RunResult;
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([^:]+)(:.+)?$/;

let statesTimeoutErrorClass: (new () => Error) | undefined;

/**
 * aws-local-stepfunctions' own `StatesTimeoutError` class, which `States.TaskFailed` must not match. It is
 * not exported, so a one-state machine with a 1 ms task timeout produces one, once per process.
 */
async function statesTimeoutError(cause: string): Promise<Error> {
  if (!statesTimeoutErrorClass) {
    const probe = new StateMachine(
      {
        StartAt: 'Probe',
        States: { Probe: { Type: 'Task', Resource: WAIT_RESOURCE, TimeoutSeconds: 0.001, End: true } },
      } as StateMachineDefinition,
      { validationOptions: { noValidate: true } },
    );
    const run = probe.run(
      {},
      { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise<never>(() => undefined) } } },
    );
    const inner = await run.result.then(
      () => undefined,
      (err: Error) => err.cause,
    );
    if (!(inner instanceof Error) || inner.name !== 'States.Timeout') {
      throw new Error("Could not obtain aws-local-stepfunctions' StatesTimeoutError: has the library changed?");
    }
    statesTimeoutErrorClass = inner.constructor as new () => Error;
  }
  const err = new statesTimeoutErrorClass();
  err.message = cause;
  return err;
}

/** AWS StartExecution's name rule: 1–80 characters, none of whitespace, brackets, wildcards, specials or controls. */
function assertExecutionName(name: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: StartExecution's rule forbids exactly these control characters.
  if (name.length < 1 || name.length > 80 || /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name)) {
    throw new Error(
      `Execution name "${name}" would be rejected by StartExecution (1-80 characters, no whitespace or special characters)`,
    );
  }
}

/** The function name in a FunctionName parameter or function ARN (name, ARN or partial ARN, with or without qualifier). */
function functionNameOf(functionName: string): string {
  const arn = /:function:([^:]+)/.exec(functionName);
  if (arn) return arn[1];
  return functionName.split(':')[0];
}

function findLambda(lambdas: Record<string, LambdaHandler>, fn: string): LambdaHandler | undefined {
  const keys = Object.keys(lambdas);
  const exact = keys.filter((k) => fn === k || (fn.startsWith(k) && /^[0-9A-F]{8}$/.test(fn.slice(k.length))));
  const candidates = exact.length > 0 ? exact : keys.filter((k) => fn.startsWith(k));
  if (candidates.length > 1)
    throw new Error(`Lambda function ${fn} matches several handlers: ${candidates.join(', ')}`);
  return candidates.length === 1 ? lambdas[candidates[0]] : undefined;
}

function jsonCopy(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * Executes `options.definition` locally and reports how it ended, the states it entered and the Tasks it
 * called. Throws (failing the test) when a Task has no handler, a fault names no Task state, or the
 * model/handler reports one of `fatalErrors` — never swallowed by the workflow's Catch.
 */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
  validateAsl(options.definition, 'the definition given to runWorkflow');
  const rootName = options.stateMachineName ?? 'TestStateMachine';
  const children = new Map<string, ChildMachine>();
  for (const child of options.childMachines ?? []) {
    validateAsl(child.definition, `the definition of ${child.stateMachineArn}`);
    children.set(child.stateMachineArn, child);
  }
  const machineNamed = (name: string): AslDefinition | undefined =>
    name === rootName
      ? (options.definition as AslDefinition)
      : ([...children.values()].find((c) => machineNameOf(c.stateMachineArn) === name)?.definition as
          | AslDefinition
          | undefined);
  const faults = (
    Array.isArray(options.fault) ? options.fault : options.fault ? [options.fault] : []
  ) as FaultInjection[];
  const stop = typeof options.stopOnEntering === 'string' ? { state: options.stopOnEntering } : options.stopOnEntering;
  const checks: Array<{ state: string; machine: string }> = [
    ...faults.map((f) => ({ state: f.state, machine: f.stateMachine ?? rootName })),
    ...Object.keys(options.overrides ?? {}).map((state) => ({ state, machine: rootName })),
  ];
  for (const { state, machine } of checks) {
    const definition = machineNamed(machine);
    if (!definition)
      throw new Error(`No state machine named ${machine} (children: ${[...children.keys()].join(', ') || 'none'})`);
    const states = collectStates(definition);
    if (states.get(state)?.state.Type !== 'Task') {
      const tasks = [...states.values()].filter((s) => s.state.Type === 'Task').map((s) => s.name);
      throw new Error(`"${state}" is not a Task state of ${machine} (Task states: ${tasks.join(', ')})`);
    }
  }
  if (stop) {
    const definition = machineNamed(stop.stateMachine ?? rootName);
    if (!definition || !collectStates(definition).has(stop.state))
      throw new Error(`stopOnEntering: no state "${stop.state}" in ${stop.stateMachine ?? rootName}`);
  }
  const shared: SharedRun = {
    timeline: new Timeline(options.model),
    rootName,
    children,
    faults,
    faultUses: faults.map(() => 0),
    childRuns: [],
    stop,
    stopRoot: () => undefined,
  };
  const result = await executeMachine(options, shared, undefined);
  return { ...result, children: shared.childRuns };
}

/** What the executions of one `runWorkflow` call share. */
interface SharedRun {
  readonly timeline: Timeline;
  readonly rootName: string;
  readonly children: Map<string, ChildMachine>;
  readonly faults: FaultInjection[];
  readonly faultUses: number[];
  readonly childRuns: ChildRun[];
  readonly stop: StopAt | undefined;
  /** Stops the root execution (set by it when it starts). */
  stopRoot: () => void;
}

/** How a child execution learns it must stop (its parent ended). */
interface ChildHandle {
  abort: () => void;
}

function machineNameOf(stateMachineArn: string): string {
  return stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1);
}

const START_SYNC = /^arn:aws[a-z-]*:states:::states:startExecution\.sync(:2)?$/;

async function executeMachine(
  options: RunOptions,
  shared: SharedRun,
  child: { readonly parentExecutionArn: string; readonly handle: ChildHandle } | undefined,
): Promise<RunResult> {
  const definition = options.definition as AslDefinition;
  assertSupported(definition);
  const states = collectStates(definition);
  const model = options.model;
  const region = options.region;
  const lambdas = options.lambdas ?? {};
  const overrides = child ? {} : (options.overrides ?? {});
  const fatalErrors = new Set(options.fatalErrors ?? ['ModelRejectedCall']);
  const isTask = (name: string): boolean => states.get(name)?.state.Type === 'Task';
  const stateMachineName = options.stateMachineName ?? 'TestStateMachine';
  const mine = (machine: string | undefined): boolean => (machine ?? shared.rootName) === stateMachineName;
  const faults = shared.faults;
  const faultUses = shared.faultUses;

  const executionName = options.executionName ?? 'test-execution';
  assertExecutionName(executionName);
  const stateMachineArn = `arn:aws:states:${region}:${FAKE_ACCOUNT_ID}:stateMachine:${stateMachineName}`;
  const startTime = options.startTime ?? model.now();
  const input = jsonCopy(options.input ?? {});
  let tokenCounter = 0;
  const issuedTokens = new Set<string>();
  const context = {
    EdrExecution: {
      Id: `arn:aws:states:${region}:${FAKE_ACCOUNT_ID}:execution:${stateMachineName}:${executionName}`,
      Name: executionName,
      StartTime: startTime.toISOString(),
      Input: input,
      RoleArn: options.roleArn ?? `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/${stateMachineName}Role`,
      RedriveCount: 0,
    },
    StateMachine: { Id: stateMachineArn, Name: stateMachineName },
    State: {
      get EnteredTime(): string {
        return model.now().toISOString();
      },
    },
    Task: {
      get Token(): string {
        tokenCounter++;
        const token = `EdrFakeTaskToken-${executionName}-${tokenCounter}`;
        issuedTokens.add(token);
        return token;
      },
    },
  };

  const converted = new Map<string, Converted>();
  const executed = prepareForExecution(definition, converted);

  const path: string[] = [];
  const taskCalls: TaskCall[] = [];
  const events: unknown[] = [];
  const harnessFailures: string[] = [];
  const pendingRetryDelays = new Map<string, number[]>();
  const payloads = new PayloadWatch();
  let finished = false;
  let timedOut = false;
  let stopped = false;
  let abort: () => void = () => undefined;
  const timeoutSeconds = typeof definition.TimeoutSeconds === 'number' ? definition.TimeoutSeconds : undefined;
  const clock = new VirtualClock(
    model,
    timeoutSeconds === undefined ? undefined : startTime.getTime() + timeoutSeconds * 1000,
    () => {
      timedOut = true;
      abort();
    },
    shared.timeline,
  );
  const stopThis = (): void => {
    if (finished || stopped) return;
    stopped = true;
    abort();
  };
  if (child) child.handle.abort = stopThis;
  else shared.stopRoot = stopThis;
  const runningChildren = new Map<ChildHandle, Promise<unknown>>();

  const harnessFailure = (message: string): never => {
    harnessFailures.push(message);
    throw new UncatchableError('WorkflowHarnessError', message);
  };

  const asTaskError = async (err: unknown, state: string): Promise<Error> => {
    if (err instanceof UncatchableError) return err;
    if (!(err instanceof Error))
      return harnessFailure(`State "${state}": the model or a handler threw a non-Error: ${String(err)}`);
    if (fatalErrors.has(err.name)) return harnessFailure(`State "${state}": ${err.name}: ${err.message}`);
    if (err.name === 'States.Timeout') return statesTimeoutError(err.message);
    return new TaskError(err.name, err.message);
  };

  const invokeLambda = async (state: string, functionName: string, payload: unknown): Promise<unknown> => {
    const fn = functionNameOf(functionName);
    const handler = findLambda(lambdas, fn);
    if (!handler) {
      return harnessFailure(
        `Task state "${state}" invokes Lambda function ${fn}, but no handler matches it (lambdas: ${Object.keys(lambdas).join(', ') || 'none'})`,
      );
    }
    const lambdaContext: FakeLambdaContext = {
      functionName: fn,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${FAKE_ACCOUNT_ID}:function:${fn}`,
      memoryLimitInMB: '1024',
      awsRequestId: `req-${taskCalls.length}`,
      logGroupName: `/aws/lambda/${fn}`,
      logStreamName: 'test',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 60_000,
    };
    try {
      return jsonCopy(await handler(jsonCopy(payload), lambdaContext));
    } catch (err) {
      if (err instanceof UncatchableError) throw err;
      // What Lambda reports for a function error: errorType = the error's name, Cause = the error JSON.
      const errorType = err instanceof Error ? err.name : 'Error';
      const errorMessage = err instanceof Error ? err.message : String(err);
      if (fatalErrors.has(errorType))
        return harnessFailure(`Lambda ${fn} at "${state}": ${errorType}: ${errorMessage}`);
      throw new TaskError(errorType, JSON.stringify({ errorType, errorMessage }));
    }
  };

  // .waitForTaskToken: the handler has stored the token; the task's output is what SendTaskSuccess sends.
  const waitForToken = async (state: string, payload: unknown): Promise<unknown> => {
    const registry = model.taskTokens;
    if (!registry)
      return harnessFailure(`Task state "${state}" waits for a task token, but the model has no taskTokens`);
    const token = tokenIn(payload, issuedTokens);
    if (!token) return harnessFailure(`Task state "${state}" waits for a task token but does not pass $$.Task.Token`);
    const timeout = (states.get(state) as StateInfo).state.TimeoutSeconds;
    clock.end();
    try {
      return await awaitTaskToken({
        registry,
        token,
        timeoutSeconds: typeof timeout === 'number' ? timeout : undefined,
        clock,
        now: () => model.now(),
        state,
        onTimeout: () => statesTimeoutError(`Task "${state}" received no callback within ${timeout} seconds`),
        onStuck: harnessFailure,
      });
    } finally {
      clock.begin();
    }
  };

  const runTask = async (state: string, params: unknown): Promise<unknown> => {
    if (finished) throw new UncatchableError('WorkflowHarnessError', 'The execution is over');
    const info = states.get(state) as StateInfo;
    const resource = String(info.state.Resource);
    clock.begin();
    try {
      // One macrotask: the event log catches up (a StateRetried event for this attempt is then known).
      await new Promise((resolve) => setImmediate(resolve));
      const delay = pendingRetryDelays.get(state)?.shift();
      if (delay !== undefined) {
        clock.end();
        try {
          await clock.sleep(delay);
        } finally {
          clock.begin();
        }
      }
      if (finished) throw new UncatchableError('WorkflowHarnessError', 'The execution is over');
      const tooLarge = payloads.violation ?? payloads.check(params, `effective input of state "${state}"`);
      if (tooLarge) throw new UncatchableError(tooLarge.error, tooLarge.cause);
      taskCalls.push({ state, resource, params: jsonCopy(params) });
      const i = faults.findIndex(
        (f, k) => f.state === state && mine(f.stateMachine) && faultUses[k] < (f.times ?? Infinity),
      );
      if (i >= 0) {
        faultUses[i]++;
        const f = faults[i];
        throw await asTaskError(
          new TaskError(f.error, f.cause ?? `Fault injected by the test at state "${state}"`),
          state,
        );
      }
      let result: unknown;
      try {
        const override = overrides[state];
        const invoke = LAMBDA_INVOKE.exec(resource);
        const direct = LAMBDA_ARN.exec(resource);
        const sync = START_SYNC.exec(resource);
        if (override) {
          result = await override(jsonCopy(params));
        } else if (invoke) {
          const p = (params ?? {}) as Record<string, unknown>;
          if (typeof p.FunctionName !== 'string')
            return harnessFailure(`Task state "${state}": lambda:invoke without a FunctionName`);
          const payload = await invokeLambda(state, p.FunctionName, p.Payload ?? {});
          result = invoke[1]
            ? await waitForToken(state, p.Payload)
            : {
                ExecutedVersion: '$LATEST',
                Payload: payload,
                SdkHttpMetadata: { HttpHeaders: { 'Content-Type': 'application/json' }, HttpStatusCode: 200 },
                SdkResponseMetadata: { RequestId: `req-${taskCalls.length}` },
                StatusCode: 200,
              };
        } else if (direct) {
          result = await invokeLambda(state, resource, params);
        } else if (sync) {
          if (!sync[1])
            return harnessFailure(
              `Task state "${state}": startExecution.sync (string output) is not modeled; use .sync:2`,
            );
          result = await startChild(state, (params ?? {}) as Record<string, unknown>);
        } else {
          result = await model.sfnCall(region, resource, jsonCopy(params ?? {}) as Record<string, unknown>);
        }
      } catch (err) {
        throw await asTaskError(err, state);
      }
      const copy = jsonCopy(result);
      const resultTooLarge = payloads.check(copy, `result of state "${state}"`);
      if (resultTooLarge) throw new UncatchableError(resultTooLarge.error, resultTooLarge.cause);
      return copy;
    } finally {
      clock.end();
    }
  };

  // startExecution.sync:2: StartExecution through the model (its errors are the Task's), then the child's
  // definition runs here, on the same model and timeline; this Task is not in flight meanwhile (the child's
  // waits must be able to pass). Output: DescribeExecution in Pascal case, Input and Output as JSON.
  const startChild = async (state: string, params: Record<string, unknown>): Promise<unknown> => {
    const started = (await model.sfnCall(region, 'arn:aws:states:::states:startExecution', params)) as {
      ExecutionArn: string;
    };
    const arn = String(params.StateMachineArn);
    const machine = shared.children.get(arn);
    if (!machine)
      return harnessFailure(`Task state "${state}" starts ${arn}, which is not among the run's childMachines`);
    if (!model.completeExecution)
      return harnessFailure(`Task state "${state}" starts a child, but the model cannot record how it ended`);
    const childName = started.ExecutionArn.slice(started.ExecutionArn.lastIndexOf(':') + 1);
    const childInput = typeof params.Input === 'string' ? JSON.parse(params.Input) : (params.Input ?? {});
    const startDate = model.now();
    const handle: ChildHandle = { abort: () => undefined };
    // Listed in the order children start; the result is filled in when the child ends.
    const entry = shared.childRuns.length;
    shared.childRuns.push({
      executionArn: started.ExecutionArn,
      name: childName,
      stateMachineName: machineNameOf(arn),
      parentExecutionArn: context.EdrExecution.Id,
      input: childInput,
      result: { status: 'ABORTED', path: [], taskCalls: [], events: [], children: [] },
    });
    clock.end();
    let childResult: RunResult;
    try {
      const run = executeMachine(
        {
          ...options,
          definition: machine.definition,
          input: childInput,
          executionName: childName,
          stateMachineName: machineNameOf(arn),
          roleArn: undefined,
          startTime: startDate,
        },
        shared,
        { parentExecutionArn: context.EdrExecution.Id, handle },
      );
      runningChildren.set(
        handle,
        run.catch(() => undefined),
      );
      try {
        childResult = await run;
      } catch (err) {
        return harnessFailure(`child ${childName}: ${(err as Error).message}`);
      } finally {
        runningChildren.delete(handle);
      }
    } finally {
      clock.begin();
    }
    model.completeExecution(started.ExecutionArn, childResult.status, childResult.output, {
      error: childResult.error,
      cause: childResult.cause,
    });
    shared.childRuns[entry] = { ...shared.childRuns[entry], result: childResult };
    const described = {
      ExecutionArn: started.ExecutionArn,
      StateMachineArn: arn,
      Name: childName,
      Status: childResult.status,
      StartDate: startDate.getTime(),
      StopDate: model.now().getTime(),
      Input: childInput,
      InputDetails: { Included: true },
      ...(childResult.status === 'SUCCEEDED'
        ? { Output: childResult.output ?? null, OutputDetails: { Included: true } }
        : {}),
      ...(childResult.error ? { Error: childResult.error } : {}),
      ...(childResult.cause ? { Cause: childResult.cause } : {}),
      RedriveCount: 0,
    };
    if (childResult.status !== 'SUCCEEDED') throw new TaskError('States.TaskFailed', JSON.stringify(described));
    return described;
  };

  const runConverted = async (state: string, effectiveInput: unknown): Promise<unknown> => {
    if (finished) throw new UncatchableError('WorkflowHarnessError', 'The execution is over');
    const { type, original } = converted.get(state) as Converted;
    if (type === 'Pass') return original.Result ?? null;
    // The executed copy's paths already read $$.EdrExecution, which this context holds.
    await clock.sleep(waitSeconds(state, original, effectiveInput, context, model.now()));
    return effectiveInput;
  };

  const taskHandlers = new Proxy({} as Record<string, (input: unknown) => Promise<unknown>>, {
    get: (_target, name) => {
      if (typeof name !== 'string') return undefined;
      if (converted.has(name)) return (i: unknown) => runConverted(name, i);
      if (isTask(name)) return (i: unknown) => runTask(name, i);
      return undefined;
    },
  });
  const noRetrySleep = new Proxy({} as Record<string, number>, {
    get: (_target, name) => (typeof name === 'string' ? 0 : undefined),
  });

  // The original was validated above; the executed copy differs only as prepareForExecution says.
  const machine = new StateMachine(executed as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: taskHandlers as never, retryIntervalOverrides: noRetrySleep },
    context: context as never,
  });
  abort = execution.abort;

  const consume = (async () => {
    for await (const event of execution.eventLogs) {
      const e = event as {
        type: string;
        state?: { name: string; type: string };
        retry?: { retrier: Record<string, unknown>; attempt: number };
      };
      if (e.state && converted.has(e.state.name))
        e.state = { ...e.state, type: (converted.get(e.state.name) as Converted).type };
      events.push(e);
      if (!payloads.violation && payloads.observe(e as never)) abort();
      if (e.type === 'StateEntered' && e.state) {
        path.push(e.state.name);
        if (shared.stop && e.state.name === shared.stop.state && mine(shared.stop.stateMachine)) shared.stopRoot();
      }
      if (e.type === 'StateRetried' && e.state && e.retry) {
        const seconds = retryIntervalSeconds(e.retry.retrier, e.retry.attempt);
        if (isTask(e.state.name)) {
          const queue = pendingRetryDelays.get(e.state.name) ?? [];
          queue.push(seconds);
          pendingRetryDelays.set(e.state.name, queue);
        } else {
          clock.advanceNow(seconds);
        }
      }
    }
  })();

  let result: RunResult;
  try {
    const output = await execution.result;
    result = { status: 'SUCCEEDED', output, path, taskCalls, events, children: [] };
  } catch (err) {
    const inner = (err as Error).cause;
    if (timedOut) {
      result = {
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        cause: `The execution exceeded its TimeoutSeconds (${timeoutSeconds}) on the model clock`,
        path,
        taskCalls,
        events,
        children: [],
      };
    } else if ((err as Error).name === 'ExecutionAbortedError' || stopped) {
      result = { status: 'ABORTED', path, taskCalls, events, children: [] };
    } else if (inner instanceof Error) {
      // A Fail state without Error/Cause: aws-local-stepfunctions fills in defaults AWS does not have.
      const error = inner.name === 'FailStateError' ? undefined : inner.name;
      const cause = inner.message === 'Execution failed because of a Fail state' ? undefined : inner.message;
      result = { status: 'FAILED', error, cause, path, taskCalls, events, children: [] };
    } else {
      throw err;
    }
  } finally {
    finished = true;
    clock.stop();
    // A parent that ended stops its running children (Step Functions stops a .sync child of a stopped run).
    for (const handle of runningChildren.keys()) handle.abort();
  }
  await Promise.all(runningChildren.values());
  await consume;
  if (payloads.violation) {
    const { error, cause } = payloads.violation;
    result = { status: 'FAILED', error, cause, path, taskCalls, events, children: [] };
  }
  result = { ...result, largestPayloadBytes: payloads.largest };
  if (harnessFailures.length > 0) throw new Error(`Workflow harness: ${harnessFailures.join('\n')}`);
  return result;
}
