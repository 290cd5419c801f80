/**
 * S3 bucket configuration reads and object replication, in the service model's names (Amazon S3 API Reference):
 * - GetBucketReplication: `ReplicationConfiguration` (Role, Rules); a bucket without one answers 404
 *   `ReplicationConfigurationNotFoundError`.
 * - GetBucketVersioning: `Status` `Enabled` or `Suspended`, absent for a bucket never versioned.
 * - GetBucketLifecycleConfiguration: `Rules`; none answers 404 `NoSuchLifecycleConfiguration`.
 * - GetBucketEncryption: `ServerSideEncryptionConfiguration`; since January 2023 every bucket has at least SSE-S3
 *   (`AES256`), so the model answers that unless the test sets another.
 * - GetPublicAccessBlock: `PublicAccessBlockConfiguration`; none answers 404 `NoSuchPublicAccessBlockConfiguration`.
 * - HeadObject: `ReplicationStatus` (`PENDING`, `COMPLETED`, `FAILED`, `REPLICA`), absent when no rule applied.
 * Each call is aimed at its bucket's region, as the object calls are (301 PermanentRedirect otherwise).
 */
import { ServiceFault } from './errors';
import { type Bucket, S3Model, type S3Ctx } from './s3';

type Input = Record<string, unknown>;

/** What a test can set on a bucket. */
export interface BucketConfiguration {
  replication?: { Role: string; Rules: Record<string, unknown>[] };
  /** Overrides the versioning the bucket was created with (e.g. `Suspended`). */
  versioning?: 'Enabled' | 'Suspended';
  lifecycleRules?: Record<string, unknown>[];
  encryption?: {
    SSEAlgorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
    KMSMasterKeyID?: string;
    BucketKeyEnabled?: boolean;
  };
  publicAccessBlock?: {
    BlockPublicAcls: boolean;
    IgnorePublicAcls: boolean;
    BlockPublicPolicy: boolean;
    RestrictPublicBuckets: boolean;
  };
}

export type ReplicationStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'REPLICA';

/** S3 with bucket configuration and replication status. */
export class ConfiguredS3Model extends S3Model {
  readonly configuration = new Map<string, BucketConfiguration>();
  /** `bucket/key/versionId` → status. */
  private readonly replicationStatus = new Map<string, ReplicationStatus>();

  /** Merges `config` into the bucket's configuration. */
  configure(bucket: string, config: BucketConfiguration): void {
    if (!this.buckets.has(bucket)) throw new Error(`configure: no bucket ${bucket}`);
    this.configuration.set(bucket, { ...this.configuration.get(bucket), ...config });
  }

  /**
   * Replicates the current version of `key` to `destination` as S3 does: same key, version id, body, checksum;
   * the source version becomes `COMPLETED` (or `status`), the replica `REPLICA`. With `PENDING` or `FAILED`
   * nothing is copied.
   */
  replicate(source: string, key: string, destination: string, status: ReplicationStatus = 'COMPLETED'): void {
    const from = this.buckets.get(source);
    const to = this.buckets.get(destination);
    const versions = from?.objects.get(key);
    const current = versions?.[versions.length - 1];
    if (!from || !to || !current) throw new Error(`replicate: no s3://${source}/${key} or no bucket ${destination}`);
    this.replicationStatus.set(`${source}/${key}/${current.VersionId ?? 'null'}`, status);
    if (status !== 'COMPLETED') return;
    const copy = { ...current, Body: Buffer.from(current.Body), Metadata: { ...current.Metadata } };
    to.objects.set(key, [...(to.versioned ? (to.objects.get(key) ?? []) : []), copy]);
    this.replicationStatus.set(`${destination}/${key}/${current.VersionId ?? 'null'}`, 'REPLICA');
  }

  private config(ctx: S3Ctx, input: Input): { bucket: Bucket; config: BucketConfiguration } {
    const bucket = this.bucket(ctx, input.Bucket);
    return { bucket, config: this.configuration.get(bucket.name) ?? {} };
  }

  override HeadObject(ctx: S3Ctx, input: Input): unknown {
    const out = super.HeadObject(ctx, input) as Record<string, unknown>;
    const status = this.replicationStatus.get(
      `${String(input.Bucket)}/${String(input.Key)}/${String(out.VersionId ?? 'null')}`,
    );
    return status ? { ...out, ReplicationStatus: status } : out;
  }

  GetBucketReplication(ctx: S3Ctx, input: Input): unknown {
    const { config, bucket } = this.config(ctx, input);
    if (!config.replication) {
      throw new ServiceFault(
        'ReplicationConfigurationNotFoundError',
        `The replication configuration was not found: ${bucket.name}`,
        404,
        false,
      );
    }
    return { ReplicationConfiguration: structuredClone(config.replication) };
  }

  GetBucketVersioning(ctx: S3Ctx, input: Input): unknown {
    const { config, bucket } = this.config(ctx, input);
    const status = config.versioning ?? (bucket.versioned ? 'Enabled' : undefined);
    return status ? { Status: status } : {};
  }

  GetBucketLifecycleConfiguration(ctx: S3Ctx, input: Input): unknown {
    const { config, bucket } = this.config(ctx, input);
    if (!config.lifecycleRules) {
      throw new ServiceFault(
        'NoSuchLifecycleConfiguration',
        `The lifecycle configuration does not exist: ${bucket.name}`,
        404,
        false,
      );
    }
    return { Rules: structuredClone(config.lifecycleRules) };
  }

  GetBucketEncryption(ctx: S3Ctx, input: Input): unknown {
    const { config } = this.config(ctx, input);
    const rule = config.encryption ?? { SSEAlgorithm: 'AES256' as const };
    const { BucketKeyEnabled, ...byDefault } = rule;
    return {
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: BucketKeyEnabled ?? false }],
      },
    };
  }

  GetPublicAccessBlock(ctx: S3Ctx, input: Input): unknown {
    const { config, bucket } = this.config(ctx, input);
    if (!config.publicAccessBlock) {
      throw new ServiceFault(
        'NoSuchPublicAccessBlockConfiguration',
        `The public access block configuration was not found: ${bucket.name}`,
        404,
        false,
      );
    }
    return { PublicAccessBlockConfiguration: { ...config.publicAccessBlock } };
  }
}
