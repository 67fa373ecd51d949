-- Claims as received (Handoff JSON or parsed from an 837P), insert-only: the input the claims agent
-- checked, and what duplicate detection compares against.
CREATE TABLE claims (
    id                 uuid PRIMARY KEY,
    seq                bigserial NOT NULL UNIQUE,  -- arrival order, also within one batch
    unit_id            uuid NOT NULL REFERENCES service_units (id),
    inbound_item_id    uuid NOT NULL REFERENCES inbound_items (id),
    claim_key          text NOT NULL,
    patient_id         text NOT NULL,
    billing_npi        text NOT NULL,
    payer_id           text NOT NULL,
    first_service_date date NOT NULL,
    total_charge       numeric(14, 2),
    payload            jsonb NOT NULL,
    context            jsonb NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (inbound_item_id, claim_key)
);
CREATE INDEX claims_patient ON claims (unit_id, patient_id, first_service_date);
CREATE TRIGGER claims_no_change BEFORE UPDATE OR DELETE ON claims
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
