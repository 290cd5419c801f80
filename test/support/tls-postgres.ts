import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type ConnectOptions, rdsIamTokenProvider } from '../../functions/validator/connect';
import { createPlanSchema } from './database';
import { startPostgres, stopPostgres, type TestPostgres } from './postgres';

/** Static credentials that sign tokens locally (never sent anywhere). */
export const STATIC_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** The validator role's name, as `sql/dr-validator.sql` creates it. */
export const VALIDATOR_USER = 'dr_validator';

/** A PostgreSQL + PostGIS server with `ssl=on`, its certificate signed by a CA made here with openssl. */
export interface TlsPostgres {
  readonly server: TestPostgres;
  readonly host: '127.0.0.1';
  /** Another loopback address the server listens on, which its certificate does not name. */
  readonly otherHost: '127.0.0.2';
  readonly port: number;
  /** PEM of the CA that signed the server's certificate, and its file. */
  readonly ca: string;
  readonly caFile: string;
  /** PEM of an unrelated CA (its own self-signed root). */
  readonly otherCa: string;
  /** The IAM token (signed with static credentials) that is `dr_validator`'s password, as on RDS. */
  readonly token: string;
  /** A superuser session without TLS (trust), for setup. */
  admin(database?: string): Promise<Client>;
  /** Creates a database from the template holding the plan's schema (PostGIS, three tables, a few rows). */
  createDatabase(name: string): Promise<void>;
  stop(): void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new Error('openssl is missing: apt-get install -y openssl (Debian installs it with postgresql)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** A self-signed CA in `dir`, files `<name>.key` and `<name>.crt`. */
function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '3',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

/** A server certificate naming only `subjectAltName`, signed by the CA `ca`. */
function makeServerCertificate(dir: string, ca: string, subjectAltName: string): void {
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=entmoot-test-server',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'server.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${subjectAltName}\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '3',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
}

/** `dr_validator` may log in only over TLS with its password (scram); everyone else is trusted (test setup). */
export const VALIDATOR_HBA = [
  'local all all trust',
  `hostssl all ${VALIDATOR_USER} 127.0.0.0/8 scram-sha-256`,
  `hostnossl all ${VALIDATOR_USER} 127.0.0.0/8 reject`,
  'host all all 127.0.0.0/8 trust',
  '',
].join('\n');

const TEMPLATE = 'edr_validator_template';

/**
 * Starts a TLS server (certificate for IP 127.0.0.1 only, also listening on 127.0.0.2), creates the stand-in
 * `rds_iam` role, runs `sql/dr-validator.sql`, sets `dr_validator`'s password to an IAM token signed with static
 * credentials, and builds a template database with the plan's schema.
 */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'edr-tls-'));
  makeCa(dir, 'test-ca');
  makeCa(dir, 'other-ca');
  makeServerCertificate(dir, 'test-ca', 'IP:127.0.0.1');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const server = await startPostgres({
    listenAddresses: '127.0.0.1,127.0.0.2',
    files: {
      'server.crt': { content: read('server.crt'), mode: 0o644 },
      'server.key': { content: read('server.key'), mode: 0o600 },
    },
    settings: { ssl: 'on', ssl_cert_file: 'server.crt', ssl_key_file: 'server.key' },
    hba: VALIDATOR_HBA,
  });
  const admin = async (database = 'postgres'): Promise<Client> => {
    const client = new Client({ host: server.host, port: server.port, user: server.user, database, ssl: false });
    await client.connect();
    return client;
  };
  const token = await rdsIamTokenProvider({
    host: server.host,
    port: server.port,
    user: VALIDATOR_USER,
    region: 'us-east-1',
    credentials: STATIC_CREDENTIALS,
  })();
  const setup = await admin();
  try {
    await setup.query('CREATE ROLE rds_iam NOLOGIN');
    await setup.query(readFileSync(join(__dirname, '..', '..', 'sql', 'dr-validator.sql'), 'utf8'));
    await setup.query(`ALTER ROLE ${VALIDATOR_USER} PASSWORD ${setup.escapeLiteral(token)}`);
    await setup.query(`CREATE DATABASE ${TEMPLATE}`);
  } finally {
    await setup.end();
  }
  const template = await admin(TEMPLATE);
  try {
    await createPlanSchema(template);
    await template.query('ANALYZE');
  } finally {
    await template.end();
  }
  return {
    server,
    host: '127.0.0.1',
    otherHost: '127.0.0.2',
    port: server.port,
    ca: read('test-ca.crt'),
    caFile: join(dir, 'test-ca.crt'),
    otherCa: read('other-ca.crt'),
    token,
    admin,
    createDatabase: async (name) => {
      const client = await admin();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name}`);
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
      } finally {
        await client.end();
      }
    },
    stop: () => {
      try {
        stopPostgres(server);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** How the validator connects to `database` on this server: as dr_validator, verified TLS, the token as password. */
export function validatorOptions(
  pg: TlsPostgres,
  database: string,
  overrides: Partial<ConnectOptions> = {},
): ConnectOptions {
  return {
    host: pg.host,
    port: pg.port,
    database,
    user: VALIDATOR_USER,
    password: async () => pg.token,
    ca: pg.ca,
    connectTimeoutSeconds: 15,
    ...overrides,
  };
}
