import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClient, CLIENT_RETRY } from '../../../functions/shared/clients';

describe('clients', () => {
  it('use the standard retry mode and an explicit region, once per region', async () => {
    const rds = awsClient(RDSClient, 'us-west-2');
    expect(rds).toBeInstanceOf(RDSClient);
    expect(await rds.config.region()).toBe('us-west-2');
    expect(await rds.config.retryStrategy()).toMatchObject({ mode: CLIENT_RETRY.retryMode });
    expect(await rds.config.maxAttempts()).toBe(3);
    expect(awsClient(RDSClient, 'us-west-2')).toBe(rds);
    expect(awsClient(RDSClient, 'us-east-1')).not.toBe(rds);
    expect(awsClient(S3Client, 'us-west-2')).toBeInstanceOf(S3Client);
  });
});
