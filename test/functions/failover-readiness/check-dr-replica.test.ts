import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  type DBInstance,
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { checkDrReplicas } from '../../../functions/failover-readiness/check-dr-replica';
import { InvalidInputError, ThrottledError } from '../../../functions/shared/errors';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const NOW = new Date('2026-12-01T07:30:00Z');
const SOURCE = 'arn:aws:rds:us-east-1:123456789012:db:entmoot-prod';
const REPLICA = 'entmoot-prod-dr-replica';
const recoveryRds = new RDSClient({ region: 'us-west-2' });
const recoveryCloudWatch = new CloudWatchClient({ region: 'us-west-2' });
const rds = mockClient(recoveryRds);
const cloudwatch = mockClient(recoveryCloudWatch);
const deps = { recoveryRds, recoveryCloudWatch, now: () => NOW };
const rpo = plan.recoveryTargets.regionFailure.rpoMinutes;

function replica(overrides: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: REPLICA,
    DBInstanceArn: `arn:aws:rds:us-west-2:123456789012:db:${REPLICA}`,
    DBInstanceStatus: 'available',
    ReadReplicaSourceDBInstanceIdentifier: SOURCE,
    IAMDatabaseAuthenticationEnabled: true,
    ...overrides,
  };
}

/** ReplicaLag datapoints, in seconds, of the last minutes. */
function lag(...seconds: number[]) {
  cloudwatch.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      {
        Id: 'm0',
        Timestamps: seconds.map((_, i) => new Date(NOW.getTime() - (i + 1) * 60_000)),
        Values: seconds,
        StatusCode: 'Complete',
      },
    ],
  });
}

const run = () => checkDrReplicas(['entmoot-prod'], plan, deps);

beforeEach(() => {
  rds.reset();
  cloudwatch.reset();
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica()] });
  lag(30, 45);
});

describe('checkDrReplicas', () => {
  it('passes an available replica of the plan’s source with IAM authentication, lagging within half the RPO', async () => {
    const [result] = await run();

    expect(result).toEqual({
      check: 'dr-replica-promotable',
      target: REPLICA,
      status: 'PASS',
      observed: 'available, lag 0.8 min',
      threshold: `available, from entmoot-prod, lag ≤ ${rpo} min`,
      detail: `DR replica ${REPLICA} of entmoot-prod in us-west-2 is available, replicates from entmoot-prod in us-east-1 and lags at most 0.8 min, within half the region-failure RPO of ${rpo} min`,
    });
  });

  it('describes the replica by its identifier, in the recovery region only, and reads its lag there', async () => {
    await run();

    expect(rds.calls().map((c) => c.args[0].input)).toEqual([{ DBInstanceIdentifier: REPLICA }]);
    const query = cloudwatch.calls()[0]!.args[0].input as { MetricDataQueries: unknown[]; StartTime: Date };
    expect(query.MetricDataQueries).toEqual([
      {
        Id: 'm0',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/RDS',
            MetricName: 'ReplicaLag',
            Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
        ReturnData: true,
      },
    ]);
    expect(query.StartTime).toEqual(new Date(NOW.getTime() - 5 * 60_000));
    expect([await recoveryRds.config.region(), await recoveryCloudWatch.config.region()]).toEqual([
      'us-west-2',
      'us-west-2',
    ]);
  });

  it.each([
    ['exactly half the RPO', (rpo / 2) * 60, 'PASS'],
    ['a second past half the RPO', (rpo / 2) * 60 + 1, 'WARN'],
    ['exactly the RPO', rpo * 60, 'WARN'],
    ['a second past the RPO', rpo * 60 + 1, 'FAIL'],
  ])('judges a lag of %s (%i s) as %s', async (_, seconds, status) => {
    lag(seconds as number);

    const [result] = await run();

    expect(result?.status).toBe(status);
  });

  it('fails when the replica does not exist in the recovery region', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} }));

    const [result] = await run();

    expect(result).toMatchObject({ status: 'FAIL', observed: 'missing' });
    expect(result?.detail).toBe(
      `DR replica ${REPLICA} of entmoot-prod does not exist in us-west-2: there is nothing to promote; recreate it or fix databases[].drReplica in the DR plan`,
    );
  });

  it('fails a backing-up replica: it cannot be promoted', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica({ DBInstanceStatus: 'backing-up' })] });

    const [result] = await run();

    expect(result).toMatchObject({ status: 'FAIL', observed: 'backing-up, lag 0.8 min' });
    expect(result?.detail).toContain(
      'is backing-up, and only an available replica can be promoted (a backing-up replica cannot)',
    );
  });

  it('fails a replica that has already been promoted (no source)', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })] });

    const [result] = await run();

    expect(result?.status).toBe('FAIL');
    expect(result?.detail).toContain('it has already been promoted (a standalone instance)');
  });

  it.each([
    ['another database', 'arn:aws:rds:us-east-1:123456789012:db:entmoot-staging'],
    ['the same name in another region', 'arn:aws:rds:eu-west-1:123456789012:db:entmoot-prod'],
    ['the same name in another account', 'arn:aws:rds:us-east-1:210987654321:db:entmoot-prod'],
  ])('fails a replica of %s', async (_, source) => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: source })] });

    const [result] = await run();

    expect(result?.status).toBe('FAIL');
    expect(result?.detail).toContain(`replicates from ${source}, not entmoot-prod in us-east-1`);
  });

  it('fails a replica without IAM database authentication, naming how to turn it on', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [replica({ IAMDatabaseAuthenticationEnabled: false })] });

    const [result] = await run();

    expect(result?.status).toBe('FAIL');
    expect(result?.detail).toContain('has IAM database authentication off');
    expect(result?.detail).toContain('EnableIAMDatabaseAuthentication');
  });

  it('fails on a negative lag (replication stopped) and warns when no lag was published', async () => {
    lag(-1);
    expect((await run())[0]?.status).toBe('FAIL');

    lag();
    const [silent] = await run();
    expect(silent).toMatchObject({ status: 'WARN', observed: 'available' });
    expect(silent?.detail).toContain('published no ReplicaLag in the last 5 minutes');
  });

  it('names the missing permission when describing or reading metrics is denied', async () => {
    const denied = () =>
      new RDSServiceException({ name: 'AccessDenied', $fault: 'client', message: 'no', $metadata: {} });
    rds.on(DescribeDBInstancesCommand).rejects(denied());
    expect((await run())[0]?.detail).toBe(
      `cannot describe DR replica ${REPLICA}: the function's role needs rds:DescribeDBInstances on ${REPLICA} in us-west-2`,
    );

    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica()] });
    cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const [result] = await run();
    expect(result?.status).toBe('FAIL');
    expect(result?.detail).toContain(
      "its lag is unknown: the function's role needs cloudwatch:GetMetricData in us-west-2",
    );
  });

  it('throws ThrottledError when RDS keeps throttling, so the fleet fragment retries the batch', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(new RDSServiceException({ name: 'Throttling', $fault: 'client', message: 'slow', $metadata: {} }));

    await expect(run()).rejects.toBeInstanceOf(ThrottledError);
  });

  it('refuses a database without a DR replica in the plan before any call', async () => {
    await expect(checkDrReplicas(['entmoot-staging'], plan, deps)).rejects.toThrow(
      new InvalidInputError(
        'database "entmoot-staging" has no DR replica in the plan: name a database of plan.databases that has a drReplica',
      ),
    );
    expect(rds.calls()).toHaveLength(0);
    expect(cloudwatch.calls()).toHaveLength(0);
  });
});
