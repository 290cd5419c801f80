import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DrPlan } from './plan';

export interface EvidenceStoreProps {
  /** The plan's evidence settings: retention and Object Lock. */
  readonly evidence: DrPlan['evidence'];
}

/**
 * The stack's evidence bucket: every run's record, versioned, encrypted, TLS-only, expiring after the plan's
 * retention (Object Lock in governance mode for that long when the plan asks), with server access logs.
 */
export class EvidenceStore extends Construct {
  /** Where run evidence is written. */
  public readonly bucket: s3.Bucket;
  /** Server access logs of the evidence bucket. */
  public readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps) {
    super(scope, id);
    const retention = Duration.days(props.evidence.retentionDays);

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: retention }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the evidence bucket; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      lifecycleRules: [{ expiration: retention, noncurrentVersionExpiration: retention }],
      objectLockEnabled: props.evidence.objectLock || undefined,
      objectLockDefaultRetention: props.evidence.objectLock ? s3.ObjectLockRetention.governance(retention) : undefined,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
