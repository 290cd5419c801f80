import { Client } from 'pg';

/** Where the test server runs, and the directory of its binaries (pg_dump, pg_restore). */
export interface TestServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly binDir: string;
}

/** The test server that the integration project's globalSetup started (EDR_TEST_PG* variables). */
export function testServer(): TestServer {
  const { EDR_TEST_PGHOST: host, EDR_TEST_PGPORT: port, EDR_TEST_PGUSER: user, EDR_TEST_PGBIN: binDir } = process.env;
  if (!host || !port || !user || !binDir) {
    throw new Error(
      'the test PostgreSQL server is not running: run the test under test/integration through jest, whose globalSetup starts it',
    );
  }
  return { host, port: Number(port), user, binDir };
}

/** Client settings for `database` on the test server. */
function connection(database: string): { host: string; port: number; user: string; database: string } {
  const { host, port, user } = testServer();
  return { host, port, user, database };
}

/** Creates (or recreates) a database on the test server and returns a connected client. */
export async function testDatabase(name: string): Promise<Client> {
  const admin = new Client(connection('postgres'));
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const client = new Client(connection(name));
  await client.connect();
  return client;
}

/** The plan's three tables, PostGIS geometry with a GiST index, and a few rows. */
export async function createPlanSchema(client: Client): Promise<void> {
  await client.query(`
    CREATE EXTENSION IF NOT EXISTS postgis;
    CREATE TABLE projects (
      id serial PRIMARY KEY,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      modified_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE buildings (
      id serial PRIMARY KEY,
      project_id integer NOT NULL REFERENCES projects(id),
      name text NOT NULL,
      geom geometry(Polygon, 4326),
      active boolean NOT NULL DEFAULT true
    );
    CREATE INDEX buildings_geom_idx ON buildings USING gist (geom);
    CREATE TABLE optimizations (
      id serial PRIMARY KEY,
      project_id integer NOT NULL REFERENCES projects(id),
      score double precision NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO projects (name) VALUES ('Riverside'), ('Hilltop');
    INSERT INTO buildings (project_id, name, geom) VALUES
      (1, 'A', ST_GeomFromText('POLYGON((0 0, 0 1, 1 1, 1 0, 0 0))', 4326)),
      (2, 'B', ST_GeomFromText('POLYGON((2 2, 2 3, 3 3, 3 2, 2 2))', 4326));
    INSERT INTO optimizations (project_id, score) VALUES (1, 0.82), (2, 0.67);
  `);
}
