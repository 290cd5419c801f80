import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { AccountModel } from '../../support/account/model';

const E = 'us-east-1';
const W = 'us-west-2';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:entmoot-dr';

describe('AccountModel S3', () => {
  function bucketModel(): AccountModel {
    const m = new AccountModel();
    m.addBucket('entmoot-prod-backups', E, { versioned: true });
    return m;
  }

  it('returns byte ranges of an object', async () => {
    const m = bucketModel();
    m.putObject('entmoot-prod-backups', 'latest.sql', 'PGDMP0123456789');
    const out = (await m.sdkCall(E, 's3', 'GetObject', {
      Bucket: 'entmoot-prod-backups',
      Key: 'latest.sql',
      Range: 'bytes=0-4',
    })) as any;
    expect(await out.Body.transformToString()).toBe('PGDMP');
    expect(out.ContentRange).toBe('bytes 0-4/15');
    const tail = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:s3:getObject', {
      Bucket: 'entmoot-prod-backups',
      Key: 'latest.sql',
      Range: 'bytes=-3',
    })) as any;
    expect(tail.Body).toBe('789');
    await expect(
      m.sdkCall(E, 's3', 'GetObject', { Bucket: 'entmoot-prod-backups', Key: 'latest.sql', Range: 'bytes=99-' }),
    ).rejects.toMatchObject({ name: 'InvalidRange' });
  });

  it('lists keys in key order, not time order, and pages with continuation tokens', async () => {
    const m = bucketModel();
    for (const k of ['b/3', 'a/2', 'b/1', 'a/1', 'c']) m.putObject('entmoot-prod-backups', k, k);
    const first = (await m.sdkCall(E, 's3', 'ListObjectsV2', { Bucket: 'entmoot-prod-backups', MaxKeys: 2 })) as any;
    expect(first.Contents.map((o: any) => o.Key)).toEqual(['a/1', 'a/2']);
    expect(first.IsTruncated).toBe(true);
    const second = (await m.sdkCall(E, 's3', 'ListObjectsV2', {
      Bucket: 'entmoot-prod-backups',
      MaxKeys: 2,
      ContinuationToken: first.NextContinuationToken,
    })) as any;
    expect(second.Contents.map((o: any) => o.Key)).toEqual(['b/1', 'b/3']);
    const after = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:s3:listObjectsV2', {
      Bucket: 'entmoot-prod-backups',
      Prefix: 'b/',
      StartAfter: 'b/1',
    })) as any;
    expect(after.Contents.map((o: any) => o.Key)).toEqual(['b/3']);
    expect(m.callCount('s3', 'ListObjectsV2')).toBe(3);
  });

  it('keeps versions in a versioned bucket and reports checksums and attributes', async () => {
    const m = bucketModel();
    m.putObject('entmoot-prod-backups', 'k', 'one');
    await m.sfnCall(E, 'arn:aws:states:::aws-sdk:s3:putObject', {
      Bucket: 'entmoot-prod-backups',
      Key: 'k',
      Body: 'two',
      ChecksumAlgorithm: 'SHA256',
    });
    expect(m.objectVersions('entmoot-prod-backups', 'k').map((o) => o.Body.toString())).toEqual(['one', 'two']);
    const attrs = (await m.sdkCall(E, 's3', 'GetObjectAttributes', {
      Bucket: 'entmoot-prod-backups',
      Key: 'k',
      ObjectAttributes: ['ObjectSize', 'Checksum'],
    })) as any;
    expect(attrs.ObjectSize).toBe(3);
    expect(attrs.Checksum.ChecksumSHA256).toMatch(/=$/);
    await expect(
      m.sdkCall(E, 's3', 'HeadObject', { Bucket: 'entmoot-prod-backups', Key: 'missing' }),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('refuses and records a call to a bucket in another region', async () => {
    const m = new AccountModel();
    m.addBucket('entmoot-prod-files-us-west-2', W);
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:s3:listObjectsV2', { Bucket: 'entmoot-prod-files-us-west-2' }),
    ).rejects.toMatchObject({ name: 'S3.S3Exception' });
    expect(m.refusals[0].message).toContain('call in us-east-1 aimed at s3://entmoot-prod-files-us-west-2');
  });

  it('serves a real S3Client GetObject through the mocks', async () => {
    const m = bucketModel();
    m.putObject('entmoot-prod-backups', 'latest.sql', 'hello');
    const restore = m.wireSdkMocks();
    try {
      const out = await new S3Client({ region: E }).send(
        new GetObjectCommand({ Bucket: 'entmoot-prod-backups', Key: 'latest.sql' }),
      );
      expect(await out.Body!.transformToString()).toBe('hello');
    } finally {
      restore();
    }
  });
});

