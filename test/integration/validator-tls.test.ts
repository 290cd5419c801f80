import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatabaseUnreachableError } from '../../functions/shared/errors';
import { connect, type ConnectOptions } from '../../functions/validator/connect';
import { startTlsPostgres, type TlsPostgres, VALIDATOR_USER, validatorOptions } from '../support/tls-postgres';

const ROOT = join(__dirname, '..', '..');

/** How the validator reaches a database: TLS verify-full, the IAM token as password, failures as one line. */
describe('the validator’s connection to a real PostgreSQL with ssl=on', () => {
  let pg: TlsPostgres;
  const database = 'edr_tls_check';

  beforeAll(async () => {
    pg = await startTlsPostgres();
    await pg.createDatabase(database);
  });

  afterAll(() => {
    pg?.stop();
  });

  const options = (overrides: Partial<ConnectOptions> = {}): ConnectOptions =>
    validatorOptions(pg, database, overrides);

  async function connectionError(overrides: Partial<ConnectOptions>): Promise<DatabaseUnreachableError> {
    try {
      const session = await connect(options(overrides));
      await session.end();
    } catch (error) {
      if (error instanceof DatabaseUnreachableError) return error;
      throw error;
    }
    throw new Error('expected the connection to fail');
  }

  it('verifies the server’s certificate and host name, and runs as dr_validator over TLS', async () => {
    const session = await connect(options());
    try {
      const { rows } = await session.query(
        'SELECT current_user AS who, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      expect(rows).toEqual([{ who: VALIDATOR_USER, ssl: true }]);
    } finally {
      await session.end();
    }
  });

  it('refuses a server whose certificate does not name the host it was reached at', async () => {
    const error = await connectionError({ host: pg.otherHost });
    expect(error.message).toBe(
      `cannot connect to 127.0.0.2:${pg.port} as dr_validator (database ${database}): TLS: host-name mismatch: the server's certificate does not name 127.0.0.2 (connect with the name the certificate carries)`,
    );
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const error = await connectionError({ ca: pg.otherCa });
    expect(error.message).toMatch(/: TLS: the server's certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
  });

  it('refuses the server without a CA option when Node trusts only its default store', async () => {
    const error = await connectionError({ ca: undefined });
    expect(error.message).toMatch(/: TLS: the server's certificate is not trusted/);
  });

  it('trusts the server through NODE_EXTRA_CA_CERTS with no CA option, as in Lambda (a child node)', () => {
    const child = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'test', 'support', 'validator-child.ts')],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          NODE_EXTRA_CA_CERTS: pg.caFile,
          EDR_CHILD_HOST: pg.host,
          EDR_CHILD_PORT: String(pg.port),
          EDR_CHILD_DATABASE: database,
          EDR_CHILD_USER: VALIDATOR_USER,
          EDR_CHILD_TOKEN: pg.token,
        },
      },
    );
    const output = JSON.parse(child.stdout) as { results?: { check: string; status: string }[] };
    expect(output.results?.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(output.results?.length).toBe(10);
  });

  it('refuses a wrong token, naming authentication and never the token', async () => {
    const wrong = `${pg.token.slice(0, -4)}0000`;
    const error = await connectionError({ password: async () => wrong });
    expect(error.message).toMatch(
      new RegExp(
        `^cannot connect to 127\\.0\\.0\\.1:${pg.port} as dr_validator \\(database ${database}\\): authentication refused \\(28P01\\)`,
      ),
    );
    expect(error.message).toMatch(/rds-db:connect/);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain('X-Amz-Signature');
  });

  it('is refused without TLS even with the right token (pg_hba: hostnossl reject)', async () => {
    const client = new Client({
      host: pg.host,
      port: pg.port,
      database,
      user: VALIDATOR_USER,
      password: pg.token,
      ssl: false,
    });
    await expect(client.connect()).rejects.toThrow(/no encryption/);
    await client.end().catch(() => undefined);
  });

  it('refuses writes at both layers: a read-only transaction, then no privilege when asking for READ WRITE', async () => {
    const session = await connect(options());
    try {
      await expect(session.query("INSERT INTO projects (name) VALUES ('x')")).rejects.toThrow(
        'cannot execute INSERT in a read-only transaction',
      );
      await session.query('BEGIN READ WRITE');
      await expect(session.query("INSERT INTO projects (name) VALUES ('x')")).rejects.toThrow(
        'permission denied for table projects',
      );
      await session.query('ROLLBACK');
    } finally {
      await session.end();
    }
  });

  it('reads every table through pg_read_all_data and sees the primary key in pg_constraint', async () => {
    const session = await connect(options());
    try {
      const { rows } = await session.query(
        "SELECT (SELECT COUNT(*) FROM optimizations)::int AS optimizations, (SELECT COUNT(*) FROM pg_constraint WHERE contype = 'p' AND conrelid = 'projects'::regclass)::int AS pk, (SELECT COUNT(*) FROM information_schema.table_constraints WHERE table_name = 'projects' AND constraint_type = 'PRIMARY KEY')::int AS info_schema_pk",
      );
      // information_schema shows the key only to roles that own the table or hold more than SELECT: why the plan reads pg_constraint.
      expect(rows).toEqual([{ optimizations: 2, pk: 1, info_schema_pk: 0 }]);
    } finally {
      await session.end();
    }
  });

  it('sql/dr-validator.sql runs twice without error and leaves a read-only login with rds_iam and pg_read_all_data', async () => {
    const admin = await pg.admin();
    try {
      await admin.query(readFileSync(join(ROOT, 'sql', 'dr-validator.sql'), 'utf8'));
      const { rows } = await admin.query(
        `SELECT r.rolcanlogin AS login, r.rolsuper AS super, r.rolconfig AS config,
                ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of
         FROM pg_roles r WHERE r.rolname = $1`,
        [VALIDATOR_USER],
      );
      expect(rows).toEqual([
        {
          login: true,
          super: false,
          config: ['default_transaction_read_only=on'],
          member_of: ['pg_read_all_data', 'rds_iam'],
        },
      ]);
    } finally {
      await admin.end();
    }
  });

  it('throws DatabaseUnreachableError for an unknown database', async () => {
    const error = await connectionError({ database: 'edr_no_such_db' });
    expect(error.message).toMatch(/\(database edr_no_such_db\): unknown database "edr_no_such_db"$/);
  });

  it('throws DatabaseUnreachableError for a refused connection', async () => {
    const error = await connectionError({ port: 1 });
    expect(error.message).toBe(
      `cannot connect to 127.0.0.1:1 as dr_validator (database ${database}): connection refused: is the database running and the port right?`,
    );
  });

  it('names a role that does not exist and the script that creates it', async () => {
    // Other users meet pg_hba's trust line, so the server can say the role is missing (scram would hide it).
    const error = await connectionError({ user: 'dr_nobody' });
    expect(error.message).toMatch(/as dr_nobody .*: authentication: no role "dr_nobody": run sql\/dr-validator\.sql/);
  });

  it('throws DatabaseUnreachableError when the server ends the session mid-run', async () => {
    const session = await connect(options());
    try {
      const admin = await pg.admin();
      try {
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'dr_validator' AND datname = $1",
          [database],
        );
      } finally {
        await admin.end();
      }
      await expect(session.query('SELECT 1')).rejects.toThrow(DatabaseUnreachableError);
    } finally {
      await session.end();
    }
  });
});
