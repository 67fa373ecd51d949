-- Accepted files kept in the database (HANDOFF_BLOB_STORE=postgres), so that every host running an
-- API or a worker reads every file. Content-addressed and insert-only, like the filesystem store.

CREATE TABLE blobs (
    sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    data       bytea NOT NULL,
    size_bytes bigint NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now()
);
-- The bytes are already compressed (fax TIFF, PDF, JPEG) more often than not: store them as they are.
ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TRIGGER blobs_no_change BEFORE UPDATE OR DELETE ON blobs
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
