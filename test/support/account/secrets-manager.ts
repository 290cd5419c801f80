/**
 * Secrets Manager `DescribeSecret`, per region, in the service model's names. `GetSecretValue` is not modeled:
 * nothing of ours reads a value through the model.
 *
 * API facts (AWS Secrets Manager API Reference, `DescribeSecret`, `ReplicationStatusType`; User Guide "Finding a
 * secret from a partial ARN"):
 * - `SecretId` is the name or the ARN; a secret's ARN is `arn:aws:secretsmanager:<region>:<account>:secret:<name>-`
 *   followed by six random characters, and a partial ARN (without them) finds it too.
 * - "Secrets Manager only returns fields that have a value": `DeletedDate` only while the secret is scheduled for
 *   deletion (DescribeSecret still answers then), `VersionIdsToStages` only when a version exists (the version
 *   that `GetSecretValue` returns by default carries `AWSCURRENT`).
 * - `PrimaryRegion`: "The Region the secret is in. If a secret is replicated to other Regions, the replicas are
 *   listed in `ReplicationStatus`" (`Region`, `Status` InSync | Failed | InProgress). A replica has the primary's
 *   name and random suffix, in its own region's ARN, and names the primary's region as `PrimaryRegion`.
 * - A secret that is not in the call's region: `ResourceNotFoundException` "Secrets Manager can't find the
 *   specified secret." (an ARN of another region is recorded as a refusal too).
 * Modeled choices: `PrimaryRegion` and `ReplicationStatus` appear only for a replicated secret, and
 * `ReplicationStatus` only on the primary.
 */
import { createHash } from 'node:crypto';
import { ServiceFault } from './errors';
import type { Ctx } from './services';

type Input = Record<string, unknown>;

/** How a test seeds a secret (`AccountModel.addSecret`). */
export interface SecretSeed {
  name: string;
  /** Whether a version labelled AWSCURRENT exists; default true. */
  current?: boolean;
  /** Set: the secret is scheduled for deletion on this date. */
  deletedDate?: Date;
  /** Regions the secret is replicated to (each replica InSync). */
  replicaRegions?: string[];
  description?: string;
  kmsKeyId?: string;
  createdDate?: Date;
}

interface SecretState extends SecretSeed {
  region: string;
  suffix: string;
  versionId?: string;
}

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Six characters, as random as AWS's but stable per secret so a test can predict its ARN. */
function suffixOf(region: string, name: string): string {
  const digest = createHash('sha256').update(`${region}/${name}`).digest();
  return [...digest.subarray(0, 6)].map((b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join('');
}

function notFound(): ServiceFault {
  return new ServiceFault('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400);
}

/** Secrets Manager's secrets across regions, primaries and replicas. */
export class SecretsManagerModel {
  private readonly secrets: SecretState[] = [];

  /** Adds a secret homed in `region` and its replicas; returns the primary's ARN. */
  add(region: string, account: string, seed: SecretSeed, now: Date): string {
    const state: SecretState = {
      ...seed,
      region,
      suffix: suffixOf(region, seed.name),
      createdDate: seed.createdDate ?? now,
      versionId: (seed.current ?? true) ? createHash('md5').update(seed.name).digest('hex') : undefined,
    };
    this.secrets.push(state);
    return this.arn(state, region, account);
  }

  private arn(s: SecretState, region: string, account: string): string {
    return `arn:aws:secretsmanager:${region}:${account}:secret:${s.name}-${s.suffix}`;
  }

  /** The secret `SecretId` names, as seen in `ctx.region` (its primary or a replica there). */
  private find(ctx: Ctx, secretId: string): SecretState | undefined {
    const visibleHere = (s: SecretState): boolean =>
      s.region === ctx.region || (s.replicaRegions ?? []).includes(ctx.region);
    const arn = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/.exec(secretId);
    if (!arn) return this.secrets.find((s) => s.name === secretId && visibleHere(s));
    if (arn[1] !== ctx.region) {
      ctx.refuse(`call in ${ctx.region} aimed at ${secretId} (a secret in ${arn[1]})`);
      return undefined;
    }
    if (arn[2] !== ctx.account) return undefined;
    return this.secrets.find((s) => visibleHere(s) && (arn[3] === `${s.name}-${s.suffix}` || arn[3] === s.name));
  }

  DescribeSecret(ctx: Ctx, input: Input): unknown {
    const id = String(input.SecretId ?? '');
    if (!id) throw new ServiceFault('InvalidParameterException', 'You must provide a value for SecretId.', 400);
    const s = this.find(ctx, id);
    if (!s) throw notFound();
    const replicas = s.replicaRegions ?? [];
    const replicated = replicas.length > 0;
    const isPrimary = s.region === ctx.region;
    return {
      ARN: this.arn(s, ctx.region, ctx.account),
      Name: s.name,
      Description: s.description,
      KmsKeyId: s.kmsKeyId,
      LastChangedDate: s.createdDate,
      DeletedDate: s.deletedDate,
      VersionIdsToStages: s.versionId ? { [s.versionId]: ['AWSCURRENT'] } : undefined,
      CreatedDate: s.createdDate,
      PrimaryRegion: replicated ? s.region : undefined,
      ReplicationStatus:
        replicated && isPrimary
          ? replicas.map((r) => ({ Region: r, Status: 'InSync', StatusMessage: 'Replication succeeded' }))
          : undefined,
    };
  }
}
