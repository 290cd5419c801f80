import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';

/** Retry settings of every client: the SDK's standard mode (token bucket, jittered backoff), three attempts. */
export const CLIENT_RETRY = { retryMode: 'standard', maxAttempts: 3 } as const;

function homeRegion(): string {
  const region = process.env.AWS_REGION;
  if (!region) throw new Error('AWS_REGION is not set: Lambda sets it; set it when running locally');
  return region;
}

const cache = new Map<string, unknown>();

function once<T>(key: string, create: () => T): T {
  if (!cache.has(key)) cache.set(key, create());
  return cache.get(key) as T;
}

/** Clients, created once per region and reused across invocations. */
export const clients = {
  rds: (region = homeRegion()) => once(`rds:${region}`, () => new RDSClient({ region, ...CLIENT_RETRY })),
  s3: (region = homeRegion()) => once(`s3:${region}`, () => new S3Client({ region, ...CLIENT_RETRY })),
  sns: (region = homeRegion()) => once(`sns:${region}`, () => new SNSClient({ region, ...CLIENT_RETRY })),
  sfn: (region = homeRegion()) => once(`sfn:${region}`, () => new SFNClient({ region, ...CLIENT_RETRY })),
  cloudwatch: (region = homeRegion()) => once(`cloudwatch:${region}`, () => new CloudWatchClient({ region, ...CLIENT_RETRY })),
  dynamodb: (region = homeRegion()) => once(`dynamodb:${region}`, () => new DynamoDBClient({ region, ...CLIENT_RETRY })),
};
