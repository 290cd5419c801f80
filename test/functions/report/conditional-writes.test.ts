import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { sdkStream } from '../../support/account/s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { CONDITIONAL_WRITE_ATTEMPTS, reportDeps } from '../../../functions/report/aws-deps';
import { LAMBDA_TRANSIENT_ERRORS } from '../../../statemachines/retry';

const s3 = mockClient(S3Client);
const conflict = () =>
  new S3ServiceException({
    name: 'ConditionalRequestConflict',
    $fault: 'client',
    $metadata: { httpStatusCode: 409 },
    message: 'A conflicting conditional operation is currently in progress against this resource.',
  });
const deps = () =>
  reportDeps(
    {
      s3: new S3Client({ region: 'us-east-1', maxAttempts: 1 }),
      sns: new SNSClient({ region: 'us-east-1' }),
      sfn: new SFNClient({ region: 'us-east-1' }),
    },
    'evidence',
    'arn:aws:sns:us-east-1:123456789012:t',
  );

beforeEach(() => s3.reset());

describe('conditional writes of the notification marker', () => {
  it('retry S3’s 409 ConditionalRequestConflict until the write succeeds', async () => {
    s3.on(PutObjectCommand).rejectsOnce(conflict()).resolves({});

    await deps().putObject('runs/x.notified', 'now', { ifNoneMatch: true });

    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.IfNoneMatch)).toEqual(['*', '*']);
  });

  it('report 412 PreconditionFailed when the retry finds the other write won', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(conflict())
      .rejects(
        new S3ServiceException({
          name: 'PreconditionFailed',
          $fault: 'client',
          $metadata: { httpStatusCode: 412 },
          message: 'At least one of the pre-conditions you specified did not hold',
        }),
      );

    await expect(deps().putObject('runs/x.notified', 'now', { ifNoneMatch: true })).rejects.toMatchObject({
      name: 'PreconditionFailed',
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('give up after a bounded number of conflicts', async () => {
    s3.on(PutObjectCommand).rejects(conflict());

    await expect(deps().putObject('runs/x.notified', 'now', { ifNoneMatch: true })).rejects.toMatchObject({
      name: 'ConditionalRequestConflict',
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(CONDITIONAL_WRITE_ATTEMPTS);
  });

  it('are not retried when the write is unconditional', async () => {
    s3.on(PutObjectCommand).rejects(conflict());

    await expect(deps().putObject('runs/x.json', '{}')).rejects.toMatchObject({ name: 'ConditionalRequestConflict' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});

describe('the compare-and-swap of the last status', () => {
  it('reads the object with its ETag, and none when S3 answers NoSuchKey', async () => {
    s3.on(GetObjectCommand, { Key: 'state/a/last-status.json' }).resolves({
      Body: sdkStream(Buffer.from('{"x":1}')) as never,
      ETag: '"abc"',
    });
    s3.on(GetObjectCommand, { Key: 'state/b/last-status.json' }).rejects(
      new S3ServiceException({
        name: 'NoSuchKey',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'no',
      }),
    );

    await expect(deps().getObjectVersion('state/a/last-status.json')).resolves.toEqual({
      body: '{"x":1}',
      etag: '"abc"',
    });
    await expect(deps().getObjectVersion('state/b/last-status.json')).resolves.toBeUndefined();
  });

  it('writes with If-Match and leaves a 409 to the swap, which reads again', async () => {
    s3.on(PutObjectCommand).rejects(conflict());

    await expect(deps().putObject('state/a/last-status.json', '{}', { ifMatch: '"abc"' })).rejects.toMatchObject({
      name: 'ConditionalRequestConflict',
    });
    expect(
      s3.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.IfMatch, c.args[0].input.IfNoneMatch]),
    ).toEqual([['"abc"', undefined]]);
  });
});

describe('the Lambda retry list', () => {
  it('retries Lambda.ClientExecutionTimeoutException', () => {
    expect(LAMBDA_TRANSIENT_ERRORS).toContain('Lambda.ClientExecutionTimeoutException');
  });
});
