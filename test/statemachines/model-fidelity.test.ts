import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { AccountModel } from '../support/account/model';
import { runWorkflow } from '../support/workflow/run';
import { stateMachineDefinition } from '../support/workflow/template';

/** A one-task state machine calling rds:describeDBInstances with the given parameters, synthesized by CDK. */
function describeMachine(parameters: Record<string, unknown>) {
  const stack = new Stack(new App(), 'Fidelity', { env: { region: 'us-east-1', account: '123456789012' } });
  const describe = new tasks.CallAwsService(stack, 'Describe Instance', {
    service: 'rds',
    action: 'describeDBInstances',
    parameters,
    iamResources: ['*'],
  });
  describe.addCatch(new sfn.Fail(stack, 'Not Found', { error: 'NotFound' }), {
    errors: ['Rds.DbInstanceNotFoundException'],
  });
  new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(describe.next(new sfn.Succeed(stack, 'Found'))),
  });
  return stateMachineDefinition(Template.fromStack(stack).toJSON(), 'Machine').definition;
}

describe('the account model behind the workflow harness', () => {
  const model = (): AccountModel => {
    const m = new AccountModel({ now: new Date('2025-11-10T00:00:00Z') });
    m.addDbInstance('us-east-1', { id: 'entmoot-prod' });
    m.addDbInstance('us-west-2', {
      id: 'entmoot-prod-dr-replica',
      replicaOf: 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod',
    });
    return m;
  };

  it('answers an SDK-integration task written with the Java SDK’s member names', async () => {
    const result = await runWorkflow({
      definition: describeMachine({ DbInstanceIdentifier: 'entmoot-prod' }),
      region: 'us-east-1',
      model: model(),
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED', path: ['Describe Instance', 'Found'] });
  });

  it('refuses an SDK-integration task written with the JavaScript SDK’s member names', async () => {
    await expect(
      runWorkflow({
        definition: describeMachine({ DBInstanceIdentifier: 'entmoot-prod' }),
        region: 'us-east-1',
        model: model(),
      }),
    ).rejects.toThrow(/DbInstanceIdentifier, not DBInstanceIdentifier/);
  });

  it('refuses a call aimed at an instance in another region, as AWS would, and records the refusal', async () => {
    const m = model();
    const result = await runWorkflow({
      definition: describeMachine({
        DbInstanceIdentifier: 'arn:aws:rds:us-west-2:123456789012:db:entmoot-prod-dr-replica',
      }),
      region: 'us-east-1',
      model: m,
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'NotFound', path: ['Describe Instance', 'Not Found'] });
    expect(m.refusals).toEqual([
      expect.objectContaining({ region: 'us-east-1', message: expect.stringContaining('us-west-2') }),
    ]);
  });
});
