-- name: create_migrations_table
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    sha256     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: applied_migrations
SELECT version, name, sha256, applied_at FROM schema_migrations ORDER BY version;

-- name: record_migration
INSERT INTO schema_migrations (version, name, sha256) VALUES (%(version)s, %(name)s, %(sha256)s);

-- name: lock_migrations
SELECT pg_advisory_lock(%(lock)s);

-- name: unlock_migrations
SELECT pg_advisory_unlock(%(lock)s);

-- name: job_schema_present
SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present;
