/**
 * Route 53 ARC routing control state, read and changed at a cluster's regional endpoints.
 *
 * API facts (Routing Control (Recovery Cluster) API Reference: `GetRoutingControlState`,
 * `UpdateRoutingControlState`, `UpdateRoutingControlStates`, `UpdateRoutingControlStateEntry`; Developer Guide
 * "Get and update routing control states"):
 * - A cluster has one endpoint per region (`{ region, url }`); every call names one endpoint and is signed for that
 *   endpoint's region. Routing controls are global: `arn:aws:route53-recovery-control::<account>:controlpanel/<id>/
 *   routingcontrol/<id>`, state `On` or `Off`.
 * - `GetRoutingControlState` returns `RoutingControlArn`, `RoutingControlState`, `RoutingControlName`; the updates
 *   return nothing. A control that is not on the cluster: `ResourceNotFoundException`; a malformed ARN (length
 *   1-255, `^[A-Za-z0-9:.\/_-]*$`) or a state other than `On`/`Off`: `ValidationException`.
 *   `UpdateRoutingControlStates` changes all its entries or none.
 * - An endpoint in trouble answers `EndpointTemporarilyUnavailableException` (503), `InternalServerException` (500)
 *   or `ThrottlingException` (429); another endpoint may serve.
 * Modeled choices: a call signed for another region than its endpoint's fails as SigV4 does
 * (`InvalidSignatureException`, 403, "Credential should be scoped to a valid region, not '<region>'. "); a call to a
 * URL that is no endpoint of a cluster (or to the service's default endpoint: no such host exists) fails as an
 * unresolvable host. Both are recorded in `refusals`. Safety rules are not modeled.
 */
import { ModelRejectedCall, ServiceFault } from './errors';
import { defaultHost, hostNotFound, normalizeUrl, silentFailure, type Transport } from './network-errors';
import type { Ctx } from './services';

type Input = Record<string, unknown>;

/** How an endpoint answers: normally, with one of its own errors, or not at all. */
export type EndpointHealth = 'up' | 'unavailable' | 'internalError' | 'throttling' | 'silent';

/** One of a cluster's regional endpoints. */
export interface ArcEndpointSeed {
  region: string;
  url: string;
}

interface Endpoint extends ArcEndpointSeed {
  health: EndpointHealth;
}

interface RoutingControl {
  name: string;
  state: 'On' | 'Off';
}

interface Cluster {
  endpoints: Endpoint[];
  controls: Map<string, RoutingControl>;
}

const ARN_PATTERN = /^[A-Za-z0-9:./_-]*$/;

function withDetails(fault: ServiceFault, details: Record<string, unknown>): ServiceFault {
  return Object.assign(fault, { details });
}

function validation(message: string, field: string): ServiceFault {
  return withDetails(new ServiceFault('ValidationException', message, 400), {
    reason: 'fieldValidationFailed',
    fields: [{ name: field, message }],
  });
}

/** ARC clusters, their endpoints and routing controls. */
export class ArcClusterModel {
  private readonly clusters: Cluster[] = [];
  /** The cluster serving the call in progress (set by `admit`, read by the operations). */
  private serving?: Cluster;

  addCluster(endpoints: ArcEndpointSeed[]): void {
    if (endpoints.length === 0) throw new Error('addArcCluster: a cluster has at least one endpoint');
    this.clusters.push({
      endpoints: endpoints.map((e) => ({ region: e.region, url: normalizeUrl(e.url), health: 'up' })),
      controls: new Map(),
    });
  }

  /** Adds a routing control to the last cluster added. */
  addRoutingControl(arn: string, state: 'On' | 'Off', name?: string): void {
    const cluster = this.clusters.at(-1);
    if (!cluster) throw new Error('addRoutingControl: add a cluster first (addArcCluster)');
    if (!/^arn:aws[a-z-]*:route53-recovery-control::\d{12}:controlpanel\/[^/]+\/routingcontrol\/[^/]+$/.test(arn))
      throw new Error(`addRoutingControl: ${arn} is not a routing control ARN`);
    cluster.controls.set(arn, { name: name ?? arn.split('/').at(-1)!, state });
  }

  setEndpointHealth(url: string, health: EndpointHealth): void {
    const e = this.endpoint(normalizeUrl(url));
    if (!e) throw new Error(`setEndpointHealth: ${url} is no cluster endpoint`);
    e.health = health;
  }

  /** A routing control's state, or undefined when no cluster has it. */
  state(arn: string): 'On' | 'Off' | undefined {
    for (const c of this.clusters) {
      const rc = c.controls.get(arn);
      if (rc) return rc.state;
    }
    return undefined;
  }

