import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { FakeModel, sfnError } from '../../support/workflow/fake-model';
import { databaseWorkflowTemplate, inlineFunction, testStack } from '../../support/workflow/harness-fixtures';
import { runWorkflow, type RunOptions } from '../../support/workflow/run';
import {
  fakeResourceNames,
  resolveIntrinsics,
  stateMachineDefinition,
  stateMachineDefinitions,
  validateAsl,
} from '../../support/workflow/template';

const DESCRIBE = 'arn:aws:states:::aws-sdk:rds:describeDBInstances';
const PUBLISH = 'arn:aws:states:::sns:publish';
const template = databaseWorkflowTemplate();
const names = fakeResourceNames(template, { region: 'us-east-1' });
const logicalId = (prefix: string): string => {
  const ids = Object.keys(names).filter((id) => id.startsWith(prefix) && /^[0-9A-F]{8}$/.test(id.slice(prefix.length)));
  if (ids.length !== 1) throw new Error(`no single resource ${prefix}: ${ids.join(', ')}`);
  return ids[0];
};
const { definition } = stateMachineDefinition(template, 'DatabaseWorkflow', { region: 'us-east-1' });
const states = definition.States as Record<string, any>;

/** Answers describeDBInstances with the given statuses in turn, and accepts every SNS publish. */
function modelWithStatuses(...statuses: string[]): FakeModel {
  return new FakeModel({
    [DESCRIBE]: () => ({ DbInstances: [{ DbInstanceStatus: statuses.length > 1 ? statuses.shift() : statuses[0] }] }),
    [PUBLISH]: () => ({ MessageId: 'm-1' }),
  });
}

function options(model: FakeModel, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    definition,
    region: 'us-east-1',
    model,
    input: { db: 'entmoot-prod', buckets: ['entmoot-prod-files', 'entmoot-prod-backups'] },
    executionName: 'run-1',
    lambdas: { CheckBucketFunction: (payload) => ({ ok: true, payload }) },
    ...extra,
  };
}

describe('stateMachineDefinitions', () => {
  it('resolves Lambda, SNS topic, S3 bucket and DynamoDB table tokens to stable fake names and ARNs', () => {
    const checkBucket = (states['Check Each Bucket'].ItemProcessor.States as Record<string, any>)['Check Bucket'];
    const message = states['Report Missing'].Parameters.Message;

    expect(checkBucket.Parameters.FunctionName).toBe(
      `arn:aws:lambda:us-east-1:123456789012:function:${logicalId('CheckBucketFunction')}`,
    );
    expect(states['Publish Report'].Parameters.TopicArn).toBe(
      `arn:aws:sns:us-east-1:123456789012:${logicalId('ReportTopic')}`,
    );
    expect(message.bucket).toBe(logicalId('EvidenceBucket').toLowerCase());
    expect(message.table).toBe(logicalId('CooldownTable'));
    expect(states['Describe Database'].Resource).toBe(DESCRIBE);
  });

  it('exports the same names it resolves, so a test can seed the model with them', () => {
    const topic = names[logicalId('ReportTopic')];

    expect(topic).toEqual({
      type: 'AWS::SNS::Topic',
      name: logicalId('ReportTopic'),
      ref: topic.arn,
      arn: `arn:aws:sns:us-east-1:123456789012:${logicalId('ReportTopic')}`,
    });
    expect(names[logicalId('DatabaseWorkflow')].arn).toBe(
      `arn:aws:states:us-east-1:123456789012:stateMachine:${logicalId('DatabaseWorkflow')}`,
    );
  });

  it('resolves pseudo parameters, GetAtt Arn and Fn::Sub for the requested region', () => {
    const fn = logicalId('CheckBucketFunction');

    const resolved = resolveIntrinsics(
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':x:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':',
            { 'Fn::GetAtt': [fn, 'Arn'] },
          ],
        ],
      },
      template,
      { region: 'us-west-2' },
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, resolved by the code under test.
    const sub = resolveIntrinsics({ 'Fn::Sub': ['${Fn}/${AWS::URLSuffix}', { Fn: { Ref: fn } }] }, template, {
      region: 'us-west-2',
    });

    expect(resolved).toBe(`arn:aws:x:us-west-2:123456789012:arn:aws:lambda:us-west-2:123456789012:function:${fn}`);
    expect(sub).toBe(`${fn}/amazonaws.com`);
  });

  it('finds one state machine by logical-id prefix and names the others when the prefix is wrong', () => {
    expect(Object.keys(stateMachineDefinitions(template))).toEqual([logicalId('DatabaseWorkflow')]);
    expect(() => stateMachineDefinition(template, 'Nope')).toThrow(/found 0 .*DatabaseWorkflow/);
  });

  it('rejects an invalid definition, listing the validator errors', () => {
    const broken = {
      Resources: {
        Broken: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: '{"StartAt":"Missing","States":{"Only":{"Type":"Pass","Next":"Nowhere"}}}' },
        },
      },
    };

    expect(() => stateMachineDefinitions(broken)).toThrow(
      /Invalid Amazon States Language in state machine Broken:[\s\S]*target: Missing[\s\S]*target: Nowhere/,
    );
    expect(() => validateAsl({ StartAt: 'A', States: { A: { Type: 'Wait', End: true } } })).toThrow(
      /Invalid Amazon States Language/,
    );
  });
});

