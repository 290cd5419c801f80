import { defaultPlan, parsePlan, PlanError } from '../../lib/plan';

function issuesOf(input: unknown): string[] {
  try {
    parsePlan(input);
  } catch (error) {
    if (error instanceof PlanError) return error.issues;
    throw error;
  }
  throw new Error('expected the plan to be rejected');
}

describe('the plan’s database validation', () => {
  const plan = defaultPlan();
  const query = (name: string) => plan.backups.validationQueries.find((q) => q.name === name);

  it('gives each query 120 s of statement time and each connection 15 s', () => {
    expect(plan.backups.validation).toEqual({ statementTimeoutSeconds: 120, connectTimeoutSeconds: 15 });
  });

  it('keeps the seed plan’s query names', () => {
    expect(plan.backups.validationQueries.map((q) => q.name)).toEqual([
      'building_count',
      'project_count',
      'optimization_count',
      'error_count',
      'index_count',
      'postgis_works',
      'building_index_count',
      'project_primary_keys',
      'latest_modification',
    ]);
  });

  it('expects at least one row in each of the three tables and exactly one PostGIS sample', () => {
    for (const name of ['building_count', 'project_count', 'optimization_count'])
      expect(query(name)?.expect).toEqual({ op: 'gte', value: 1 });
    expect(query('postgis_works')?.expect).toEqual({ op: 'eq', value: 1 });
  });

  it('counts the primary key from pg_constraint and the GiST index from pg_indexes', () => {
    expect(query('project_primary_keys')?.sql).toBe(
      "SELECT COUNT(*) AS project_primary_keys FROM pg_constraint WHERE contype = 'p' AND conrelid = 'projects'::regclass",
    );
    expect(query('building_index_count')?.sql).toMatch(/FROM pg_indexes .*tablename = 'buildings'.*USING gist/);
  });

  it('expects the newest modification within 24 hours of the reference time', () => {
    expect(query('latest_modification')?.expect).toEqual({ op: 'withinHoursOf', hours: 24 });
  });

  it('refuses a withinHoursOf expectation without positive hours, naming the field', () => {
    expect(
      issuesOf({
        backups: {
          validationQueries: [{ name: 'fresh', sql: 'SELECT now()', expect: { op: 'withinHoursOf', hours: 0 } }],
        },
      }),
    ).toEqual(['plan.backups.validationQueries[0].expect.hours: must be greater than 0 (got 0)']);
  });

  it('refuses a statement timeout of 0 seconds, naming the field', () => {
    expect(issuesOf({ backups: { validation: { statementTimeoutSeconds: 0 } } })).toEqual([
      'plan.backups.validation.statementTimeoutSeconds: must be greater than 0 (got 0)',
    ]);
  });
});
