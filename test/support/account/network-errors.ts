/**
 * What a JavaScript SDK v3 call surfaces when no service answers it: the region is unreachable, an ARC cluster
 * endpoint is silent, or the host does not exist. Read from @smithy/node-http-handler 4.x (dist-cjs/index.js) and
 * the retry middleware of @smithy/core (submodules/retry):
 * - a connection nobody accepts within the client's `connectionTimeout`: `TimeoutError` "@smithy/node-http-handler -
 *   the request socket did not establish a connection with the server within the configured timeout of N ms."
 *   (no `code`); without a `connectionTimeout` the operating system gives up: Node's `connect ETIMEDOUT
 *   <address>:443` (`code` ETIMEDOUT, `syscall` connect), renamed `TimeoutError` by the handler because ETIMEDOUT
 *   is one of its timeout codes;
 * - a connection that never answers within `requestTimeout`, with `throwOnRequestTimeout`: `TimeoutError` with
 *   `code` ETIMEDOUT "@smithy/node-http-handler - [ERROR] a request has exceeded the configured N ms
 *   requestTimeout."; else, with a `socketTimeout`, `TimeoutError` "... the request socket timed out after N ms of
 *   inactivity (configured by client requestHandler)."; with neither, the call waits for good (the model refuses
 *   it: the Lambda would hang until its own timeout);
 * - a host name that does not resolve: Node's `getaddrinfo ENOTFOUND <host>` (`code` ENOTFOUND);
 * - the retry middleware rethrows the last error with `$metadata.attempts`: `TimeoutError` and ENOTFOUND are
 *   transient (`TRANSIENT_ERROR_CODES`, `NODEJS_NETWORK_ERROR_CODES`), so the client makes all its `maxAttempts`.
 * The model's clock does not move for the time these take.
 */
import { ModelRejectedCall, StatesError } from './errors';

/** The parts of a client's configuration that decide how a call fails without an answer. */
export interface Transport {
  /** The client's custom endpoint (`endpoint` config), as a URL without a trailing slash. */
  readonly endpoint?: string;
  readonly maxAttempts: number;
  readonly connectionTimeout?: number;
  readonly requestTimeout?: number;
  readonly throwOnRequestTimeout?: boolean;
  readonly socketTimeout?: number;
}

/** A transport with the SDK's defaults (standard retry mode's 3 attempts, no timeouts): `sdkCall` without a client. */
export const DEFAULT_TRANSPORT: Transport = { maxAttempts: 3 };

type Provider<T> = T | (() => T | Promise<T>);

async function value<T>(p: Provider<T> | undefined): Promise<T | undefined> {
  return typeof p === 'function' ? await (p as () => T | Promise<T>)() : p;
}

/** `https://host[:port]/path`, without a trailing slash: the one spelling endpoints are compared in. */
export function normalizeUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** Reads a (mocked) client's endpoint, attempts and request handler settings from its resolved config. */
export async function clientTransport(config: Record<string, unknown>): Promise<Transport> {
  const ep = (await value(config.endpoint as Provider<Record<string, unknown>> | undefined)) as
    | { protocol?: string; hostname?: string; port?: number; path?: string }
    | undefined;
  const endpoint =
    ep?.hostname === undefined
      ? undefined
      : normalizeUrl(`${ep.protocol ?? 'https:'}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}${ep.path ?? ''}`);
  const maxAttempts = (await value(config.maxAttempts as Provider<number> | undefined)) ?? 3;
  const handler = config.requestHandler as { configProvider?: Promise<Record<string, unknown>> } | undefined;
  const settings = (handler?.configProvider ? await handler.configProvider : {}) as Record<string, unknown>;
  const num = (k: string): number | undefined =>
    typeof settings[k] === 'number' ? (settings[k] as number) : undefined;
  return {
    endpoint,
    maxAttempts,
    connectionTimeout: num('connectionTimeout'),
    requestTimeout: num('requestTimeout'),
    throwOnRequestTimeout: settings.throwOnRequestTimeout === true,
    socketTimeout: num('socketTimeout'),
  };
}

function withMetadata(error: Error, attempts: number): Error {
  return Object.assign(error, { $metadata: { attempts, totalRetryDelay: 0 } });
}

/** Nobody accepts the connection (an unreachable region). */
export function connectFailure(t: Transport): Error {
  if (t.connectionTimeout) {
    const e = new Error(
      `@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of ${t.connectionTimeout} ms.`,
    );
    e.name = 'TimeoutError';
    return withMetadata(e, t.maxAttempts);
  }
  const address = '203.0.113.10';
  const e = Object.assign(new Error(`connect ETIMEDOUT ${address}:443`), {
    errno: -110,
    code: 'ETIMEDOUT',
    syscall: 'connect',
    address,
    port: 443,
  });
  e.name = 'TimeoutError';
  return withMetadata(e, t.maxAttempts);
}

/** The connection is accepted but nothing answers (a silent ARC endpoint). */
export function silentFailure(what: string, t: Transport): Error {
  if (t.requestTimeout && t.throwOnRequestTimeout) {
    const e = Object.assign(
      new Error(
        `@smithy/node-http-handler - [ERROR] a request has exceeded the configured ${t.requestTimeout} ms requestTimeout.`,
      ),
      { code: 'ETIMEDOUT' },
    );
    e.name = 'TimeoutError';
    return withMetadata(e, t.maxAttempts);
  }
  if (t.socketTimeout) {
    const e = new Error(
      `@smithy/node-http-handler - the request socket timed out after ${t.socketTimeout} ms of inactivity (configured by client requestHandler).`,
    );
    e.name = 'TimeoutError';
    return withMetadata(e, t.maxAttempts);
  }
  throw new ModelRejectedCall(
    `${what} does not answer and the client has neither requestTimeout with throwOnRequestTimeout nor socketTimeout: the call would wait until the Lambda times out`,
  );
}

/** `host` does not resolve (a URL that is no cluster endpoint, or a service's default endpoint that does not exist). */
export function hostNotFound(host: string, t: Transport): Error {
  const e = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
    errno: -3008,
    code: 'ENOTFOUND',
    syscall: 'getaddrinfo',
    hostname: host,
  });
  return withMetadata(e, t.maxAttempts);
}

/** Endpoint host prefixes of the modeled services (`<prefix>.<region>.amazonaws.com`). */
const HOST_PREFIX: Record<string, string> = {
  cloudwatch: 'monitoring',
  sfn: 'states',
  s3control: 's3-control',
  route53recoverycluster: 'route53-recovery-cluster',
};

/** The regional endpoint host a client of `service` in `region` connects to when it has no custom endpoint. */
export function defaultHost(service: string, region: string): string {
  return `${HOST_PREFIX[service] ?? service}.${region}.amazonaws.com`;
}

/**
 * What a Step Functions Task sees when the service endpoint of its region does not answer. The Java SDK behind the
 * integration fails with a client exception that carries no service error code, so no `Service.ErrorException`
 * name exists for it: the Task fails with `States.TaskFailed`, the cause the Java SDK's message. A modeled choice
 * (AWS documents no such outage): a workflow's `addCatch(States.TaskFailed | States.ALL)` is what handles it.
 */
export function sfnUnreachable(service: string, region: string): StatesError {
  return new StatesError(
    'States.TaskFailed',
    `Unable to execute HTTP request: Connect to ${defaultHost(service, region)}:443 failed: connect timed out`,
  );
}
