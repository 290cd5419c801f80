/**
 * The validator's one way to open a database session: TLS with full certificate and host-name verification,
 * a password from a provider called once per connection (an IAM token, signed locally), a connect timeout, and
 * every infrastructure failure turned into one `DatabaseUnreachableError` line naming host, port, user and cause.
 *
 * node-postgres facts relied on (pg 8): a `connectionString` is parsed into the config and its `sslmode`
 * (`no-verify`) overrides the `ssl` object, and without an `ssl` option pg reads `PGSSLMODE` — so this module
 * passes discrete fields and an explicit `ssl` object, never a URL. The `ssl` object goes to `tls.connect`, which
 * checks the certificate against `ca` (default: Node's store plus `NODE_EXTRA_CA_CERTS`, which Lambda's Node.js
 * 20+ runtimes point at the RDS CA bundle) and the host name against `servername`, else `host` (pg leaves
 * `servername` unset for an IP address and passes `host`). `password` may be an async function.
 * RDS facts: an IAM token is a SigV4-presigned `connect` URL without its scheme, valid 15 minutes, accepted only
 * over TLS by a role granted `rds_iam`.
 */
import { Signer } from '@aws-sdk/rds-signer';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { isIP } from 'node:net';
import { Client } from 'pg';
import { DatabaseUnreachableError, InvalidInputError } from '../shared/errors';
import { isSessionLost, sqlState, type SqlSession } from './validate-database';

/** Where to connect. */
export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** Returns the password of one connection; called once per connection, so an IAM token is always fresh. */
export type PasswordProvider = () => Promise<string>;

/** How to connect. */
export interface ConnectOptions extends ConnectTarget {
  readonly password: PasswordProvider;
  /** PEM of the certificate authorities to trust.
   * @default - Node's store plus `NODE_EXTRA_CA_CERTS` (the RDS bundle on Lambda, see `DrFunction.connectsToDatabase`) */
  readonly ca?: string;
  /** How long TCP, TLS and authentication together may take. */
  readonly connectTimeoutSeconds: number;
  /** `verify-full` always, except `disable` for a loopback host (a local copy or an SSH tunnel).
   * @default 'verify-full' */
  readonly tls?: 'verify-full' | 'disable';
}

/** An open validator session. */
export interface ValidatorConnection extends SqlSession {
  end(): Promise<void>;
}

/** Whether a host is this machine (`localhost`, 127.0.0.0/8, ::1): the only hosts TLS may be skipped for. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** The `ssl` option of every validator connection: full verification (certificate chain and host name), always. */
export function tlsOptions(ca?: string): { rejectUnauthorized: true; ca?: string } {
  return ca === undefined ? { rejectUnauthorized: true } : { rejectUnauthorized: true, ca };
}

/** A password provider that signs an RDS IAM token locally for each connection (no network call). */
export function rdsIamTokenProvider(options: {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly region: string;
  /** @default - the SDK's default credential chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}): PasswordProvider {
  const signer = new Signer({
    hostname: options.host,
    port: options.port,
    username: options.user,
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  return () => signer.getAuthToken();
}

const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** The cause of a failed connection, in words, without any secret. */
export function connectionCause(error: unknown, target: ConnectTarget, timedOut: boolean): string {
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  if (timedOut) return 'timed out';
  if (code === 'ECONNREFUSED') return 'connection refused: is the database running and the port right?';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS: the host name ${target.host} does not resolve`;
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return `network: ${code} (check the security group and the route from this network)`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `TLS: host-name mismatch: the server's certificate does not name ${target.host} (connect with the name the certificate carries)`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `TLS: the server's certificate is not valid now (${code})`;
  if (TLS_UNTRUSTED.has(code))
    return `TLS: the server's certificate is not trusted (${code}): pass its CA (the RDS bundle) or check the host`;
  if (message === 'The server does not support SSL connections') return 'TLS: the server does not offer TLS';
  const state = sqlState(error);
  if (state?.code === '3D000') return `unknown database "${target.database}"`;
  if (state?.code === '28000' && /role .* does not exist/.test(state.message))
    return `authentication: no role "${target.user}": run sql/dr-validator.sql as the master user`;
  if (state?.code === '28P01' || state?.code === '28000')
    return `authentication refused (${state.code}): the token or password was refused; check that the caller may rds-db:connect as ${target.user} and that the role exists with rds_iam (sql/dr-validator.sql)`;
  if (state) return `SQLSTATE ${state.code}: ${state.message}`;
  if (code === 'ECONNRESET' || code === 'EPIPE' || /Connection terminated/.test(message))
    return `connection lost (${message})`;
  return message.split('\n')[0];
}

function where(target: ConnectTarget): string {
  return `${target.host}:${target.port} as ${target.user} (database ${target.database})`;
}

/**
 * Opens a validator session. Throws `InvalidInputError` for `tls: 'disable'` on a non-loopback host, and
 * `DatabaseUnreachableError` for anything that keeps the session from opening or ends it later.
 */
export async function connect(options: ConnectOptions): Promise<ValidatorConnection> {
  const target: ConnectTarget = {
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
  };
  if (options.tls === 'disable' && !isLoopback(options.host))
    throw new InvalidInputError(
      `TLS may be disabled only for a loopback host, not ${options.host}: remove sslmode=disable`,
    );
  const timeoutMs = options.connectTimeoutSeconds * 1000;
  const client = new Client({
    ...target,
    password: options.password,
    ssl: options.tls === 'disable' ? false : tlsOptions(options.ca),
    connectionTimeoutMillis: timeoutMs,
    application_name: 'entmoot-dr-validator',
  });
  // An idle client whose server goes away emits 'error'; without a listener the process would crash.
  let lost: unknown;
  client.on('error', (error) => {
    lost = error;
  });
  const started = Date.now();
  try {
    await client.connect();
  } catch (error) {
    const timedOut = /timeout expired/.test(String((error as Error)?.message)) || Date.now() - started >= timeoutMs;
    await client.end().catch(() => undefined);
    throw new DatabaseUnreachableError(
      `cannot connect to ${where(target)}: ${connectionCause(error, target, timedOut)}${timedOut ? ` after ${options.connectTimeoutSeconds} s` : ''}`,
      { cause: error },
    );
  }
  return {
    query: async (text, values) => {
      try {
        return await client.query(text, values);
      } catch (error) {
        const state = sqlState(error);
        if (state && !isSessionLost(state.code)) throw error;
        throw new DatabaseUnreachableError(
          `lost the session with ${where(target)}: ${connectionCause(lost ?? error, target, false)}`,
          { cause: error },
        );
      }
    },
    end: () => client.end().catch(() => undefined),
  };
}
