/**
 * The weekly backup verification's one Lambda step: runs the checks for one target of the plan — a
 * database (snapshot age, recovery point), a backups bucket (age, count, size) or a dump (integrity) — and
 * returns their results. The workflow fans out over every target with bounded concurrency.
 */
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DrPlan } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';
import { InvalidInputError } from '../shared/errors';
import { checkBackupObjects } from './check-backup-objects';
import { checkDumpIntegrity } from './check-integrity';
import { checkSnapshotAge } from './check-snapshot-age';

import type { VerificationTarget } from './targets';

export { verificationTargets, type VerificationTarget } from './targets';

export interface CheckTargetDeps {
  readonly primaryRds: Pick<RDSClient, 'send'>;
  readonly recoveryRds: Pick<RDSClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
  readonly now: () => Date;
}

/** Runs the checks of one target; a target the plan does not name is refused before any AWS call. */
export async function checkTarget(
  target: VerificationTarget,
  plan: DrPlan,
  deps: CheckTargetDeps,
): Promise<CheckResult[]> {
  switch (target?.kind) {
    case 'database': {
      const db = plan.databases.find((d) => d.id === target.id);
      if (!db)
        throw new InvalidInputError(
          `id "${String(target.id)}" is not a database of the plan: use one of ${plan.databases.map((d) => d.id).join(', ')}`,
        );
      return checkSnapshotAge(db, plan, deps);
    }
    case 'backups': {
      const bucket = plan.buckets.find((b) => b.name === target.bucket && b.role === 'backups');
      if (!bucket)
        throw new InvalidInputError(
          `bucket "${String(target.bucket)}" is not a backups bucket of the plan: add it to plan.buckets with role "backups"`,
        );
      return checkBackupObjects(bucket, plan, deps);
    }
    case 'dump': {
      if (
        !plan.buckets.some((b) => b.name === target.bucket && b.role === 'backups') ||
        typeof target.key !== 'string' ||
        target.key.length === 0
      ) {
        throw new InvalidInputError(
          `dump s3://${String(target.bucket)}/${String(target.key)} is not in a backups bucket of the plan: name a bucket with role "backups" and a key`,
        );
      }
      return checkDumpIntegrity({ bucket: target.bucket, key: target.key }, plan, deps);
    }
    default:
      throw new InvalidInputError(
        `kind must be database, backups or dump (got ${JSON.stringify((target as { kind?: unknown })?.kind)})`,
      );
  }
}
