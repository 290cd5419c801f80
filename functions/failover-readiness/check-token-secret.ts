/**
 * Readiness check 4: the health endpoint's bearer token, which the failover's health probe reads, is there in the
 * recovery region. `DescribeSecret` only: the value is never read.
 *
 * API facts (Secrets Manager API reference, `DescribeSecret`): `VersionIdsToStages` maps each version to its
 * staging labels, and the version labelled `AWSCURRENT` is what `GetSecretValue` returns by default; `DeletedDate`
 * is set while the secret is scheduled for deletion (then every read fails); `PrimaryRegion` names the region of
 * the primary secret when this one is a replica (a replica stays readable when its primary's region is down).
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { DrPlan } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';
import { awsErrorName, isAccessDenied, translateAwsError } from '../shared/errors';

/** What the check needs: Secrets Manager in the recovery region. */
export interface TokenSecretDeps {
  readonly recoverySecrets: Pick<SecretsManagerClient, 'send'>;
}

/** Describes `plan.health.tokenSecretName` in the recovery region; one result. */
export async function checkTokenSecret(plan: DrPlan, deps: TokenSecretDeps): Promise<CheckResult[]> {
  const name = plan.health.tokenSecretName;
  const region = plan.regions.recovery;
  const result = (status: CheckResult['status'], observed: string | null, detail: string): CheckResult[] => [
    {
      check: 'token-secret',
      target: name,
      status,
      observed,
      threshold: 'AWSCURRENT, not scheduled for deletion',
      detail,
    },
  ];
  let secret: DescribeSecretCommandOutput;
  try {
    secret = await deps.recoverySecrets.send(new DescribeSecretCommand({ SecretId: name }));
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') {
      return result(
        'FAIL',
        null,
        `secret ${name} does not exist in ${region}: replicate it there (or create it) and check health.tokenSecretName`,
      );
    }
    if (isAccessDenied(error)) {
      return result(
        'FAIL',
        null,
        `cannot describe secret ${name} in ${region}: the function's role needs secretsmanager:DescribeSecret on it`,
      );
    }
    translateAwsError(error, 'secretsmanager:DescribeSecret', `${name} in ${region}`);
  }
  if (secret.DeletedDate) {
    return result(
      'FAIL',
      'scheduled for deletion',
      `secret ${name} in ${region} is scheduled for deletion (since ${secret.DeletedDate.toISOString()}): restore it with RestoreSecret`,
    );
  }
  const current = Object.entries(secret.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'));
  if (!current) {
    return result(
      'FAIL',
      'no AWSCURRENT version',
      `secret ${name} in ${region} has no AWSCURRENT version: put a value`,
    );
  }
  const replica =
    secret.PrimaryRegion && secret.PrimaryRegion !== region
      ? `, a replica of the secret in ${secret.PrimaryRegion} (readable while that region is down)`
      : '';
  return result('PASS', 'AWSCURRENT', `secret ${name} in ${region} has a current version${replica}`);
}
