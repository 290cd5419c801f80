import { Client } from 'pg';

/** Connection settings of the test server started by jest's global setup. */
export function testServer(): { host: string; port: number; user: string } {
  const host = process.env.EDR_TEST_PGHOST;
  const port = Number(process.env.EDR_TEST_PGPORT);
  if (!host || !port)
    throw new Error('the test PostgreSQL server is not running: run the tests through jest (global setup starts it)');
  return { host, port, user: process.env.EDR_TEST_PGUSER ?? 'postgres' };
}

/** Creates (or recreates) a database on the test server and returns a connected client. */
export async function testDatabase(name: string): Promise<Client> {
  const admin = new Client({ ...testServer(), database: 'postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const client = new Client({ ...testServer(), database: name });
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
