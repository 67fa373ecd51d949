-- Coverage and authorizations as records (issue 13): payer profiles (the rules a payer applies),
-- the coverage registry read from 271 and 834 files, the 270 inquiries we wrote, and prior
-- authorizations. Every table is insert-only: a later fact is a new row, the latest one wins.

-- X12 files arrive as inbound items too (stored before processing, idempotent by content).
ALTER TABLE inbound_items DROP CONSTRAINT inbound_items_channel_check;
ALTER TABLE inbound_items ADD CONSTRAINT inbound_items_channel_check CHECK (channel IN (
    'fax', 'message', 'referral', 'appointments', 'claim', 'eligibility', 'enrollment', 'remit', 'claim_status'));

-- A payer as the organization bills it: its id on claims, the registry's payer category that maps
-- patients to it, and the rules claims are checked against (models.claims.PayerRules).
CREATE TABLE payer_profiles (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organizations (id),
    payer_id    text NOT NULL,
    name        text,
    category    text,
    rules       jsonb NOT NULL,
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payer_profiles_latest ON payer_profiles (org_id, payer_id, changed_at DESC);

-- What a payer said about a member's coverage, one row per observation (a 271 answer or an 834
-- member loop). The registry's view of a member is the latest row per (org, payer, member).
CREATE TABLE coverage_records (
    id                          uuid PRIMARY KEY,
    org_id                      uuid NOT NULL REFERENCES organizations (id),
    unit_id                     uuid REFERENCES service_units (id),
    payer_id                    text NOT NULL,
    member_id                   text NOT NULL,
    status                      text NOT NULL CHECK (status IN ('active', 'inactive', 'rejected', 'unknown', 'terminated')),
    plan                        text,
    coverage_start              date,
    coverage_end                date,
    given_name                  text,
    family_name                 text,
    birth_date                  date,
    sex                         text,
    dependent                   boolean NOT NULL DEFAULT false,
    auth_required_service_types text[] NOT NULL DEFAULT '{}',
    detail                      jsonb NOT NULL DEFAULT '{}'::jsonb,
    source                      text NOT NULL CHECK (source IN ('271', '834')),
    source_item_id              uuid REFERENCES inbound_items (id),
    trace_number                text,
    as_of                       date,
    recorded_at                 timestamptz NOT NULL DEFAULT now(),
    seq                         bigserial NOT NULL UNIQUE
);
CREATE INDEX coverage_records_member ON coverage_records (org_id, payer_id, member_id, seq DESC);
CREATE INDEX coverage_records_trace ON coverage_records (trace_number);

-- 270 inquiries written for a day's appointments (one row per appointment asked about), so the
-- 271 answers can be tied back to the visit by trace number.
CREATE TABLE eligibility_requests (
    id              uuid PRIMARY KEY,
    unit_id         uuid NOT NULL REFERENCES service_units (id),
    appointment_id  text NOT NULL,
    appointment_day date NOT NULL,
    patient_mrn     text NOT NULL,
    payer_id        text,
    member_id       text,
    trace_number    text UNIQUE,
    problem         text,  -- why no 270 could be written (no member id, unknown payer), else NULL
    file_name       text,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eligibility_requests_day ON eligibility_requests (unit_id, appointment_day);

-- Prior authorizations (from a CSV import or a reviewed prior_auth intake item). Re-importing the
-- same row is a no-op (content hash); a changed authorization is a new row and the latest wins.
CREATE TABLE prior_authorizations (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES organizations (id),
    unit_id          uuid REFERENCES service_units (id),
    number           text NOT NULL,
    payer_id         text NOT NULL,
    member_id        text NOT NULL,
    codes            text[] NOT NULL,
    units_authorized numeric(12, 2),
    start_date       date NOT NULL,
    end_date         date NOT NULL CHECK (end_date >= start_date),
    provider_npi     text,
    patient_mrn      text,
    source           text NOT NULL CHECK (source IN ('csv', 'intake', 'api')),
    source_ref       text,
    content_sha256   text NOT NULL,
    recorded_by      text NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    seq              bigserial NOT NULL UNIQUE,
    UNIQUE (org_id, content_sha256)
);
CREATE INDEX prior_authorizations_member ON prior_authorizations (org_id, payer_id, member_id);
CREATE INDEX prior_authorizations_number ON prior_authorizations (org_id, payer_id, number, seq DESC);

CREATE TRIGGER payer_profiles_no_change BEFORE UPDATE OR DELETE ON payer_profiles
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER coverage_records_no_change BEFORE UPDATE OR DELETE ON coverage_records
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER eligibility_requests_no_change BEFORE UPDATE OR DELETE ON eligibility_requests
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER prior_authorizations_no_change BEFORE UPDATE OR DELETE ON prior_authorizations
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
