import { stopPostgres, type TestPostgres } from './postgres';

/** Stops the server that global-setup started and removes its data directory. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__EDR_TEST_PG__ as TestPostgres | undefined;
  if (server) stopPostgres(server);
}
