/**
 * Benchmark of the database validator: a `buildings` table of 1,000,000 rows (polygons, GiST-indexed, analyzed)
 * on a local PostgreSQL + PostGIS with `ssl=on`, validated as `dr_validator` over TLS verify-full with the IAM
 * token as its password (as on RDS). Reports the median connect time (TCP + TLS + SCRAM), the median total of
 * `validateDatabase`, and each query's median. Starts and stops its own server. Run alone with
 * `npx tsx bench/validator.ts`.
 */
import { connect, type ValidatorConnection } from '../functions/validator/connect';
import { validateDatabase } from '../functions/validator/validate-database';
import { defaultPlan } from '../lib/plan';
import { startTlsPostgres, validatorOptions } from '../test/support/tls-postgres';

const ROWS = 1_000_000;
const RUNS = Number(process.env.EDR_BENCH_VALIDATOR_RUNS ?? 5);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const round = (n: number): number => Math.round(n * 10) / 10;

/** The validator's timings on a 1,000,000-row `buildings` table. */
export async function benchValidator(): Promise<Record<string, unknown>> {
  const pg = await startTlsPostgres();
  try {
    const database = 'edr_bench_validator';
    const generationStarted = Date.now();
    await pg.createDatabase(database);
    const admin = await pg.admin(database);
    try {
      await admin.query('DROP INDEX buildings_geom_idx');
      await admin.query(
        `INSERT INTO buildings (project_id, name, geom, active)
         SELECT 1 + i % 2, 'building ' || i,
                ST_MakeEnvelope(x, y, x + 0.0005, y + 0.0005, 4326), i % 10 <> 0
         FROM (SELECT i, -120 + (i % 1000) * 0.001 AS x, 35 + (i / 1000) * 0.001 AS y
               FROM generate_series(1, ${ROWS - 2}) AS i) AS g`,
      );
      await admin.query('CREATE INDEX buildings_geom_idx ON buildings USING gist (geom)');
      await admin.query('ANALYZE');
    } finally {
      await admin.end();
    }
    const generationMs = Date.now() - generationStarted;
    const plan = defaultPlan();
    const open = (): Promise<ValidatorConnection> =>
      connect(validatorOptions(pg, database, { connectTimeoutSeconds: plan.backups.validation.connectTimeoutSeconds }));

    const connectMs: number[] = [];
    const totalMs: number[] = [];
    const perQuery = new Map<string, number[]>();
    const bySql = new Map(plan.backups.validationQueries.map((q) => [q.sql, q.name]));
    let failures: string[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const connectStarted = process.hrtime.bigint();
      const session = await open();
      connectMs.push(ms(connectStarted));
      const timed: ValidatorConnection = {
        end: session.end,
        query: async (text, values) => {
          const started = process.hrtime.bigint();
          try {
            return await session.query(text, values);
          } finally {
            const name =
              bySql.get(text) ?? (text.startsWith('SELECT name FROM unnest') ? 'required_tables' : undefined);
            if (name) perQuery.set(name, [...(perQuery.get(name) ?? []), ms(started)]);
          }
        },
      };
      try {
        const started = process.hrtime.bigint();
        const results = await validateDatabase(timed, plan, {
          target: database,
          referenceTime: new Date(),
          deadline: new Date(Date.now() + 3_600_000),
        });
        totalMs.push(ms(started));
        failures = results.filter((r) => r.status !== 'PASS').map((r) => `${r.check}: ${r.detail}`);
      } finally {
        await session.end();
      }
    }
    return {
      rows: ROWS,
      runs: RUNS,
      generationMs,
      connectMedianMs: round(median(connectMs)),
      totalMedianMs: round(median(totalMs)),
      queries: Object.fromEntries([...perQuery].map(([name, times]) => [name, round(median(times))])),
      notPassing: failures,
    };
  } finally {
    pg.stop();
  }
}

if (require.main === module) {
  benchValidator().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
