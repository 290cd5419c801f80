-- The read-only role the DR validator logs in as (IAM database authentication, no password).
-- Run once, as the master user, on the production instance (PostgreSQL 14 or later): snapshots, restores and
-- replicas carry the role with them. Idempotent: running it again changes nothing.
--   psql "host=<endpoint> dbname=entmoot user=<master> sslmode=verify-full sslrootcert=global-bundle.pem" -f sql/dr-validator.sql

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'dr_validator') THEN
    CREATE ROLE dr_validator LOGIN;
  END IF;
END
$$;

-- No power beyond reading: not a superuser, creates nothing, never bypasses row-level security.
ALTER ROLE dr_validator WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;

-- On RDS, a member of rds_iam logs in only with an IAM token (rds-db:connect); no password exists.
GRANT rds_iam TO dr_validator;

-- SELECT on every table, view and sequence, in every schema and database, now and later (PostgreSQL 14+).
GRANT pg_read_all_data TO dr_validator;

-- Every transaction starts read-only; a session that asks for READ WRITE still has no write privilege.
ALTER ROLE dr_validator SET default_transaction_read_only = on;
