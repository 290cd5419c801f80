import type { Client } from 'pg';
import type { CheckResult } from '../../functions/shared/check-result';
import { connect, type ValidatorConnection } from '../../functions/validator/connect';
import { validateDatabase } from '../../functions/validator/validate-database';
import { parsePlan, type DrPlan, type DrPlanInput } from '../../lib/plan';
import { seedPlan } from '../support/plans';
import { startTlsPostgres, type TlsPostgres, validatorOptions } from '../support/tls-postgres';

/** The real validator path: TLS verify-full as dr_validator with the token as password, then the checks. */
describe('validateDatabase against a real PostgreSQL + PostGIS, as dr_validator over TLS', () => {
  let pg: TlsPostgres;
  const referenceTime = () => new Date();
  const inAnHour = () => new Date(Date.now() + 3_600_000);

  beforeAll(async () => {
    pg = await startTlsPostgres();
  });

  afterAll(() => {
    pg?.stop();
  });

  async function asValidator(database: string): Promise<ValidatorConnection> {
    return connect(validatorOptions(pg, database));
  }

  /** Creates `database` from the plan-schema template, lets `change` alter it as the superuser, validates it. */
  async function validate(
    database: string,
    change: (admin: Client) => Promise<unknown> = async () => undefined,
    plan: DrPlan = seedPlan(),
    options: { referenceTime?: Date; deadline?: Date } = {},
  ): Promise<CheckResult[]> {
    await pg.createDatabase(database);
    const admin = await pg.admin(database);
    try {
      await change(admin);
    } finally {
      await admin.end();
    }
    const session = await asValidator(database);
    try {
      return await validateDatabase(session, plan, {
        target: database,
        referenceTime: options.referenceTime ?? referenceTime(),
        deadline: options.deadline ?? inAnHour(),
      });
    } finally {
      await session.end();
    }
  }

  const statusOf = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.check, r.status]));
  const failed = (results: CheckResult[]) => results.filter((r) => r.status === 'FAIL').map((r) => r.check);
  const find = (results: CheckResult[], check: string) => results.find((r) => r.check === check);

  it('passes every check of the default plan on a healthy copy, one result per query after required_tables', async () => {
    const results = await validate('edr_val_healthy');
    expect(results.map((r) => r.check)).toEqual([
      'required_tables',
      ...seedPlan().backups.validationQueries.map((q) => q.name),
    ]);
    expect(failed(results)).toEqual([]);
    expect(find(results, 'building_count')).toMatchObject({ observed: 2, threshold: '≥ 1' });
    expect(find(results, 'project_primary_keys')).toMatchObject({ observed: 1, threshold: '= 1' });
    expect(find(results, 'building_index_count')).toMatchObject({ observed: 1 });
  });

  it('fails error_count when an active building has no geometry', async () => {
    const results = await validate('edr_val_null_geom', (db) =>
      db.query("INSERT INTO buildings (project_id, name, geom, active) VALUES (1, 'broken', NULL, true)"),
    );
    expect(failed(results)).toEqual(['error_count']);
    expect(find(results, 'error_count')).toMatchObject({ observed: 1, threshold: '= 0' });
  });

  it('fails building_index_count when the GiST index is dropped (the primary key does not count)', async () => {
    const results = await validate('edr_val_no_gist', (db) => db.query('DROP INDEX buildings_geom_idx'));
    expect(failed(results)).toEqual(['building_index_count']);
    expect(find(results, 'building_index_count')).toMatchObject({ observed: 0 });
  });

  it('fails required_tables naming the missing table, and each query on it with its SQLSTATE', async () => {
    const results = await validate('edr_val_missing_table', (db) => db.query('DROP TABLE optimizations'));
    expect(find(results, 'required_tables')).toMatchObject({ status: 'FAIL', observed: 'missing: optimizations' });
    expect(failed(results)).toEqual(['required_tables', 'optimization_count']);
    expect(find(results, 'optimization_count')?.detail).toMatch(
      /SQLSTATE 42P01: relation "optimizations" does not exist/,
    );
  });

  it('fails postgis_works with the missing function when PostGIS is not installed', async () => {
    const results = await validate('edr_val_no_postgis', async (db) => {
      await db.query('DROP EXTENSION postgis CASCADE');
      await db.query("ALTER TABLE buildings ADD COLUMN geom bytea NOT NULL DEFAULT '\\x00'");
    });
    // Dropping PostGIS drops the geometry column and its GiST index with it.
    expect(failed(results)).toEqual(['postgis_works', 'building_index_count']);
    expect(find(results, 'postgis_works')?.detail).toMatch(
      /SQLSTATE 42883: function st_astext\(bytea\) does not exist/,
    );
  });

  it('fails a count on an empty table', async () => {
    const results = await validate('edr_val_empty', (db) => db.query('DELETE FROM optimizations'));
    expect(failed(results)).toEqual(['optimization_count']);
    expect(find(results, 'optimization_count')).toMatchObject({ observed: 0, threshold: '≥ 1' });
  });

  it('fails latest_modification when the newest modification is more than 24 hours before the reference', async () => {
    const results = await validate('edr_val_stale', (db) =>
      db.query("UPDATE projects SET modified_at = now() - interval '25 hours'"),
    );
    expect(failed(results)).toEqual(['latest_modification']);
    expect(find(results, 'latest_modification')?.detail).toMatch(/25\.0 h before the reference time, more than 24 h/);
  });

  it('fails latest_modification when a modification is newer than the reference time (not that point in time)', async () => {
    const reference = new Date(Date.now() - 3_600_000);
    const results = await validate('edr_val_after', async () => undefined, seedPlan(), { referenceTime: reference });
    expect(failed(results)).toEqual(['latest_modification']);
    expect(find(results, 'latest_modification')?.detail).toMatch(/min after the reference time/);
  });

  it('fails latest_modification when projects has no modification at all (NULL)', async () => {
    const results = await validate('edr_val_null_time', (db) =>
      db.query('ALTER TABLE projects ALTER COLUMN modified_at DROP NOT NULL; UPDATE projects SET modified_at = NULL'),
    );
    expect(find(results, 'latest_modification')).toMatchObject({ status: 'FAIL', observed: null });
  });

  it('fails an extra plan query whose value is off its bound, and passes the same query within it', async () => {
    const withQueries = (expectValue: number): DrPlan =>
      parsePlan({
        backups: {
          validationQueries: [
            {
              name: 'large_projects',
              sql: 'SELECT COUNT(*) FROM projects WHERE id > 0',
              expect: { op: 'lte', value: expectValue },
            },
          ],
        },
      } satisfies DrPlanInput);
    const off = await validate('edr_val_extra', async () => undefined, withQueries(1));
    expect(find(off, 'large_projects')).toMatchObject({ status: 'FAIL', observed: 2, threshold: '≤ 1' });
    const within = await validate('edr_val_extra', async () => undefined, withQueries(2));
    expect(statusOf(within)).toEqual({ required_tables: 'PASS', large_projects: 'PASS' });
  });

  it('fails a query that returns no row', async () => {
    const plan = parsePlan({
      backups: { validationQueries: [{ name: 'nothing', sql: 'SELECT id FROM projects WHERE false' }] },
    });
    const results = await validate('edr_val_no_row', async () => undefined, plan);
    expect(find(results, 'nothing')).toMatchObject({ status: 'FAIL', observed: null });
    expect(find(results, 'nothing')?.detail).toMatch(/returned 0 rows/);
  });

  it('runs each query in a read-only transaction, so a data-modifying WITH fails (25006) even for a superuser', async () => {
    // The plan refuses such a query at synth (lib/plan-rules.ts); this proves the second layer, the read-only
    // transaction, so the plan is built past that check.
    const seed = parsePlan({});
    const plan = {
      ...seed,
      backups: {
        ...seed.backups,
        validationQueries: [
          { name: 'sneaky', sql: 'WITH gone AS (DELETE FROM projects RETURNING 1) SELECT COUNT(*) FROM gone' },
        ],
      },
    };
    await pg.createDatabase('edr_val_sneaky');
    const superuser = await pg.admin('edr_val_sneaky');
    try {
      const results = await validateDatabase(superuser, plan, {
        target: 'edr_val_sneaky',
        referenceTime: new Date(),
        deadline: inAnHour(),
      });
      expect(find(results, 'sneaky')?.detail).toMatch(
        /SQLSTATE 25006: cannot execute SELECT in a read-only transaction/,
      );
      const { rows } = await superuser.query('SELECT COUNT(*)::int AS n FROM projects');
      expect(rows).toEqual([{ n: 2 }]);
    } finally {
      await superuser.end();
    }
  });

  it('stops a slow query at the statement timeout as a FAIL (57014) within the timeout plus one second', async () => {
    const plan = parsePlan({
      backups: {
        validation: { statementTimeoutSeconds: 2 },
        validationQueries: [
          { name: 'slow', sql: 'SELECT pg_sleep(30) IS NULL AS slept' },
          { name: 'after', sql: 'SELECT 1 AS one', expect: { op: 'eq', value: 1 } },
        ],
      },
    });
    await pg.createDatabase('edr_val_slow');
    const session = await asValidator('edr_val_slow');
    try {
      const started = Date.now();
      const results = await validateDatabase(session, plan, {
        target: 'edr_val_slow',
        referenceTime: new Date(),
        deadline: inAnHour(),
        now: Date.now,
      });
      const slow = find(results, 'slow');
      // The slow query alone: required_tables and 'after' each take milliseconds.
      expect(Date.now() - started).toBeLessThan(2000 + 1000);
      expect(slow).toMatchObject({ status: 'FAIL', observed: null });
      expect(slow?.detail).toMatch(/SQLSTATE 57014: canceling statement due to statement timeout/);
      expect(find(results, 'after')?.status).toBe('PASS');
    } finally {
      await session.end();
    }
  });

  it('caps the statement timeout by the deadline and reports queries it had no time to start as "not run"', async () => {
    const plan = parsePlan({
      backups: {
        validationQueries: [
          { name: 'slow', sql: 'SELECT pg_sleep(30) IS NULL AS slept' },
          { name: 'after', sql: 'SELECT 1 AS one' },
        ],
      },
    });
    await pg.createDatabase('edr_val_deadline');
    const session = await asValidator('edr_val_deadline');
    try {
      const started = Date.now();
      const results = await validateDatabase(session, plan, {
        target: 'edr_val_deadline',
        referenceTime: new Date(),
        deadline: new Date(started + 3000),
      });
      expect(Date.now() - started).toBeLessThan(3000 + 1000);
      expect(statusOf(results)).toEqual({ required_tables: 'PASS', slow: 'FAIL', after: 'FAIL' });
      expect(find(results, 'slow')?.detail).toMatch(/SQLSTATE 57014/);
      expect(find(results, 'after')?.detail).toMatch(/^not run: less than 1 s was left before the deadline/);
    } finally {
      await session.end();
    }
  });
});