describe('AccountModel SNS', () => {
  it('records messages published by the optimized integration', async () => {
    const m = new AccountModel();
    m.addTopic(TOPIC);
    await m.sfnCall(E, 'arn:aws:states:::sns:publish', { TopicArn: TOPIC, Subject: 'EDR PASS', Message: 'all good' });
    expect(m.snsMessages(TOPIC)).toEqual([
      expect.objectContaining({ Subject: 'EDR PASS', Message: 'all good', via: 'sfn' }),
    ]);
  });

  it('refuses a JSON message structure without a default entry', async () => {
    const m = new AccountModel();
    m.addTopic(TOPIC);
    await expect(
      m.sfnCall(E, 'arn:aws:states:::sns:publish', {
        TopicArn: TOPIC,
        MessageStructure: 'json',
        Message: '{"email":"x"}',
      }),
    ).rejects.toMatchObject({
      name: 'SNS.InvalidParameterException',
    });
  });

  it('refuses lower-case parameter names on an optimized integration', async () => {
    const m = new AccountModel();
    m.addTopic(TOPIC);
    await expect(m.sfnCall(E, 'arn:aws:states:::sns:publish', { topicArn: TOPIC, Message: 'x' })).rejects.toMatchObject(
      { name: 'ModelRejectedCall' },
    );
  });
});

describe('AccountModel DynamoDB', () => {
  it('writes a cooldown record once and refuses the duplicate with a conditional check failure', async () => {
    const m = new AccountModel();
    m.addTable(E, 'edr-cooldown', 'pk');
    const put = {
      TableName: 'edr-cooldown',
      Item: { pk: { S: 'alarm-x' }, until: { N: '100' } },
      ConditionExpression: 'attribute_not_exists(#k) OR #u < :now',
      ExpressionAttributeNames: { '#k': 'pk', '#u': 'until' },
      ExpressionAttributeValues: { ':now': { N: '50' } },
    };
    await m.sfnCall(E, 'arn:aws:states:::dynamodb:putItem', put);
    await expect(m.sfnCall(E, 'arn:aws:states:::dynamodb:putItem', put)).rejects.toMatchObject({
      name: 'DynamoDB.ConditionalCheckFailedException',
    });
    await expect(m.sdkCall(E, 'dynamodb', 'PutItem', put)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await m.sfnCall(E, 'arn:aws:states:::dynamodb:putItem', {
      ...put,
      ExpressionAttributeValues: { ':now': { N: '150' } },
    });
    const got = (await m.sfnCall(E, 'arn:aws:states:::dynamodb:getItem', {
      TableName: 'edr-cooldown',
      Key: { pk: { S: 'alarm-x' } },
    })) as any;
    expect(got.Item.until).toEqual({ N: '100' });
  });

  it('updates with SET and deletes', async () => {
    const m = new AccountModel();
    m.addTable(E, 't', 'pk');
    const out = (await m.sdkCall(E, 'dynamodb', 'UpdateItem', {
      TableName: 't',
      Key: { pk: { S: 'a' } },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':s': { S: 'done' } },
      ReturnValues: 'ALL_NEW',
    })) as any;
    expect(out.Attributes).toEqual({ pk: { S: 'a' }, state: { S: 'done' } });
    await m.sfnCall(E, 'arn:aws:states:::dynamodb:deleteItem', { TableName: 't', Key: { pk: { S: 'a' } } });
    expect(m.tableItems(E, 't')).toEqual([]);
  });
});

