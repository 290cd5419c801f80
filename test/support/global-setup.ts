import { startPostgres } from './postgres';

/** Starts one PostgreSQL + PostGIS server for the whole run; workers find it through EDR_TEST_PG* variables. */
export default async function globalSetup(): Promise<void> {
  const server = await startPostgres();
  process.env.EDR_TEST_PGHOST = server.host;
  process.env.EDR_TEST_PGPORT = String(server.port);
  process.env.EDR_TEST_PGUSER = server.user;
  process.env.EDR_TEST_PGBIN = server.binDir;
  (globalThis as Record<string, unknown>).__EDR_TEST_PG__ = server;
}
