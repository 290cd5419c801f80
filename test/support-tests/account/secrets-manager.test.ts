import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { checkTokenSecret } from '../../../functions/failover-readiness/check-token-secret';
import { AccountModel } from '../../support/account/model';
import { configuredPlan } from '../../support/plans';

const E = 'us-east-1';
const W = 'us-west-2';
const NOW = new Date('2025-11-10T12:00:00Z');
const SUFFIXED = /^arn:aws:secretsmanager:us-west-2:123456789012:secret:entmoot\/health-token-[A-Za-z0-9]{6}$/;

let restore: () => void = () => undefined;
afterEach(() => restore());

function setup() {
  const model = new AccountModel({ now: NOW });
  restore = model.wireSdkMocks();
  return {
    model,
    east: new SecretsManagerClient({ region: E, maxAttempts: 1 }),
    west: new SecretsManagerClient({ region: W, maxAttempts: 1 }),
  };
}

describe('the account model’s Secrets Manager DescribeSecret', () => {
  it('describes a secret by name with its suffixed ARN and an AWSCURRENT version, and no replication fields', async () => {
    const { model, west } = setup();
    const arn = model.addSecret(W, { name: 'entmoot/health-token' });

    const out = await west.send(new DescribeSecretCommand({ SecretId: 'entmoot/health-token' }));

    expect(arn).toMatch(SUFFIXED);
    expect(out.ARN).toBe(arn);
    expect(out.Name).toBe('entmoot/health-token');
    expect(Object.values(out.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
    expect(out.CreatedDate).toEqual(NOW);
    expect(out.DeletedDate).toBeUndefined();
    expect(out.PrimaryRegion).toBeUndefined();
    expect(out.ReplicationStatus).toBeUndefined();
  });

  it('finds the secret by its full ARN and by the partial ARN without the random suffix', async () => {
    const { model, west } = setup();
    const arn = model.addSecret(W, { name: 'entmoot/health-token' });

    const full = await west.send(new DescribeSecretCommand({ SecretId: arn }));
    const partial = await west.send(new DescribeSecretCommand({ SecretId: arn.slice(0, -'-abcdef'.length) }));

    expect(full.ARN).toBe(arn);
    expect(partial.ARN).toBe(arn);
  });

  it('returns DeletedDate for a secret scheduled for deletion, and no versions for one without a value', async () => {
    const { model, west } = setup();
    const deleted = new Date('2025-11-17T12:00:00Z');
    model.addSecret(W, { name: 'scheduled', deletedDate: deleted });
    model.addSecret(W, { name: 'empty', current: false });

    const scheduled = await west.send(new DescribeSecretCommand({ SecretId: 'scheduled' }));
    const empty = await west.send(new DescribeSecretCommand({ SecretId: 'empty' }));

    expect(scheduled.DeletedDate).toEqual(deleted);
    expect(empty.VersionIdsToStages).toBeUndefined();
    expect(empty.DeletedDate).toBeUndefined();
  });

  it('shows a replica of a us-east-1 secret in us-west-2 with the primary’s region, and the replicas on the primary', async () => {
    const { model, east, west } = setup();
    const primaryArn = model.addSecret(E, { name: 'entmoot/health-token', replicaRegions: [W] });

    const replica = await west.send(new DescribeSecretCommand({ SecretId: 'entmoot/health-token' }));
    const primary = await east.send(new DescribeSecretCommand({ SecretId: primaryArn }));

    expect(replica.ARN).toBe(primaryArn.replace(`:${E}:`, `:${W}:`));
    expect(replica.PrimaryRegion).toBe(E);
    expect(replica.ReplicationStatus).toBeUndefined();
    expect(Object.values(replica.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
    expect(primary.PrimaryRegion).toBe(E);
    expect(primary.ReplicationStatus).toEqual([
      { Region: W, Status: 'InSync', StatusMessage: 'Replication succeeded' },
    ]);
  });

  it('fails ResourceNotFoundException for a secret that is only in the other region, and records an ARN aimed there', async () => {
    const { model, west } = setup();
    const arn = model.addSecret(E, { name: 'entmoot/health-token' });

    const byName = await west.send(new DescribeSecretCommand({ SecretId: 'entmoot/health-token' })).catch((e) => e);
    const byArn = await west.send(new DescribeSecretCommand({ SecretId: arn })).catch((e) => e);

    expect(byName).toBeInstanceOf(ResourceNotFoundException);
    expect(byName.message).toBe("Secrets Manager can't find the specified secret.");
    expect(byArn).toBeInstanceOf(ResourceNotFoundException);
    expect(model.refusals).toEqual([
      expect.objectContaining({ region: W, service: 'secretsmanager', action: 'DescribeSecret' }),
    ]);
    expect(model.calls.map((c) => [c.region, c.error])).toEqual([
      [W, 'ResourceNotFoundException'],
      [W, 'ResourceNotFoundException'],
    ]);
  });

  it('answers a Step Functions SDK integration in the Java SDK’s names, and fails it SecretsManager.ResourceNotFoundException', async () => {
    const { model } = setup();
    const arn = model.addSecret(W, { name: 'entmoot/health-token' });

    const out = (await model.sfnCall(W, 'arn:aws:states:::aws-sdk:secretsmanager:describeSecret', {
      SecretId: 'entmoot/health-token',
    })) as Record<string, unknown>;
    const missing = await model
      .sfnCall(W, 'arn:aws:states:::aws-sdk:secretsmanager:describeSecret', { SecretId: 'missing' })
      .catch((e: Error) => e);

    expect(out).toMatchObject({ Arn: arn, Name: 'entmoot/health-token', CreatedDate: NOW.toISOString() });
    expect(missing).toMatchObject({ name: 'SecretsManager.ResourceNotFoundException' });
  });

  it('fails ResourceNotFoundException for a secret nobody created', async () => {
    const { west } = setup();

    await expect(west.send(new DescribeSecretCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('answers the readiness token-secret check as AWS would: a replica passes, a deleted or primary-only secret fails', async () => {
    const plan = configuredPlan();
    const name = plan.health.tokenSecretName;
    const verdict = async (seed: (m: AccountModel) => void) => {
      const { model, west } = setup();
      seed(model);
      const [result] = await checkTokenSecret(plan, { recoverySecrets: west });
      restore();
      return [result.status, result.observed];
    };

    // One model wired at a time: wireSdkMocks replaces the client class's send.
    const verdicts = [
      await verdict((m) => m.addSecret(E, { name, replicaRegions: [W] })),
      await verdict((m) => m.addSecret(W, { name, deletedDate: new Date('2025-11-17T00:00:00Z') })),
      await verdict((m) => m.addSecret(E, { name })),
    ];

    expect(verdicts).toEqual([
      ['PASS', 'AWSCURRENT'],
      ['FAIL', 'scheduled for deletion'],
      ['FAIL', null],
    ]);
  });
});
