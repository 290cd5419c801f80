import type { Client } from 'pg';
import { validateDatabase } from '../../functions/validator/validate-database';
import { seedPlan } from '../support/plans';
import { createPlanSchema, testDatabase } from '../support/database';

describe('the test PostgreSQL server', () => {
  const plan = seedPlan();
  let client: Client;

  beforeAll(async () => {
    client = await testDatabase('edr_postgis_check');
    await createPlanSchema(client);
  });

  afterAll(async () => {
    await client?.end();
  });

  it('has PostGIS, so the plan’s spatial queries run', async () => {
    const { rows } = await client.query<{ text: string }>(
      'SELECT ST_AsText(geom) AS text FROM buildings ORDER BY id LIMIT 1',
    );
    expect(rows[0]?.text).toMatch(/^POLYGON\(\(/);
  });

  it('runs every validation query of the plan, each meeting its expectation', async () => {
    const results = await validateDatabase(client, plan, {
      target: 'edr_postgis_check',
      referenceTime: new Date(),
      deadline: new Date(Date.now() + 600_000),
    });
    expect(results.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(results.map((r) => r.check)).toEqual([
      'required_tables',
      ...plan.backups.validationQueries.map((q) => q.name),
    ]);
  });

  it('finds a corrupt building (no geometry but active) with the plan’s error_count query', async () => {
    await client.query('BEGIN');
    await client.query('INSERT INTO buildings (project_id, name, geom, active) VALUES (1, $1, NULL, true)', ['broken']);
    const sql = plan.backups.validationQueries.find((q) => q.name === 'error_count')?.sql ?? '';
    const { rows } = await client.query(sql);
    await client.query('ROLLBACK');
    expect(Number(Object.values(rows[0] ?? {})[0])).toBe(1);
  });
});
