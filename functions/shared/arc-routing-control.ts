/**
 * Reads an ARC routing control's state at its cluster's endpoints, tried in turn (readiness; the regional failover
 * adds its one `UpdateRoutingControlStates` call on the same rotation).
 *
 * API facts relied on (Route 53 ARC Recovery Cluster API reference, Developer Guide "Getting and updating routing
 * control states"):
 * - Routing control state is read and changed only at the cluster's own endpoints, one per region; each call must
 *   be signed for that endpoint's region. "If one endpoint isn't available, try another": any endpoint serves.
 * - `GetRoutingControlState` returns `RoutingControlState` `On` or `Off`.
 * - `EndpointTemporarilyUnavailableException`, `InternalServerException` and `ThrottlingException` are the
 *   endpoint's own trouble: another endpoint may answer, as may one behind a timeout or a network error.
 *   `AccessDeniedException`, `ResourceNotFoundException` and `ValidationException` would be the same at every
 *   endpoint: the rotation stops and names the error.
 * Each client makes one attempt with short connection and request timeouts: the SDK's own retries against a dead
 * endpoint would spend the time the next endpoint needs.
 */
import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  type RoutingControlState,
} from '@aws-sdk/client-route53-recovery-cluster';
import { awsErrorName, isAccessDenied } from './errors';

/** One of the cluster's regional endpoints, as the plan lists them. */
export interface ClusterEndpoint {
  readonly region: string;
  readonly url: string;
}

/** Makes the client of one endpoint (injected: tests and the benchmark give their own). */
export type ArcClientFactory = (endpoint: ClusterEndpoint) => Pick<Route53RecoveryClusterClient, 'send'>;

/** TCP connect bound per endpoint: a reachable endpoint connects in milliseconds. */
const CONNECTION_TIMEOUT_MS = 2_000;
/** Whole-request bound per endpoint, connection included in the SDK's accounting of the socket. */
const REQUEST_TIMEOUT_MS = 3_000;

/** The client of `endpoint`: signed for its region, one attempt, short timeouts (see the module comment). */
export function arcClient(endpoint: ClusterEndpoint): Route53RecoveryClusterClient {
  return new Route53RecoveryClusterClient({
    region: endpoint.region,
    endpoint: endpoint.url,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Without it, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes and keeps waiting
      // (found by the benchmark: a silent endpoint held the rotation for good).
      throwOnRequestTimeout: true,
      // Older handlers (the Lambda runtime's SDK may be one) applied requestTimeout to the idle socket instead.
      socketTimeout: REQUEST_TIMEOUT_MS,
    },
  });
}

const MOVE_ON = new Set([
  'EndpointTemporarilyUnavailableException',
  'InternalServerException',
  'ThrottlingException',
  'TimeoutError',
  'RequestTimeout',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** Whether another endpoint may answer where this one failed with `error`. */
function movesOn(error: unknown): boolean {
  if (MOVE_ON.has(awsErrorName(error) ?? '')) return true;
  const code = (error as { code?: string }).code;
  if (code && NETWORK_CODES.has(code)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // A 5xx without a modelled name is still the endpoint's trouble.
  return status !== undefined && status >= 500;
}

/** An endpoint that did not answer, and why (one line). */
export interface EndpointFailure {
  readonly endpoint: ClusterEndpoint;
  readonly error: string;
}

/** The outcome of one call rotated over the endpoints: the first answer, or why there was none. */
export type EndpointOutcome<T> =
  | {
      readonly ok: true;
      readonly value: T;
      readonly answeredBy: ClusterEndpoint;
      /** Endpoints tried before, in order. */
      readonly unanswered: readonly EndpointFailure[];
    }
  | {
      readonly ok: false;
      /** `refused`: an error every endpoint would give (the rotation stopped); `unreachable`: no endpoint answered. */
      readonly reason: 'refused' | 'unreachable';
      /** For `refused`: the error's name and message, and whether it is a missing permission. */
      readonly refusal?: { readonly endpoint: ClusterEndpoint; readonly error: string; readonly accessDenied: boolean };
      readonly unanswered: readonly EndpointFailure[];
    };

/** A routing control's state, or why it could not be read. */
export type RoutingControlReading = EndpointOutcome<RoutingControlState>;

/** Thrown by a call whose endpoint answered something unusable: the next endpoint is asked. */
class UnusableAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableAnswer';
  }
}

function describeError(error: unknown): string {
  const aws = awsErrorName(error);
  const name = (aws && aws !== 'Error' ? aws : undefined) ?? (error as { code?: string }).code ?? aws ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return message && message !== name ? `${name}: ${message}` : name;
}

/**
 * `call` at each of `endpoints` in order until one answers; errors that another endpoint may not give move on,
 * the others stop the rotation (see the module comment). The regional failover rotates its
 * `UpdateRoutingControlStates` through this too (setting a state is idempotent, so a call that timed out after
 * taking effect may be repeated at the next endpoint).
 */
export async function atFirstAnsweringEndpoint<T>(
  endpoints: readonly ClusterEndpoint[],
  clientFor: ArcClientFactory,
  call: (client: Pick<Route53RecoveryClusterClient, 'send'>) => Promise<T>,
): Promise<EndpointOutcome<T>> {
  const unanswered: EndpointFailure[] = [];
  for (const endpoint of endpoints) {
    try {
      return { ok: true, value: await call(clientFor(endpoint)), answeredBy: endpoint, unanswered };
    } catch (error) {
      if (!(error instanceof UnusableAnswerError) && !movesOn(error)) {
        return {
          ok: false,
          reason: 'refused',
          refusal: { endpoint, error: describeError(error), accessDenied: isAccessDenied(error) },
          unanswered,
        };
      }
      unanswered.push({ endpoint, error: describeError(error) });
    }
  }
  return { ok: false, reason: 'unreachable', unanswered };
}

/** `GetRoutingControlState` of `routingControlArn`, trying `endpoints` in order until one answers. */
export function getRoutingControlState(
  routingControlArn: string,
  endpoints: readonly ClusterEndpoint[],
  clientFor: ArcClientFactory,
): Promise<RoutingControlReading> {
  return atFirstAnsweringEndpoint(endpoints, clientFor, async (client) => {
    const out = await client.send(new GetRoutingControlStateCommand({ RoutingControlArn: routingControlArn }));
    if (out.RoutingControlState === 'On' || out.RoutingControlState === 'Off') return out.RoutingControlState;
    throw new UnusableAnswerError(`answered without a routing control state (${String(out.RoutingControlState)})`);
  });
}

/** `endpoints` starting at `first` (kept in their order after it): the next call goes first where the last one answered. */
export function startingAt(endpoints: readonly ClusterEndpoint[], first: ClusterEndpoint): ClusterEndpoint[] {
  const i = endpoints.findIndex((e) => e.url === first.url && e.region === first.region);
  return i <= 0 ? [...endpoints] : [...endpoints.slice(i), ...endpoints.slice(0, i)];
}

/** `region (url)` of each endpoint, for details a person reads. */
export function describeEndpoints(failures: readonly EndpointFailure[]): string {
  return failures.map((f) => `${f.endpoint.region} (${f.endpoint.url}): ${f.error}`).join('; ');
}