describe('AccountModel CloudWatch and Step Functions', () => {
  it('disables and enables alarm actions and records metric data', async () => {
    const m = new AccountModel();
    m.addAlarm(W, { AlarmName: 'edr-failover' });
    await m.sfnCall(W, 'arn:aws:states:::aws-sdk:cloudwatch:disableAlarmActions', { AlarmNames: ['edr-failover'] });
    expect(m.alarm(W, 'edr-failover')!.ActionsEnabled).toBe(false);
    await m.sdkCall(W, 'cloudwatch', 'PutMetricData', {
      Namespace: 'EntmootDR',
      MetricData: [{ MetricName: 'Failover', Value: 1 }],
    });
    expect(m.metricData).toEqual([expect.objectContaining({ region: W, Namespace: 'EntmootDR' })]);
    const d = (await m.sfnCall(W, 'arn:aws:states:::aws-sdk:cloudwatch:describeAlarms', {
      AlarmNames: ['edr-failover'],
    })) as any;
    expect(d.MetricAlarms[0]).toMatchObject({ AlarmName: 'edr-failover', ActionsEnabled: false });
  });

  it('starts one execution per name and refuses a duplicate with different input', async () => {
    const m = new AccountModel();
    const sm = 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-pitr';
    const first = (await m.sfnCall(E, 'arn:aws:states:::states:startExecution', {
      StateMachineArn: sm,
      Name: 'EDR-20251110-3f9a',
      Input: { a: 1 },
    })) as any;
    expect(first.ExecutionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:edr-pitr:EDR-20251110-3f9a');
    await m.sfnCall(E, 'arn:aws:states:::states:startExecution', {
      StateMachineArn: sm,
      Name: 'EDR-20251110-3f9a',
      Input: { a: 1 },
    });
    await expect(
      m.sfnCall(E, 'arn:aws:states:::states:startExecution', {
        StateMachineArn: sm,
        Name: 'EDR-20251110-3f9a',
        Input: { a: 2 },
      }),
    ).rejects.toMatchObject({
      name: 'StepFunctions.ExecutionAlreadyExistsException',
    });
    await expect(
      m.sdkCall(E, 'sfn', 'StartExecution', { stateMachineArn: sm, name: 'EDR-20251110-3f9a', input: '{}' }),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(m.executions).toHaveLength(1);
    const d = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:sfn:describeExecution', {
      ExecutionArn: first.ExecutionArn,
    })) as any;
    expect(d.Status).toBe('RUNNING');
  });

  it('leaves lambda:invoke to the runner', async () => {
    const m = new AccountModel();
    await expect(m.sfnCall(E, 'arn:aws:states:::lambda:invoke', { FunctionName: 'f' })).rejects.toMatchObject({
      name: 'ModelRejectedCall',
    });
  });
});

describe('AccountModel fault injection', () => {
  it('fails only the given number of matching calls, with the name each path uses', async () => {
    const m = new AccountModel();
    m.addDbInstance(E, { id: 'db' });
    m.injectFault({
      service: 'rds',
      action: 'DescribeDBInstances',
      error: 'Throttling',
      message: 'Rate exceeded',
      times: 2,
    });
    await expect(m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', {})).rejects.toMatchObject({
      name: 'Rds.RdsException',
      message: expect.stringContaining('Rate exceeded'),
    });
    await expect(m.sdkCall(E, 'rds', 'DescribeDBInstances', {})).rejects.toMatchObject({ name: 'Throttling' });
    await expect(m.sdkCall(E, 'rds', 'DescribeDBInstances', {})).resolves.toBeDefined();
    expect(m.calls.map((c) => c.error)).toEqual(['Rds.RdsException', 'Throttling', undefined]);
  });

  it('translates a modeled error for Step Functions and limits a fault to one path', async () => {
    const m = new AccountModel();
    m.addDbInstance(E, { id: 'db' });
    m.injectFault({ via: 'sfn', action: 'deleteDBInstance', error: 'InvalidDBInstanceStateFault' });
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:deleteDBInstance', {
        DbInstanceIdentifier: 'db',
        SkipFinalSnapshot: true,
      }),
    ).rejects.toMatchObject({
      name: 'Rds.InvalidDbInstanceStateException',
    });
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:rds:deleteDBInstance', {
        DbInstanceIdentifier: 'db',
        SkipFinalSnapshot: true,
      }),
    ).rejects.toMatchObject({
      name: 'Rds.InvalidDbInstanceStateException',
    });
    await expect(
      m.sdkCall(E, 'rds', 'DeleteDBInstance', { DBInstanceIdentifier: 'db', SkipFinalSnapshot: true }),
    ).resolves.toBeDefined();
  });
});
