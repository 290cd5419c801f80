/** How the account model routes a call: the services and clients it serves, the calls it records, the faults it injects. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { ServiceName } from './schema';

export interface CallRecord {
  via: 'sfn' | 'sdk';
  region: string;
  service: string;
  action: string;
  params: unknown;
  error?: string;
  at: Date;
  /** The client's custom endpoint URL (ARC cluster endpoints), when it has one. */
  endpoint?: string;
}

export interface Refusal {
  via: 'sfn' | 'sdk';
  region: string;
  service: string;
  action: string;
  message: string;
}

export interface FaultSpec {
  service?: string;
  action?: string;
  via?: 'sfn' | 'sdk';
  /**
   * The error's name. A JS SDK name (`DBInstanceNotFoundFault`, `Throttling`) is thrown as is to Lambdas
   * and translated for Step Functions (`Rds.DbInstanceNotFoundException`, `Rds.RdsException`); a name with
   * a dot (`Rds.RdsException`, `States.Timeout`) is thrown as is on either path.
   */
  error: string;
  message?: string;
  /** How many matching calls fail; default: all of them. */
  times?: number;
}

export interface Fault extends FaultSpec {
  remaining: number;
}

export const SDK_CLIENTS: Record<ServiceName, unknown> = {
  rds: RDSClient,
  s3: S3Client,
  s3control: S3ControlClient,
  sns: SNSClient,
  cloudwatch: CloudWatchClient,
  dynamodb: DynamoDBClient,
  sfn: SFNClient,
  ecs: ECSClient,
  secretsmanager: SecretsManagerClient,
  route53recoverycluster: Route53RecoveryClusterClient,
};

export const SERVICE_ALIASES: Record<string, ServiceName> = {
  rds: 'rds',
  s3: 's3',
  s3control: 's3control',
  sns: 'sns',
  cloudwatch: 'cloudwatch',
  dynamodb: 'dynamodb',
  sfn: 'sfn',
  states: 'sfn',
  stepfunctions: 'sfn',
  ecs: 'ecs',
  secretsmanager: 'secretsmanager',
  route53recoverycluster: 'route53recoverycluster',
  'route53-recovery-cluster': 'route53recoverycluster',
};

export const OPTIMIZED: Record<string, { service: ServiceName; op: string }> = {
  'sns:publish': { service: 'sns', op: 'Publish' },
  'dynamodb:putItem': { service: 'dynamodb', op: 'PutItem' },
  'dynamodb:getItem': { service: 'dynamodb', op: 'GetItem' },
  'dynamodb:updateItem': { service: 'dynamodb', op: 'UpdateItem' },
  'dynamodb:deleteItem': { service: 'dynamodb', op: 'DeleteItem' },
  'states:startExecution': { service: 'sfn', op: 'StartExecution' },
  'ecs:runTask': { service: 'ecs', op: 'RunTask' },
};
