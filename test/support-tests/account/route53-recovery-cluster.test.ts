import {
  EndpointTemporarilyUnavailableException,
  GetRoutingControlStateCommand,
  InternalServerException,
  ResourceNotFoundException,
  Route53RecoveryClusterClient,
  ThrottlingException,
  UpdateRoutingControlStateCommand,
  UpdateRoutingControlStatesCommand,
  ValidationException,
} from '@aws-sdk/client-route53-recovery-cluster';
import { arcClient, getRoutingControlState } from '../../../functions/shared/arc-routing-control';
import { AccountModel } from '../../support/account/model';
import type { EndpointHealth } from '../../support/account/route53-recovery-cluster';

const PANEL = 'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef';
const PRIMARY = `${PANEL}/routingcontrol/aaaa1111bbbb2222`;
const RECOVERY = `${PANEL}/routingcontrol/cccc3333dddd4444`;
const ENDPOINTS = [
  { region: 'us-east-1', url: 'https://a1b2c3d4.route53-recovery-cluster.us-east-1.amazonaws.com/v1' },
  { region: 'us-west-2', url: 'https://e5f6a7b8.route53-recovery-cluster.us-west-2.amazonaws.com/v1' },
  { region: 'eu-west-1', url: 'https://c9d0e1f2.route53-recovery-cluster.eu-west-1.amazonaws.com/v1' },
];

let restore: () => void = () => undefined;
afterEach(() => restore());

function setup() {
  const model = new AccountModel();
  model.addArcCluster(ENDPOINTS);
  model.addRoutingControl(PRIMARY, 'On', 'primary');
  model.addRoutingControl(RECOVERY, 'Off', 'recovery');
  restore = model.wireSdkMocks();
  return model;
}

/** What `send` gives back: the output, or the error. */
function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => v,
    (e: unknown) => e,
  );
}

