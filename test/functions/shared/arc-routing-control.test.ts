import {
  EndpointTemporarilyUnavailableException,
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-route53-recovery-cluster';
import { mockClient } from 'aws-sdk-client-mock';
import {
  arcClient,
  atFirstAnsweringEndpoint,
  type ClusterEndpoint,
  getRoutingControlState,
  startingAt,
} from '../../../functions/shared/arc-routing-control';

const ARN =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef/routingcontrol/abcdef0123456789';
const ENDPOINTS: ClusterEndpoint[] = [
  { region: 'us-east-1', url: 'https://host-aaaaaa.us-east-1.example.com/v1' },
  { region: 'us-west-2', url: 'https://host-bbbbbb.us-west-2.example.com/v1' },
  { region: 'eu-west-1', url: 'https://host-cccccc.eu-west-1.example.com/v1' },
];
const arc = mockClient(Route53RecoveryClusterClient);

/** What each endpoint does, keyed by the host the client was built for; the region each call was signed for. */
function endpointsBehave(behaviour: Record<string, (() => never) | 'On' | 'Off'>) {
  const seen: string[] = [];
  arc.on(GetRoutingControlStateCommand).callsFake(async (input, getClient) => {
    const config = getClient().config;
    const [region, endpoint] = await Promise.all([config.region(), config.endpoint?.()]);
    const host = endpoint?.hostname ?? 'none';
    seen.push(`${region} ${host}`);
    const act = behaviour[host];
    if (!act) throw new Error(`no behaviour for ${host}`);
    if (typeof act === 'function') act();
    return { RoutingControlArn: input.RoutingControlArn, RoutingControlState: act };
  });
  return seen;
}
const unavailable = () => {
  throw new EndpointTemporarilyUnavailableException({ message: 'try another endpoint', $metadata: {} });
};
const timedOut = () => {
  throw Object.assign(new Error('socket timed out after 3000 ms'), { name: 'TimeoutError' });
};
const refused = () => {
  throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
};

beforeEach(() => arc.reset());

describe('getRoutingControlState', () => {
  it('moves on from an unavailable endpoint and names the one that answered, each call signed for its region', async () => {
    const seen = endpointsBehave({
      'host-aaaaaa.us-east-1.example.com': unavailable,
      'host-bbbbbb.us-west-2.example.com': 'On',
    });

    const reading = await getRoutingControlState(ARN, ENDPOINTS, arcClient);

    expect(reading).toEqual({
      ok: true,
      value: 'On',
      answeredBy: ENDPOINTS[1],
      unanswered: [{ endpoint: ENDPOINTS[0], error: 'EndpointTemporarilyUnavailableException: try another endpoint' }],
    });
    expect(seen).toEqual([
      'us-east-1 host-aaaaaa.us-east-1.example.com',
      'us-west-2 host-bbbbbb.us-west-2.example.com',
    ]);
  });

  it('moves on from timeouts, network errors and throttling, and reports every endpoint when none answers', async () => {
    endpointsBehave({
      'host-aaaaaa.us-east-1.example.com': timedOut,
      'host-bbbbbb.us-west-2.example.com': refused,
      'host-cccccc.eu-west-1.example.com': () => {
        throw new ThrottlingException({ message: 'slow down', $metadata: {} });
      },
    });

    const reading = await getRoutingControlState(ARN, ENDPOINTS, arcClient);

    expect(reading).toEqual({
      ok: false,
      reason: 'unreachable',
      unanswered: [
        { endpoint: ENDPOINTS[0], error: 'TimeoutError: socket timed out after 3000 ms' },
        { endpoint: ENDPOINTS[1], error: 'ECONNREFUSED: connect ECONNREFUSED' },
        { endpoint: ENDPOINTS[2], error: 'ThrottlingException: slow down' },
      ],
    });
  });

  it('stops at an error every endpoint would give (validation), without trying the rest', async () => {
    const seen = endpointsBehave({
      'host-aaaaaa.us-east-1.example.com': () => {
        throw new ValidationException({ message: 'bad arn', reason: 'other', $metadata: {} });
      },
      'host-bbbbbb.us-west-2.example.com': 'On',
    });

    const reading = await getRoutingControlState(ARN, ENDPOINTS, arcClient);

    expect(reading).toEqual({
      ok: false,
      reason: 'refused',
      refusal: { endpoint: ENDPOINTS[0], error: 'ValidationException: bad arn', accessDenied: false },
      unanswered: [],
    });
    expect(seen).toHaveLength(1);
  });

  it('stops at access denied and says it is a missing permission', async () => {
    endpointsBehave({
      'host-aaaaaa.us-east-1.example.com': () => {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      },
    });

    const reading = await getRoutingControlState(ARN, ENDPOINTS, arcClient);

    expect(reading).toMatchObject({ ok: false, reason: 'refused', refusal: { accessDenied: true } });
  });
});

describe('atFirstAnsweringEndpoint', () => {
  it('moves on from an endpoint that answers without a routing control state', async () => {
    endpointsBehave({
      'host-aaaaaa.us-east-1.example.com': 'Unknown' as 'On',
      'host-bbbbbb.us-west-2.example.com': 'Off',
    });

    const reading = await getRoutingControlState(ARN, ENDPOINTS, arcClient);

    expect(reading).toMatchObject({
      ok: true,
      value: 'Off',
      unanswered: [
        { endpoint: ENDPOINTS[0], error: 'UnusableAnswer: answered without a routing control state (Unknown)' },
      ],
    });
  });

  it('rotates any call, returning its value with the endpoint that answered', async () => {
    const outcome = await atFirstAnsweringEndpoint(ENDPOINTS, arcClient, async (client) => {
      const region = await (client as Route53RecoveryClusterClient).config.region();
      if (region !== 'eu-west-1') throw new EndpointTemporarilyUnavailableException({ message: 'down', $metadata: {} });
      return `updated at ${region}`;
    });

    expect(outcome).toMatchObject({ ok: true, value: 'updated at eu-west-1', answeredBy: ENDPOINTS[2] });
    expect(outcome.unanswered.map((u) => u.endpoint.region)).toEqual(['us-east-1', 'us-west-2']);
  });
});

describe('arcClient', () => {
  it('makes one attempt at its endpoint, signed for its region, with short timeouts', async () => {
    const client = arcClient(ENDPOINTS[1]!);

    const endpoint = await client.config.endpoint?.();
    expect([await client.config.region(), endpoint?.hostname, endpoint?.path]).toEqual([
      'us-west-2',
      'host-bbbbbb.us-west-2.example.com',
      '/v1',
    ]);
    expect(await client.config.maxAttempts()).toBe(1);
    // NodeHttpHandler resolves its options lazily, into `configProvider`.
    const handler = client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> };
    expect(await handler.configProvider).toMatchObject({
      connectionTimeout: 2000,
      requestTimeout: 3000,
      throwOnRequestTimeout: true,
      socketTimeout: 3000,
    });
  });
});

describe('startingAt', () => {
  it('rotates the endpoints to start where the last call was answered, keeping their order', () => {
    expect(startingAt(ENDPOINTS, ENDPOINTS[1]!)).toEqual([ENDPOINTS[1], ENDPOINTS[2], ENDPOINTS[0]]);
    expect(startingAt(ENDPOINTS, ENDPOINTS[0]!)).toEqual(ENDPOINTS);
  });
});
