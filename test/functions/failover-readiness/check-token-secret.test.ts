import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { checkTokenSecret } from '../../../functions/failover-readiness/check-token-secret';
import { ThrottledError } from '../../../functions/shared/errors';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const recoverySecrets = new SecretsManagerClient({ region: 'us-west-2' });
const secrets = mockClient(recoverySecrets);
const NAME = plan.health.tokenSecretName;

beforeEach(() => secrets.reset());

describe('checkTokenSecret', () => {
  it('passes for a secret with an AWSCURRENT version, describing it without reading its value', async () => {
    secrets
      .on(DescribeSecretCommand)
      .resolves({ Name: NAME, VersionIdsToStages: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] } });

    const [result] = await checkTokenSecret(plan, { recoverySecrets });

    expect(result).toEqual({
      check: 'token-secret',
      target: NAME,
      status: 'PASS',
      observed: 'AWSCURRENT',
      threshold: 'AWSCURRENT, not scheduled for deletion',
      detail: `secret ${NAME} in us-west-2 has a current version`,
    });
    expect(secrets.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
      ['DescribeSecretCommand', { SecretId: NAME }],
    ]);
  });

  it('passes for a replica of a us-east-1 secret and says it stays readable', async () => {
    secrets
      .on(DescribeSecretCommand)
      .resolves({ VersionIdsToStages: { v2: ['AWSCURRENT'] }, PrimaryRegion: 'us-east-1' });

    const [result] = await checkTokenSecret(plan, { recoverySecrets });

    expect(result?.detail).toBe(
      `secret ${NAME} in us-west-2 has a current version, a replica of the secret in us-east-1 (readable while that region is down)`,
    );
  });

  it('fails when the secret does not exist in the recovery region', async () => {
    secrets.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ message: 'nope', $metadata: {} }));

    const [result] = await checkTokenSecret(plan, { recoverySecrets });

    expect(result).toMatchObject({ status: 'FAIL', observed: null });
    expect(result?.detail).toMatch(/^secret entmoot\/token does not exist in us-west-2: replicate it there/);
  });

  it('fails when the secret is scheduled for deletion', async () => {
    secrets.on(DescribeSecretCommand).resolves({
      VersionIdsToStages: { v2: ['AWSCURRENT'] },
      DeletedDate: new Date('2025-11-09T00:00:00Z'),
    });

    const [result] = await checkTokenSecret(plan, { recoverySecrets });

    expect(result).toMatchObject({ status: 'FAIL', observed: 'scheduled for deletion' });
  });

  it('fails when no version is AWSCURRENT', async () => {
    secrets.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ['AWSPENDING'] } });

    const [result] = await checkTokenSecret(plan, { recoverySecrets });

    expect(result).toMatchObject({ status: 'FAIL', observed: 'no AWSCURRENT version' });
  });

  it('throws ThrottledError when DescribeSecret stays throttled, for the workflow to retry', async () => {
    secrets.on(DescribeSecretCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    await expect(checkTokenSecret(plan, { recoverySecrets })).rejects.toThrow(ThrottledError);
  });

  it('fails naming the permission when DescribeSecret is denied', async () => {
    secrets.on(DescribeSecretCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    const [result] = await checkTokenSecret(plan, { recoverySecrets });

    expect(result?.detail).toBe(
      `cannot describe secret ${NAME} in us-west-2: the function's role needs secretsmanager:DescribeSecret on it`,
    );
  });
});
