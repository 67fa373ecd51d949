-- The model registry: every trained model version (intake classifier, no-show, denial) as skops
-- bytes with its metadata, sha256, the types the file holds (each on the loader's allowlist), the
-- evaluation run that admitted it, who registered it and when. Versions are never changed or
-- removed (a newer version supersedes); each registration is also an audit event in the chain.

CREATE TABLE model_versions (
    name           text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'),
    version        text NOT NULL CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'),
    registered_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    registered_by  text NOT NULL,
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    artifact       bytea NOT NULL,
    types          text[] NOT NULL,
    meta           jsonb NOT NULL,
    admitted_by    jsonb,
    PRIMARY KEY (name, version)
);
CREATE INDEX model_versions_latest ON model_versions (name, registered_at DESC);

CREATE TRIGGER model_versions_no_change BEFORE UPDATE OR DELETE ON model_versions
    FOR EACH ROW EXECUTE FUNCTION audit_forbid_change();
CREATE TRIGGER model_versions_no_truncate BEFORE TRUNCATE ON model_versions
    FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change();
