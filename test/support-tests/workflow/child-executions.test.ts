import { AccountModel } from '../../support/account/model';
import { runWorkflow, type RunOptions } from '../../support/workflow/run';

const REGION = 'us-east-1';
const CHILD_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:child';

/**
 * A parent that starts one child per item of `$.dbs` (`.sync:2`), `concurrency` at a time; a failed child is caught
 * (`States.TaskFailed` also matches a StartExecution error: it matches every error but `States.Timeout`).
 */
function parent(concurrency: number): object {
  return {
    StartAt: 'Each Database',
    States: {
      'Each Database': {
        Type: 'Map',
        ItemsPath: '$.dbs',
        MaxConcurrency: concurrency,
        ItemSelector: { 'db.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Start Child',
          States: {
            'Start Child': {
              Type: 'Task',
              Resource: 'arn:aws:states:::states:startExecution.sync:2',
              Parameters: {
                StateMachineArn: CHILD_ARN,
                'Name.$': "States.Format('run-1-{}', $.db)",
                Input: { 'db.$': '$.db', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
              },
              ResultSelector: { 'status.$': '$.Status', 'output.$': '$.Output', 'name.$': '$.Name' },
              Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'Child Failed' }],
              End: true,
            },
            'Child Failed': {
              Type: 'Pass',
              Parameters: { 'db.$': '$.db', 'error.$': '$.failure.Error', 'cause.$': '$.failure.Cause' },
              End: true,
            },
          },
        },
        End: true,
      },
    },
  };
}

/** A child that asks a Lambda about its database, waits ten minutes, and fails for the database `bad`. */
const child = {
  StartAt: 'Ask',
  TimeoutSeconds: 3600,
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'ChildFunction', 'Payload.$': '$' },
      ResultSelector: { 'answer.$': '$.Payload' },
      ResultPath: '$.asked',
      Next: 'Wait Ten Minutes',
    },
    'Wait Ten Minutes': { Type: 'Wait', Seconds: 600, Next: 'Is It Bad?' },
    'Is It Bad?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.db', StringEquals: 'bad', Next: 'Fail' }],
      Default: 'Done',
    },
    Fail: { Type: 'Fail', Error: 'ChildError', Cause: 'the database is bad' },
    Done: {
      Type: 'Pass',
      Parameters: {
        'db.$': '$.db',
        'parent.$': '$.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID',
        'answer.$': '$.asked.answer',
      },
      End: true,
    },
  },
};

function options(model: AccountModel, dbs: string[], extra: Partial<RunOptions> = {}): RunOptions {
  return {
    definition: parent(2),
    stateMachineName: 'parent',
    executionName: 'run-1',
    region: REGION,
    model,
    input: { dbs },
    childMachines: [{ stateMachineArn: CHILD_ARN, definition: child }],
    lambdas: { ChildFunction: (payload) => `hello ${(payload as { db: string }).db}` },
    ...extra,
  };
}

const start = new Date('2025-11-10T05:00:00Z');
const newModel = () => new AccountModel({ now: start, regions: [REGION] });

