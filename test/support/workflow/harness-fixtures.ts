/** CDK fixtures for the harness's own tests (test/support-tests/workflow): small stacks exercising each feature. */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as sns from 'aws-cdk-lib/aws-sns';

/** A stack in us-east-1 of the fake account. */
export function testStack(): Stack {
  return new Stack(new App(), 'S', { env: { region: 'us-east-1', account: '123456789012' } });
}

/** A function with inline code: the harness never runs it, test handlers stand in for it. */
export function inlineFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  });
}

/**
 * The workflow most harness tests run:
 * Describe Database (rds describeDBInstances, Retry on Rds.RdsException, Catch Rds.DbInstanceNotFoundException)
 * → Is Available? — no: Wait For Database (3600 s) → Describe Database again
 *                 — yes: Check Each Bucket (Map: Check Bucket [LambdaInvoke] → Pause Between Buckets [Wait 60 s])
 * → Publish Report (sns:publish) → Done. A caught not-found goes Report Missing (sns) → Database Missing (Fail).
 */
export function databaseWorkflowTemplate(): Record<string, any> {
  const stack = testStack();
  const topic = new sns.Topic(stack, 'ReportTopic');
  const evidence = new s3.Bucket(stack, 'EvidenceBucket');
  const table = new dynamodb.Table(stack, 'CooldownTable', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const checkBucketFunction = inlineFunction(stack, 'CheckBucketFunction');

  const describe = new tasks.CallAwsService(stack, 'Describe Database', {
    service: 'rds',
    action: 'describeDBInstances',
    parameters: { DbInstanceIdentifier: sfn.JsonPath.stringAt('$.db') },
    iamResources: ['*'],
    resultSelector: { status: sfn.JsonPath.stringAt('$.DbInstances[0].DbInstanceStatus') },
    resultPath: '$.describe',
  });
  describe.addRetry({ errors: ['Rds.RdsException'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });

  const reportMissing = new tasks.SnsPublish(stack, 'Report Missing', {
    topic,
    message: sfn.TaskInput.fromObject({
      error: sfn.JsonPath.stringAt('$.error.Error'),
      bucket: evidence.bucketName,
      table: table.tableName,
    }),
    resultPath: sfn.JsonPath.DISCARD,
  });
  describe.addCatch(
    reportMissing.next(
      new sfn.Fail(stack, 'Database Missing', { error: 'DatabaseMissing', cause: 'The database does not exist' }),
    ),
    {
      errors: ['Rds.DbInstanceNotFoundException'],
      resultPath: '$.error',
    },
  );

  const wait = new sfn.Wait(stack, 'Wait For Database', { time: sfn.WaitTime.duration(Duration.hours(1)) });

  const checkBucket = new tasks.LambdaInvoke(stack, 'Check Bucket', {
    lambdaFunction: checkBucketFunction,
    payload: sfn.TaskInput.fromObject({
      bucket: sfn.JsonPath.stringAt('$.bucket'),
      execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
      startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      enteredAt: sfn.JsonPath.stringAt('$$.State.EnteredTime'),
      token: sfn.JsonPath.stringAt('$$.Task.Token'),
    }),
    retryOnServiceExceptions: false,
    resultSelector: { result: sfn.JsonPath.objectAt('$.Payload') },
  });
  const map = new sfn.Map(stack, 'Check Each Bucket', {
    itemsPath: '$.buckets',
    itemSelector: { bucket: sfn.JsonPath.stringAt('$$.Map.Item.Value') },
    resultPath: '$.checks',
  });
  map.itemProcessor(
    checkBucket.next(
      new sfn.Wait(stack, 'Pause Between Buckets', { time: sfn.WaitTime.duration(Duration.seconds(60)) }),
    ),
  );

  const publish = new tasks.SnsPublish(stack, 'Publish Report', {
    topic,
    message: sfn.TaskInput.fromObject({
      execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
      checks: sfn.JsonPath.objectAt('$.checks'),
    }),
    resultPath: sfn.JsonPath.DISCARD,
  });

  const definition = sfn.Chain.start(describe).next(
    new sfn.Choice(stack, 'Is Available')
      .when(
        sfn.Condition.stringEquals('$.describe.status', 'available'),
        map.next(publish).next(new sfn.Succeed(stack, 'Done')),
      )
      .otherwise(wait.next(describe)),
  );
  new sfn.StateMachine(stack, 'DatabaseWorkflow', {
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    timeout: Duration.days(1),
  });
  return Template.fromStack(stack).toJSON();
}