  private endpoint(url: string): Endpoint | undefined {
    return this.clusters.flatMap((c) => c.endpoints).find((e) => e.url === url);
  }

  /**
   * Decides whether the endpoint a client names answers; throws what the client would see when it does not.
   * `signingRegion` is the client's region; `reachable` says whether a region's endpoints can be connected to.
   */
  admit(
    ctx: Ctx,
    signingRegion: string,
    t: Transport,
    reachable: (region: string) => boolean,
    unreachable: () => Error,
  ): void {
    this.serving = undefined;
    if (!t.endpoint) {
      const host = defaultHost('route53recoverycluster', signingRegion);
      ctx.refuse(`call without a cluster endpoint (the client has no endpoint; ${host} does not exist)`);
      throw hostNotFound(host, t);
    }
    const endpoint = this.endpoint(t.endpoint);
    const host = new URL(t.endpoint).hostname;
    if (!endpoint) {
      ctx.refuse(`call to ${t.endpoint}, which is no endpoint of a cluster in the model`);
      throw hostNotFound(host, t);
    }
    if (!reachable(endpoint.region)) throw unreachable();
    if (endpoint.health === 'silent') throw silentFailure(`cluster endpoint ${endpoint.url}`, t);
    if (endpoint.region !== signingRegion) {
      ctx.refuse(`call to the ${endpoint.region} endpoint ${endpoint.url} signed for ${signingRegion}`);
      throw new ServiceFault(
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${signingRegion}'. `,
        403,
        false,
      );
    }
    if (endpoint.health === 'unavailable')
      throw new ServiceFault('EndpointTemporarilyUnavailableException', 'The cluster endpoint isn’t available.', 503);
    if (endpoint.health === 'internalError') {
      throw new ServiceFault(
        'InternalServerException',
        'There was an unexpected error during processing of the request.',
        500,
      );
    }
    if (endpoint.health === 'throttling')
      throw withDetails(new ServiceFault('ThrottlingException', 'Rate exceeded', 429), { retryAfterSeconds: 1 });
    this.serving = this.clusters.find((c) => c.endpoints.includes(endpoint));
  }

  private control(arn: unknown, field: string): [string, RoutingControl] {
    const a = String(arn ?? '');
    if (a.length < 1 || a.length > 255 || !ARN_PATTERN.test(a))
      throw validation(`Value at '${field}' failed to satisfy constraint`, field);
    if (!this.serving) throw new ModelRejectedCall('route53recoverycluster calls go through a cluster endpoint');
    const rc = this.serving.controls.get(a);
    if (!rc) {
      throw withDetails(new ServiceFault('ResourceNotFoundException', `Routing control ${a} was not found.`, 404), {
        resourceId: a,
        resourceType: 'RoutingControl',
      });
    }
    return [a, rc];
  }

  private static stateOf(value: unknown, field: string): 'On' | 'Off' {
    if (value !== 'On' && value !== 'Off')
      throw validation(`Value '${String(value)}' at '${field}' failed to satisfy constraint: On | Off`, field);
    return value;
  }

  GetRoutingControlState(_ctx: Ctx, input: Input): unknown {
    const [arn, rc] = this.control(input.RoutingControlArn, 'routingControlArn');
    return { RoutingControlArn: arn, RoutingControlState: rc.state, RoutingControlName: rc.name };
  }

  UpdateRoutingControlState(_ctx: Ctx, input: Input): unknown {
    const [, rc] = this.control(input.RoutingControlArn, 'routingControlArn');
    rc.state = ArcClusterModel.stateOf(input.RoutingControlState, 'routingControlState');
    return {};
  }

  UpdateRoutingControlStates(_ctx: Ctx, input: Input): unknown {
    const entries = (input.UpdateRoutingControlStateEntries as Input[] | undefined) ?? [];
    if (entries.length === 0)
      throw validation('UpdateRoutingControlStateEntries must not be empty', 'updateRoutingControlStateEntries');
    // All entries are checked before any changes: the call changes all or none.
    const changes = entries.map((e, i) => {
      const [, rc] = this.control(e.RoutingControlArn, `updateRoutingControlStateEntries.${i}.routingControlArn`);
      return {
        rc,
        state: ArcClusterModel.stateOf(
          e.RoutingControlState,
          `updateRoutingControlStateEntries.${i}.routingControlState`,
        ),
      };
    });
    for (const c of changes) c.rc.state = c.state;
    return {};
  }
}
