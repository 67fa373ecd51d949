-- Inbound items as accepted: content-addressed (sha256) and stored before any processing
-- (DESIGN promise 7). Re-sending the same bytes to the same unit and channel is idempotent.
CREATE TABLE inbound_items (
    id          uuid PRIMARY KEY,
    unit_id     uuid NOT NULL REFERENCES service_units (id),
    channel     text NOT NULL CHECK (channel IN ('fax', 'message', 'referral', 'appointments', 'claim')),
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes  bigint NOT NULL CHECK (size_bytes >= 0),
    media_type  text NOT NULL,
    filename    text,
    received_by text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, channel, sha256)
);

-- Processing outcomes are appended, never edited: accepted, queued, processed, failed, degraded.
CREATE TABLE inbound_events (
    id         bigserial PRIMARY KEY,
    item_id    uuid NOT NULL REFERENCES inbound_items (id),
    at         timestamptz NOT NULL DEFAULT now(),
    event      text NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX inbound_events_item ON inbound_events (item_id, id);

CREATE FUNCTION inbound_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is insert-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER inbound_items_no_change BEFORE UPDATE OR DELETE ON inbound_items
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER inbound_events_no_change BEFORE UPDATE OR DELETE ON inbound_events
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
