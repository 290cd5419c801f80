import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetRoutingControlStateCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { arcClient, getRoutingControlState } from '../../../functions/shared/arc-routing-control';
import { AccountModel } from '../../support/account/model';

const E = 'us-east-1';
const W = 'us-west-2';
const CONTROL =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef/routingcontrol/aaaa1111bbbb2222';
const ENDPOINTS = [
  { region: E, url: 'https://a1b2c3d4.route53-recovery-cluster.us-east-1.amazonaws.com/v1' },
  { region: W, url: 'https://e5f6a7b8.route53-recovery-cluster.us-west-2.amazonaws.com/v1' },
];

let restore: () => void = () => undefined;
afterEach(() => restore());

function setup() {
  const model = new AccountModel();
  for (const r of [E, W]) {
    model.addDbInstance(r, { id: `db-${r}` });
    model.addAlarm(r, { AlarmName: `alarm-${r}` });
  }
  model.addSecret(E, { name: 'token', replicaRegions: [W] });
  model.addArcCluster(ENDPOINTS);
  model.addRoutingControl(CONTROL, 'On');
  restore = model.wireSdkMocks();
  return model;
}

/** One call of each kind a readiness run makes, from clients of `region` (standard retry mode, 3 attempts). */
function callsIn(region: string): Array<Promise<unknown>> {
  return [
    new RDSClient({ region }).send(new DescribeDBInstancesCommand({})),
    new CloudWatchClient({ region }).send(new DescribeAlarmsCommand({})),
    new SecretsManagerClient({ region }).send(new DescribeSecretCommand({ SecretId: 'token' })),
    arcClient(ENDPOINTS.find((e) => e.region === region)!).send(
      new GetRoutingControlStateCommand({ RoutingControlArn: CONTROL }),
    ),
  ];
}

describe('the account model’s unreachable region', () => {
  it('fails every SDK call of a client in the unreachable region as a connect timeout after all its attempts', async () => {
    const model = setup();
    model.setRegionReachable(E, false);

    const outcomes = await Promise.allSettled(callsIn(E));

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    const [rds, , , arc] = outcomes.map((o) => (o as PromiseRejectedResult).reason);
    expect(rds).toMatchObject({
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      syscall: 'connect',
      message: expect.stringMatching(/^connect ETIMEDOUT \S+:443$/),
      $metadata: { attempts: 3 },
    });
    // The ARC client sets a connection timeout: the handler's own TimeoutError, after its one attempt.
    expect(arc).toMatchObject({
      name: 'TimeoutError',
      message: expect.stringContaining(
        'did not establish a connection with the server within the configured timeout of 2000 ms',
      ),
      $metadata: { attempts: 1 },
    });
    expect(model.calls.map((c) => [c.region, c.service, c.error]).sort()).toEqual([
      [E, 'cloudwatch', 'TimeoutError'],
      [E, 'rds', 'TimeoutError'],
      [E, 'route53recoverycluster', 'TimeoutError'],
      [E, 'secretsmanager', 'TimeoutError'],
    ]);
  });

  it('answers every call of the other region while one is unreachable, and the first again once it is back', async () => {
    const model = setup();
    model.setRegionReachable(E, false);

    const west = await Promise.allSettled(callsIn(W));
    model.setRegionReachable(E, true);
    const eastAgain = await Promise.allSettled(callsIn(E));

    expect(west.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(eastAgain.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  });

  it('lets the shared ARC reader move past the unreachable region’s endpoint to the next', async () => {
    const model = setup();
    model.setRegionReachable(E, false);

    const reading = await getRoutingControlState(CONTROL, ENDPOINTS, arcClient);

    expect(reading).toMatchObject({ ok: true, value: 'On', answeredBy: ENDPOINTS[1] });
    expect(reading.unanswered.map((u) => u.endpoint.region)).toEqual([E]);
    expect(model.calls.map((c) => [c.region, c.endpoint, c.error])).toEqual([
      [E, ENDPOINTS[0].url, 'TimeoutError'],
      [W, ENDPOINTS[1].url, undefined],
    ]);
  });

  it('fails a Step Functions integration call in the unreachable region with States.TaskFailed, and none in the other', async () => {
    const model = setup();
    model.setRegionReachable(E, false);

    const east = await model
      .sfnCall(E, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', { DbInstanceIdentifier: `db-${E}` })
      .catch((e: Error) => e);
    const west = (await model.sfnCall(W, 'arn:aws:states:::aws-sdk:rds:describeDBInstances', {
      DbInstanceIdentifier: `db-${W}`,
    })) as { DbInstances: Array<{ DbInstanceIdentifier: string }> };

    expect(east).toMatchObject({
      name: 'States.TaskFailed',
      message: 'Unable to execute HTTP request: Connect to rds.us-east-1.amazonaws.com:443 failed: connect timed out',
    });
    expect(west.DbInstances.map((d) => d.DbInstanceIdentifier)).toEqual([`db-${W}`]);
    expect(model.calls.map((c) => [c.via, c.region, c.error])).toEqual([
      ['sfn', E, 'States.TaskFailed'],
      ['sfn', W, undefined],
    ]);
  });

  it('refuses a region the model does not have', () => {
    const model = setup();

    expect(() => model.setRegionReachable('eu-central-1', false)).toThrow(/region eu-central-1 is not in this model/);
  });
});
