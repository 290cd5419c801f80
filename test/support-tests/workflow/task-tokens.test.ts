import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AccountModel } from '../../support/account/model';
import { runWorkflow } from '../../support/workflow/run';

const FN = 'arn:aws:lambda:us-west-2:123456789012:function:Waiter';
const NOW = new Date('2025-11-10T04:00:00Z');

function definition(timeoutSeconds?: number, payload: Record<string, string> = { 'token.$': '$$.Task.Token' }) {
  return {
    StartAt: 'Wait for Callback',
    States: {
      'Wait for Callback': {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: FN, Payload: payload },
        ...(timeoutSeconds === undefined ? {} : { TimeoutSeconds: timeoutSeconds }),
        End: true,
      },
    },
  };
}

let restore: () => void = () => undefined;
afterEach(() => restore());

function setup() {
  const model = new AccountModel({ now: NOW });
  restore = model.wireSdkMocks();
  const sfn = new SFNClient({ region: 'us-west-2', maxAttempts: 1 });
  let token = '';
  const lambdas = {
    Waiter: (payload: unknown) => {
      token = (payload as { token: string }).token;
      return { ignored: true };
    },
  };
  return { model, sfn, lambdas, token: () => token };
}

describe('a .waitForTaskToken task in the harness', () => {
  it('ends with the output of a SendTaskSuccess a test scheduled on the model clock', async () => {
    const { model, sfn, lambdas, token } = setup();
    model.taskTokens.at(new Date(NOW.getTime() + 120_000), () =>
      sfn.send(new SendTaskSuccessCommand({ taskToken: token(), output: '{"approved":true}' })),
    );

    const result = await runWorkflow({ definition: definition(600), region: 'us-west-2', model, lambdas });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { approved: true } });
    expect(model.now().toISOString()).toBe('2025-11-10T04:02:00.000Z');
  });

  it('fails with the error and cause of a SendTaskFailure', async () => {
    const { model, lambdas, token } = setup();
    model.taskTokens.at(new Date(NOW.getTime() + 60_000), async () =>
      model.sdkCall('us-west-2', 'sfn', 'SendTaskFailure', {
        taskToken: token(),
        error: 'NopeError',
        cause: 'because',
      }),
    );

    const result = await runWorkflow({ definition: definition(600), region: 'us-west-2', model, lambdas });

    expect(result).toMatchObject({ status: 'FAILED', error: 'NopeError', cause: 'because' });
  });

  it('times out with States.Timeout after TimeoutSeconds on the model clock, after which its token is TaskTimedOut', async () => {
    const { model, sfn, lambdas, token } = setup();

    const result = await runWorkflow({ definition: definition(600), region: 'us-west-2', model, lambdas });

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(model.now().toISOString()).toBe('2025-11-10T04:10:00.000Z');
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token(), output: '{}' }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('answers a token Step Functions never issued with InvalidToken', async () => {
    const { sfn } = setup();

    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'made-up', output: '{}' }))).rejects.toMatchObject({
      name: 'InvalidToken',
    });
  });

  it('fails the test when the task would wait forever: no callback scheduled and no TimeoutSeconds', async () => {
    const { model, lambdas } = setup();

    await expect(runWorkflow({ definition: definition(), region: 'us-west-2', model, lambdas })).rejects.toThrow(
      'Task state "Wait for Callback" waits for its task token, but no callback is scheduled and it has no TimeoutSeconds',
    );
  });

  it('fails the test when the task does not pass $$.Task.Token', async () => {
    const { model, lambdas } = setup();

    await expect(
      runWorkflow({
        definition: definition(600, { 'name.$': '$$.Execution.Name' }),
        region: 'us-west-2',
        model,
        lambdas,
      }),
    ).rejects.toThrow('Task state "Wait for Callback" waits for a task token but does not pass $$.Task.Token');
  });
});
