import type { Client } from 'pg';
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

  it('indexes the geometry column with GiST', async () => {
    const { rows } = await client.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'buildings' AND indexdef LIKE '%gist%'",
    );
    expect(rows).toHaveLength(1);
  });

  it('runs every validation query of the plan, each meeting its expectation', async () => {
    for (const query of plan.backups.validationQueries) {
      const { rows } = await client.query(query.sql);
      const value = Object.values(rows[0] ?? {})[0];
      if (query.expect) {
        const n = Number(value);
        const ok = {
          eq: n === query.expect.value,
          gte: n >= query.expect.value,
          gt: n > query.expect.value,
          lte: n <= query.expect.value,
        }[query.expect.op];
        expect({ query: query.name, value: n, ok }).toEqual({ query: query.name, value: n, ok: true });
      } else {
        expect(rows).toHaveLength(1);
      }
    }
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