describe('startExecution.sync:2 children', () => {
  it('runs each child definition on the same model and Lambdas, returning DescribeExecution with JSON Output', async () => {
    const model = newModel();

    const run = await runWorkflow(options(model, ['a', 'b']));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual([
      {
        status: 'SUCCEEDED',
        name: 'run-1-a',
        output: {
          db: 'a',
          parent: `arn:aws:states:us-east-1:123456789012:execution:parent:run-1`,
          answer: 'hello a',
        },
      },
      {
        status: 'SUCCEEDED',
        name: 'run-1-b',
        output: {
          db: 'b',
          parent: `arn:aws:states:us-east-1:123456789012:execution:parent:run-1`,
          answer: 'hello b',
        },
      },
    ]);
    expect(run.children.map((c) => [c.name, c.stateMachineName, c.result.status, c.result.path])).toEqual([
      ['run-1-a', 'child', 'SUCCEEDED', ['Ask', 'Wait Ten Minutes', 'Is It Bad?', 'Done']],
      ['run-1-b', 'child', 'SUCCEEDED', ['Ask', 'Wait Ten Minutes', 'Is It Bad?', 'Done']],
    ]);
  });

  it('records each child in the model as Step Functions would: started through StartExecution, then ended', async () => {
    const model = newModel();

    await runWorkflow(options(model, ['a', 'bad']));

    expect(
      model.executions.map((e) => ({ name: e.name, machine: e.stateMachineArn, status: e.status, error: e.error })),
    ).toEqual([
      { name: 'run-1-a', machine: CHILD_ARN, status: 'SUCCEEDED', error: undefined },
      { name: 'run-1-bad', machine: CHILD_ARN, status: 'FAILED', error: 'ChildError' },
    ]);
    expect(JSON.parse(model.executions[0].input)).toEqual({
      db: 'a',
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:aws:states:us-east-1:123456789012:execution:parent:run-1',
    });
    expect(model.calls.filter((c) => c.action === 'StartExecution').map((c) => c.via)).toEqual(['sfn', 'sfn']);
  });

  it('fails the parent Task with States.TaskFailed and the described execution as its Cause when a child fails', async () => {
    const model = newModel();

    const run = await runWorkflow(options(model, ['bad']));

    const [failed] = run.output as Array<Record<string, any>>;
    expect(failed.error).toBe('States.TaskFailed');
    const described = JSON.parse(failed.cause);
    expect(described).toEqual(
      expect.objectContaining({
        ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:child:run-1-bad',
        StateMachineArn: CHILD_ARN,
        Name: 'run-1-bad',
        Status: 'FAILED',
        Error: 'ChildError',
        Cause: 'the database is bad',
      }),
    );
    expect(described.Output).toBeUndefined();
  });

  it('lets children wait side by side on one clock: two ten-minute waits at concurrency 2 take ten minutes, at 1 twenty', async () => {
    const side = newModel();
    const serial = newModel();

    await runWorkflow(options(side, ['a', 'b']));
    await runWorkflow(options(serial, ['a', 'b'], { definition: parent(1) }));

    expect((side.now().getTime() - start.getTime()) / 1000).toBe(600);
    expect((serial.now().getTime() - start.getTime()) / 1000).toBe(1200);
  });

  it('times a child out on its own TimeoutSeconds, which the parent sees as a failed child', async () => {
    const model = newModel();
    const short = { ...child, TimeoutSeconds: 300 };

    const run = await runWorkflow(
      options(model, ['a'], { childMachines: [{ stateMachineArn: CHILD_ARN, definition: short }] }),
    );

    expect(run.children[0].result.status).toBe('TIMED_OUT');
    expect(JSON.parse((run.output as Array<Record<string, any>>)[0].cause).Status).toBe('TIMED_OUT');
    expect(model.executions[0].status).toBe('TIMED_OUT');
    expect((model.now().getTime() - start.getTime()) / 1000).toBe(300);
  });

  it('gives a StartExecution error to the parent Task by its Step Functions name', async () => {
    const model = newModel();
    await model.sdkCall(REGION, 'sfn', 'StartExecution', { stateMachineArn: CHILD_ARN, name: 'run-1-a', input: '{}' });

    const run = await runWorkflow(options(model, ['a']));

    expect(run.output).toEqual([
      expect.objectContaining({ db: 'a', error: 'StepFunctions.ExecutionAlreadyExistsException' }),
    ]);
    expect(run.children).toEqual([]);
  });

  it('injects a fault into a child Task state when the fault names the child state machine', async () => {
    const model = newModel();

    const run = await runWorkflow(
      options(model, ['a'], { fault: { state: 'Ask', stateMachine: 'child', error: 'Lambda.ServiceException' } }),
    );

    expect(run.children[0].result).toEqual(
      expect.objectContaining({ status: 'FAILED', error: 'Lambda.ServiceException', path: ['Ask'] }),
    );
    expect(JSON.parse((run.output as Array<Record<string, any>>)[0].cause).Error).toBe('Lambda.ServiceException');
  });

  it('refuses a fault naming a state machine the run does not know, or a child ARN not given', async () => {
    const model = newModel();

    await expect(
      runWorkflow(options(model, ['a'], { fault: { state: 'Ask', stateMachine: 'other', error: 'X' } })),
    ).rejects.toThrow('No state machine named other');
    await expect(runWorkflow(options(newModel(), ['a'], { childMachines: [] }))).rejects.toThrow('not among the run');
  });
});

describe('stopOnEntering', () => {
  it('stops the execution on entering a state of its own: ABORTED, nothing after it runs', async () => {
    const model = newModel();

    const run = await runWorkflow({
      definition: child,
      stateMachineName: 'child',
      region: REGION,
      model,
      input: { db: 'a' },
      lambdas: { ChildFunction: () => 'hello' },
      stopOnEntering: 'Wait Ten Minutes',
    });

    expect(run.status).toBe('ABORTED');
    expect(run.path).toEqual(['Ask', 'Wait Ten Minutes']);
  });

  it('stops the parent when a child enters the named state, and the parent stops its running children', async () => {
    const model = newModel();

    const run = await runWorkflow(
      options(model, ['a', 'b'], { stopOnEntering: { state: 'Wait Ten Minutes', stateMachine: 'child' } }),
    );

    expect(run.status).toBe('ABORTED');
    expect(model.executions.map((e) => e.status)).toEqual(['ABORTED', 'ABORTED']);
    expect(run.children.every((c) => !c.result.path.includes('Done'))).toBe(true);
  });

  it('refuses a state the machine does not have', async () => {
    await expect(runWorkflow(options(newModel(), ['a'], { stopOnEntering: 'Nowhere' }))).rejects.toThrow(
      'stopOnEntering: no state "Nowhere" in parent',
    );
  });
});
