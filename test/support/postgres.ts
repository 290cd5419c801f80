/**
 * The test server: `startPostgres`/`stopPostgres` ship with the dump restore runner
 * (functions/restore-runner/local-postgres.ts), which starts its throwaway server the same way.
 */
export {
  type LocalPostgres as TestPostgres,
  startPostgres,
  stopPostgres,
} from '../../functions/restore-runner/local-postgres';
