import { FakeModel } from '../../support/workflow/fake-model';
import { DEFAULT_FAULTS, faultErrorName, faultSweep, taskStates } from '../../support/workflow/fault-sweep';
import { databaseWorkflowTemplate } from '../../support/workflow/harness-fixtures';
import { stateMachineDefinition } from '../../support/workflow/template';

const DESCRIBE = 'arn:aws:states:::aws-sdk:rds:describeDBInstances';
const PUBLISH = 'arn:aws:states:::sns:publish';
const { definition } = stateMachineDefinition(databaseWorkflowTemplate(), 'DatabaseWorkflow');

function setup() {
  return {
    model: new FakeModel({
      [DESCRIBE]: () => ({ DbInstances: [{ DbInstanceStatus: 'available' }] }),
      [PUBLISH]: () => ({ MessageId: 'm-1' }),
    }),
    lambdas: { CheckBucketFunction: () => ({ ok: true }) },
    input: { db: 'entmoot-prod', buckets: ['entmoot-prod-files'] },
  };
}

describe('taskStates', () => {
  it('lists every Task state, those inside a Map included, with their enclosing states', () => {
    expect(taskStates(definition).map((t) => [t.name, t.parents])).toEqual([
      ['Describe Database', []],
      ['Check Bucket', ['Check Each Bucket']],
      ['Publish Report', []],
      ['Report Missing', []],
    ]);
  });
});

describe('faultErrorName', () => {
  it('names errors as each integration reports them', () => {
    expect(faultErrorName('throttling', DESCRIBE)).toBe('Rds.RdsException');
    expect(faultErrorName('notFound', DESCRIBE)).toBe('Rds.DbInstanceNotFoundException');
    expect(faultErrorName('notFound', 'arn:aws:states:::aws-sdk:rds:describeDBSnapshots')).toBe(
      'Rds.DbSnapshotNotFoundException',
    );
    expect(faultErrorName('notFound', 'arn:aws:states:::aws-sdk:s3:headObject')).toBe('S3.NoSuchKeyException');
    expect(faultErrorName('throttling', 'arn:aws:states:::lambda:invoke')).toBe('Lambda.TooManyRequestsException');
    expect(faultErrorName('crash', 'arn:aws:states:::lambda:invoke.waitForTaskToken')).toBe('Lambda.Unknown');
    expect(faultErrorName('accessDenied', PUBLISH)).toBe('SNS.AuthorizationErrorException');
    expect(faultErrorName('throttling', 'arn:aws:states:::dynamodb:putItem')).toBe(
      'DynamoDB.ProvisionedThroughputExceededException',
    );
    expect(
      faultErrorName('throttling', 'arn:aws:states:::aws-sdk:route53recoverycluster:updateRoutingControlState'),
    ).toBe('Route53RecoveryCluster.ThrottlingException');
  });
});

describe('faultSweep', () => {
  it('runs once per Task state and fault kind, each against a fresh model', async () => {
    const runs = await faultSweep({ definition, region: 'us-east-1', setup });

    expect(runs).toHaveLength(4 * DEFAULT_FAULTS.length);
    expect(new Set(runs.map((r) => `${r.state}/${r.fault}`)).size).toBe(runs.length);
    expect(new Set(runs.map((r) => r.model)).size).toBe(runs.length);
  });

  it("reports each run's outcome: retried, caught, failed, or the fault never reached", async () => {
    const runs = await faultSweep({ definition, region: 'us-east-1', setup });
    const run = (state: string, fault: string) => runs.find((r) => r.state === state && r.fault === fault)!;

    const throttled = run('Describe Database', 'throttling');
    expect(throttled.result).toMatchObject({ status: 'FAILED', error: 'Rds.RdsException' });
    expect(throttled.result.taskCalls.filter((c) => c.state === 'Describe Database')).toHaveLength(4);
    expect(run('Describe Database', 'notFound').result.path).toEqual([
      'Describe Database',
      'Report Missing',
      'Database Missing',
    ]);
    expect(run('Check Bucket', 'crash').result).toMatchObject({ status: 'FAILED', error: 'Lambda.Unknown' });
    expect(run('Publish Report', 'timeout').result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(run('Report Missing', 'throttling').result.status).toBe('SUCCEEDED');
    expect(run('Report Missing', 'throttling').result.taskCalls.some((c) => c.state === 'Report Missing')).toBe(false);
  });

  it('takes custom faults, skipping the tasks a fault does not apply to', async () => {
    const lambdaOnly = {
      kind: 'lambda-crash',
      error: (t: { resource: string }) => (t.resource.includes(':lambda:') ? 'Lambda.Unknown' : undefined),
      times: 1,
    };

    const runs = await faultSweep({ definition, region: 'us-east-1', setup }, [lambdaOnly]);

    expect(runs.map((r) => [r.state, r.result.status])).toEqual([['Check Bucket', 'FAILED']]);
  });
});