describe('the account model’s ARC cluster', () => {
  it('answers GetRoutingControlState at each endpoint signed for its region, and records the endpoint called', async () => {
    const model = setup();

    const answers = await Promise.all(
      ENDPOINTS.map((e) => arcClient(e).send(new GetRoutingControlStateCommand({ RoutingControlArn: PRIMARY }))),
    );

    expect(answers.map((a) => [a.RoutingControlArn, a.RoutingControlState, a.RoutingControlName])).toEqual([
      [PRIMARY, 'On', 'primary'],
      [PRIMARY, 'On', 'primary'],
      [PRIMARY, 'On', 'primary'],
    ]);
    expect(model.calls.map((c) => [c.region, c.service, c.action, c.endpoint, c.error])).toEqual(
      ENDPOINTS.map((e) => [e.region, 'route53recoverycluster', 'GetRoutingControlState', e.url, undefined]),
    );
    expect(model.refusals).toEqual([]);
  });

  it.each<[EndpointHealth, string, unknown]>([
    ['unavailable', 'EndpointTemporarilyUnavailableException', EndpointTemporarilyUnavailableException],
    ['internalError', 'InternalServerException', InternalServerException],
    ['throttling', 'ThrottlingException', ThrottlingException],
  ])('fails each call at an endpoint set %s with %s, the SDK’s own class', async (health, name, Cls) => {
    const model = setup();
    model.setEndpointHealth(ENDPOINTS[0].url, health);

    const error = await outcome(
      arcClient(ENDPOINTS[0]).send(new GetRoutingControlStateCommand({ RoutingControlArn: PRIMARY })),
    );

    expect(error).toBeInstanceOf(Cls as new () => Error);
    expect(error).toMatchObject({ name });
    expect(model.calls.map((c) => c.error)).toEqual([name]);
  });

  it('fails a call at a silent endpoint as the request timeout does with throwOnRequestTimeout', async () => {
    const model = setup();
    model.setEndpointHealth(ENDPOINTS[0].url, 'silent');

    const error = await outcome(
      arcClient(ENDPOINTS[0]).send(new GetRoutingControlStateCommand({ RoutingControlArn: PRIMARY })),
    );

    expect(error).toMatchObject({
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      message: '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 3000 ms requestTimeout.',
      $metadata: { attempts: 1 },
    });
    expect(model.calls.map((c) => c.error)).toEqual(['TimeoutError']);
  });

  it('refuses a silent endpoint to a client with no request timeout: the call would never end', async () => {
    const model = setup();
    model.setEndpointHealth(ENDPOINTS[0].url, 'silent');
    const client = new Route53RecoveryClusterClient({ region: ENDPOINTS[0].region, endpoint: ENDPOINTS[0].url });

    await expect(client.send(new GetRoutingControlStateCommand({ RoutingControlArn: PRIMARY }))).rejects.toMatchObject({
      name: 'ModelRejectedCall',
    });
  });

  it('lets the shared reader move past a silent and an unavailable endpoint to the one that answers', async () => {
    const model = setup();
    model.setEndpointHealth(ENDPOINTS[0].url, 'silent');
    model.setEndpointHealth(ENDPOINTS[1].url, 'unavailable');

    const reading = await getRoutingControlState(RECOVERY, ENDPOINTS, arcClient);

    expect(reading).toMatchObject({ ok: true, value: 'Off', answeredBy: ENDPOINTS[2] });
    expect(reading.unanswered.map((u) => [u.endpoint.region, u.error.split(':')[0]])).toEqual([
      ['us-east-1', 'TimeoutError'],
      ['us-west-2', 'EndpointTemporarilyUnavailableException'],
    ]);
  });

  it('refuses and records a call signed for another region than its endpoint’s, as SigV4 does', async () => {
    const model = setup();
    const client = new Route53RecoveryClusterClient({
      region: 'us-west-2',
      endpoint: ENDPOINTS[0].url,
      maxAttempts: 1,
    });

    const error = await outcome(client.send(new GetRoutingControlStateCommand({ RoutingControlArn: PRIMARY })));

    expect(error).toMatchObject({
      name: 'InvalidSignatureException',
      message: "Credential should be scoped to a valid region, not 'us-west-2'. ",
      $metadata: { httpStatusCode: 403 },
    });
    expect(model.refusals).toEqual([
      expect.objectContaining({
        region: 'us-west-2',
        service: 'route53recoverycluster',
        action: 'GetRoutingControlState',
      }),
    ]);
    expect(model.refusals[0].message).toContain(ENDPOINTS[0].url);
  });

  it('refuses and records a call to no cluster endpoint: without an endpoint, or to another URL', async () => {
    const model = setup();
    const noEndpoint = new Route53RecoveryClusterClient({ region: 'us-west-2', maxAttempts: 1 });
    const elsewhere = arcClient({
      region: 'us-west-2',
      url: 'https://ffff0000.route53-recovery-cluster.us-west-2.amazonaws.com/v1',
    });

    const errors = await Promise.all(
      [noEndpoint, elsewhere].map((c) =>
        outcome(c.send(new GetRoutingControlStateCommand({ RoutingControlArn: PRIMARY }))),
      ),
    );

    expect(errors).toEqual([
      expect.objectContaining({ code: 'ENOTFOUND', hostname: 'route53-recovery-cluster.us-west-2.amazonaws.com' }),
      expect.objectContaining({
        code: 'ENOTFOUND',
        hostname: 'ffff0000.route53-recovery-cluster.us-west-2.amazonaws.com',
      }),
    ]);
    expect(model.refusals).toHaveLength(2);
  });

  it('fails ResourceNotFoundException for a routing control the cluster does not have, ValidationException for a malformed ARN', async () => {
    setup();
    const client = arcClient(ENDPOINTS[1]);
    const unknown = `${PANEL}/routingcontrol/ffffffffffffffff`;

    const missing = await outcome(client.send(new GetRoutingControlStateCommand({ RoutingControlArn: unknown })));
    const malformed = await outcome(
      client.send(new GetRoutingControlStateCommand({ RoutingControlArn: 'not an arn' })),
    );

    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing).toMatchObject({ resourceId: unknown, resourceType: 'RoutingControl' });
    expect(malformed).toBeInstanceOf(ValidationException);
  });

  it('updates one state, then another endpoint reads the new state', async () => {
    const model = setup();

    await arcClient(ENDPOINTS[1]).send(
      new UpdateRoutingControlStateCommand({ RoutingControlArn: RECOVERY, RoutingControlState: 'On' }),
    );
    const read = await arcClient(ENDPOINTS[2]).send(new GetRoutingControlStateCommand({ RoutingControlArn: RECOVERY }));

    expect(read.RoutingControlState).toBe('On');
    expect(model.routingControlState(RECOVERY)).toBe('On');
  });

  it('updates several states in one UpdateRoutingControlStates call', async () => {
    const model = setup();

    await arcClient(ENDPOINTS[1]).send(
      new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: [
          { RoutingControlArn: PRIMARY, RoutingControlState: 'Off' },
          { RoutingControlArn: RECOVERY, RoutingControlState: 'On' },
        ],
      }),
    );

    expect([model.routingControlState(PRIMARY), model.routingControlState(RECOVERY)]).toEqual(['Off', 'On']);
  });

  it('changes nothing when one entry of UpdateRoutingControlStates names an unknown routing control', async () => {
    const model = setup();

    const error = await outcome(
      arcClient(ENDPOINTS[1]).send(
        new UpdateRoutingControlStatesCommand({
          UpdateRoutingControlStateEntries: [
            { RoutingControlArn: PRIMARY, RoutingControlState: 'Off' },
            { RoutingControlArn: `${PANEL}/routingcontrol/ffffffffffffffff`, RoutingControlState: 'On' },
          ],
        }),
      ),
    );

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(model.routingControlState(PRIMARY)).toBe('On');
  });

  it('refuses an update to a state other than On or Off', async () => {
    const model = setup();

    const error = await outcome(
      arcClient(ENDPOINTS[1]).send(
        new UpdateRoutingControlStateCommand({ RoutingControlArn: PRIMARY, RoutingControlState: 'ON' as never }),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(model.routingControlState(PRIMARY)).toBe('On');
  });
});