describe('runWorkflow', () => {
  it('loops through the Wait until the database is available, then runs each Map iteration', async () => {
    const model = modelWithStatuses('creating', 'available');
    const started = model.now().getTime();
    const real = Date.now();

    const result = await runWorkflow(options(model));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([
      'Describe Database',
      'Is Available',
      'Wait For Database',
      'Describe Database',
      'Is Available',
      'Check Each Bucket',
      'Check Bucket',
      'Check Bucket',
      'Pause Between Buckets',
      'Pause Between Buckets',
      'Publish Report',
      'Done',
    ]);
    // 3600 s of Wait For Database, and the two concurrent 60 s pauses overlap as on AWS.
    expect(model.now().getTime() - started).toBe(3660_000);
    expect(Date.now() - real).toBeLessThan(5000);
    expect(result.taskCalls.map((c) => c.state)).toEqual([
      'Describe Database',
      'Describe Database',
      'Check Bucket',
      'Check Bucket',
      'Publish Report',
    ]);
    expect(model.calls.map((c) => [c.region, c.resource])).toEqual([
      ['us-east-1', DESCRIBE],
      ['us-east-1', DESCRIBE],
      ['us-east-1', PUBLISH],
    ]);
    expect(model.calls[0].params).toEqual({ DbInstanceIdentifier: 'entmoot-prod' });
  });

  it('gives Lambda handlers the payload with $$.Execution, $$.State and $$.Task.Token resolved, and returns their result as Payload', async () => {
    const model = modelWithStatuses('available');
    const received: any[] = [];

    const result = await runWorkflow(
      options(model, {
        lambdas: {
          CheckBucketFunction: (p) => {
            received.push(p);
            return { checked: (p as any).bucket };
          },
        },
      }),
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(received.map((p) => p.bucket).sort()).toEqual(['entmoot-prod-backups', 'entmoot-prod-files']);
    expect(received[0]).toMatchObject({
      execution: 'run-1',
      startedAt: '2025-11-10T03:00:00.000Z',
      enteredAt: '2025-11-10T03:00:00.000Z',
    });
    expect(received[0].token).toMatch(/^EdrFakeTaskToken-run-1-\d+$/);
    expect(received[0].token).not.toBe(received[1].token);
    expect((result.output as any).checks.map((c: any) => c.result.checked).sort()).toEqual([
      'entmoot-prod-backups',
      'entmoot-prod-files',
    ]);
    expect((model.calls[1].params as any).Message.execution).toBe('run-1');
  });

  it('recovers through Retry from a fault injected once, advancing the model clock by the retry interval', async () => {
    const model = modelWithStatuses('available');
    const started = model.now().getTime();

    const result = await runWorkflow(
      options(model, {
        fault: { state: 'Describe Database', error: 'Rds.RdsException', cause: 'Rate exceeded', times: 1 },
      }),
    );

    expect(result.status).toBe('SUCCEEDED');
    // As in AWS's history, a retry is no new state entry: the path shows the state once, taskCalls each attempt.
    expect(result.path.slice(0, 3)).toEqual(['Describe Database', 'Is Available', 'Check Each Bucket']);
    expect(result.events.filter((e: any) => e.type === 'StateRetried')).toHaveLength(1);
    expect(result.taskCalls.filter((c) => c.state === 'Describe Database')).toHaveLength(2);
    expect(model.calls.filter((c) => c.resource === DESCRIBE)).toHaveLength(1);
    // 5 s before the retry, then 60 s of the Map's overlapping pauses.
    expect(model.now().getTime() - started).toBe(65_000);
  });

  it('retries with backoff until MaxAttempts, then fails with the fault', async () => {
    const model = modelWithStatuses('available');
    const started = model.now().getTime();

    const result = await runWorkflow(
      options(model, { fault: { state: 'Describe Database', error: 'Rds.RdsException', cause: 'Rate exceeded' } }),
    );

    expect(result).toMatchObject({ status: 'FAILED', error: 'Rds.RdsException', cause: 'Rate exceeded' });
    expect(result.path).toEqual(['Describe Database']);
    expect(result.taskCalls.map((c) => c.state)).toEqual([
      'Describe Database',
      'Describe Database',
      'Describe Database',
      'Describe Database',
    ]);
    expect(model.now().getTime() - started).toBe((5 + 10 + 20) * 1000);
  });

  it('lets Catch see the exact error name and cause the model raised', async () => {
    const model = new FakeModel({
      [DESCRIBE]: () => {
        throw sfnError(
          'Rds.DbInstanceNotFoundException',
          'DBInstance entmoot-prod not found. (Service: Rds, Status Code: 404)',
        );
      },
      [PUBLISH]: () => ({ MessageId: 'm-1' }),
    });

    const result = await runWorkflow(options(model));

    expect(result).toMatchObject({ status: 'FAILED', error: 'DatabaseMissing', cause: 'The database does not exist' });
    expect(result.path).toEqual(['Describe Database', 'Report Missing', 'Database Missing']);
    const publish = result.taskCalls.find((c) => c.state === 'Report Missing')?.params as any;
    expect(publish.Message.error).toBe('Rds.DbInstanceNotFoundException');
  });

  it("surfaces a Lambda handler error with its name as error type and Lambda's JSON cause", async () => {
    class BucketMissingError extends Error {
      constructor(message: string) {
        super(message);
        this.name = 'BucketMissingError';
      }
    }
    const model = modelWithStatuses('available');

    const result = await runWorkflow(
      options(model, {
        lambdas: {
          CheckBucketFunction: () => {
            throw new BucketMissingError('entmoot-prod-files does not exist');
          },
        },
      }),
    );

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('BucketMissingError');
    expect(JSON.parse(String(result.cause))).toEqual({
      errorType: 'BucketMissingError',
      errorMessage: 'entmoot-prod-files does not exist',
    });
  });

  it('fails the test, naming the state, when a Lambda task has no handler', async () => {
    const model = modelWithStatuses('available');

    await expect(runWorkflow(options(model, { lambdas: {} }))).rejects.toThrow(
      /Task state "Check Bucket" invokes Lambda function CheckBucketFunction[0-9A-F]{8}, but no handler/,
    );
  });

  it('fails the test when the model rejects a call, even behind a Catch', async () => {
    const model = new FakeModel({ [PUBLISH]: () => ({ MessageId: 'm-1' }) });

    await expect(runWorkflow(options(model))).rejects.toThrow(/State "Describe Database": ModelRejectedCall/);
  });

  it('rejects a fault or override naming a state that is not a Task', async () => {
    const model = modelWithStatuses('available');

    await expect(runWorkflow(options(model, { fault: { state: 'Is Available', error: 'X' } }))).rejects.toThrow(
      /"Is Available" is not a Task state/,
    );
  });

  it('answers a Task from an override with its effective input', async () => {
    const model = modelWithStatuses('available');

    const result = await runWorkflow(
      options(model, {
        overrides: { 'Describe Database': () => ({ DbInstances: [{ DbInstanceStatus: 'available' }] }) },
      }),
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(model.calls.map((c) => c.resource)).toEqual([PUBLISH]);
  });
});

describe('runWorkflow with timeouts', () => {
  function timeoutWorkflow(): object {
    const stack = testStack();
    const fn = inlineFunction(stack, 'SlowFunction');
    const task = new tasks.LambdaInvoke(stack, 'Slow Task', {
      lambdaFunction: fn,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const longWait = new sfn.Wait(stack, 'Long Wait', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    task.addCatch(new sfn.Fail(stack, 'Task Failed', { error: 'TaskFailed' }), { errors: ['States.TaskFailed'] });
    task.addCatch(new sfn.Pass(stack, 'Timed Out', { resultPath: sfn.JsonPath.DISCARD }).next(longWait), {
      errors: ['States.Timeout'],
      resultPath: '$.error',
    });
    const chain = sfn.Chain.start(task).next(longWait).next(new sfn.Succeed(stack, 'Finished'));
    new sfn.StateMachine(stack, 'TimeoutWorkflow', {
      definitionBody: sfn.DefinitionBody.fromChainable(chain),
      timeout: Duration.seconds(100),
    });
    return stateMachineDefinition(Template.fromStack(stack).toJSON(), 'TimeoutWorkflow').definition;
  }

  it('does not let States.TaskFailed catch an injected States.Timeout', async () => {
    const result = await runWorkflow({
      definition: timeoutWorkflow(),
      region: 'us-east-1',
      model: new FakeModel(),
      input: { waitSeconds: 1 },
      fault: { state: 'Slow Task', error: 'States.Timeout' },
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Slow Task', 'Timed Out', 'Long Wait', 'Finished']);
    expect((result.output as any).error).toEqual({
      Error: 'States.Timeout',
      Cause: 'Fault injected by the test at state "Slow Task"',
    });
  });

  it('times the execution out on the model clock when a SecondsPath wait passes TimeoutSeconds', async () => {
    const model = new FakeModel();
    const started = model.now().getTime();

    const result = await runWorkflow({
      definition: timeoutWorkflow(),
      region: 'us-east-1',
      model,
      input: { waitSeconds: 3600 },
      lambdas: { SlowFunction: () => 'done' },
    });

    expect(result).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(result.path).toEqual(['Slow Task', 'Long Wait']);
    expect(model.now().getTime() - started).toBe(100_000);
  });
});

describe('runWorkflow with Parallel branches', () => {
  it('enters the states of every branch and overlaps their waits on the model clock', async () => {
    const stack = testStack();
    const parallel = new sfn.Parallel(stack, 'Both Regions', { resultPath: sfn.JsonPath.DISCARD });
    parallel.branch(
      new sfn.Wait(stack, 'Short Wait', { time: sfn.WaitTime.duration(Duration.seconds(30)) }).next(
        new sfn.Pass(stack, 'Short Done'),
      ),
    );
    parallel.branch(
      new sfn.Wait(stack, 'Long Wait', { time: sfn.WaitTime.duration(Duration.seconds(90)) }).next(
        new sfn.Pass(stack, 'Long Done'),
      ),
    );
    new sfn.StateMachine(stack, 'ParallelWorkflow', { definitionBody: sfn.DefinitionBody.fromChainable(parallel) });
    const model = new FakeModel();
    const started = model.now().getTime();

    const result = await runWorkflow({
      definition: stateMachineDefinition(Template.fromStack(stack).toJSON(), 'ParallelWorkflow').definition,
      region: 'us-east-1',
      model,
    });

    expect(result.status).toBe('SUCCEEDED');
    expect([...result.path].sort()).toEqual(['Both Regions', 'Long Done', 'Long Wait', 'Short Done', 'Short Wait']);
    expect(result.path.indexOf('Short Done')).toBeLessThan(result.path.indexOf('Long Done'));
    expect(model.now().getTime() - started).toBe(90_000);
  });
});
