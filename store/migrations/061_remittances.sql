-- Remittances back to the claim (issue 13): 835 payments and the claims they adjudicate (matched
-- to the claims we checked by CLP01 = CLM01), 277 claim statuses, the denial work list, and the
-- letters drafted for people to send (appeals, information requests, report covers). Insert-only.

CREATE TABLE remittances (
    id              uuid PRIMARY KEY,
    unit_id         uuid NOT NULL REFERENCES service_units (id),
    inbound_item_id uuid REFERENCES inbound_items (id),
    payer_id        text,
    payer_name      text,
    payment_amount  numeric(14, 2),
    payment_method  text,
    payment_date    date,
    trace_number    text,
    production_date date,
    issues          integer NOT NULL DEFAULT 0,
    received_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE remittance_claims (
    id                     uuid PRIMARY KEY,
    seq                    bigserial NOT NULL UNIQUE,
    remittance_id          uuid NOT NULL REFERENCES remittances (id),
    unit_id                uuid NOT NULL REFERENCES service_units (id),
    claim_row_id           uuid REFERENCES claims (id),  -- NULL: no checked claim has this CLP01
    claim_key              text NOT NULL,
    payer_id               text,
    status_code            text NOT NULL,
    outcome                text NOT NULL CHECK (outcome IN ('paid', 'denied', 'underpaid', 'patient_responsibility')),
    charge                 numeric(14, 2),
    paid                   numeric(14, 2),
    patient_responsibility numeric(14, 2),
    payer_claim_number     text,
    denial_carcs           text[] NOT NULL DEFAULT '{}',
    remarks                text[] NOT NULL DEFAULT '{}',
    adjustments            jsonb NOT NULL,
    lines                  jsonb NOT NULL,
    service_start          date,
    received_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX remittance_claims_claim ON remittance_claims (claim_row_id, seq);
CREATE INDEX remittance_claims_unit ON remittance_claims (unit_id, received_at);

CREATE TABLE claim_status_reports (
    id                 uuid PRIMARY KEY,
    unit_id            uuid NOT NULL REFERENCES service_units (id),
    inbound_item_id    uuid REFERENCES inbound_items (id),
    claim_row_id       uuid REFERENCES claims (id),
    claim_key          text,
    payer_id           text,
    level              text NOT NULL,
    category           text NOT NULL,
    status_code        text,
    entity             text,
    status_on          date,
    charge             numeric(14, 2),
    paid               numeric(14, 2),
    payer_claim_number text,
    received_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_status_reports_claim ON claim_status_reports (claim_row_id, received_at);

-- Letters drafted from templates in prompts/ for a person to check and send; the template's hash
-- says which version wrote it.
CREATE TABLE letters (
    id              uuid PRIMARY KEY,
    unit_id         uuid NOT NULL REFERENCES service_units (id),
    kind            text NOT NULL CHECK (kind IN ('appeal', 'info_request', 'report_cover')),
    subject         text NOT NULL,
    recipient       text,
    template        text NOT NULL,
    template_sha256 text NOT NULL,
    body            text NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX letters_subject ON letters (subject, created_at);

-- The denial work list: one row per denied or underpaid remittance claim, its root cause (the
-- rule that would have caught it, or payer-only), remedy, appeal draft and the suggestion the gate
-- routed to a biller.
CREATE TABLE denials (
    id                   uuid PRIMARY KEY,
    unit_id              uuid NOT NULL REFERENCES service_units (id),
    remittance_claim_id  uuid NOT NULL UNIQUE REFERENCES remittance_claims (id),
    claim_row_id         uuid REFERENCES claims (id),
    claim_key            text NOT NULL,
    payer_id             text,
    kind                 text NOT NULL CHECK (kind IN ('denied', 'underpaid')),
    carcs                text[] NOT NULL,
    remarks              text[] NOT NULL DEFAULT '{}',
    charge               numeric(14, 2),
    paid                 numeric(14, 2),
    root_cause           text NOT NULL,
    root_cause_kind      text,
    root_cause_detail    text,
    remedy               text NOT NULL,
    appeal_letter_id     uuid REFERENCES letters (id),
    suggestion_id        uuid REFERENCES suggestions (id),
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX denials_unit ON denials (unit_id, created_at);

CREATE TRIGGER remittances_no_change BEFORE UPDATE OR DELETE ON remittances
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER remittance_claims_no_change BEFORE UPDATE OR DELETE ON remittance_claims
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER claim_status_reports_no_change BEFORE UPDATE OR DELETE ON claim_status_reports
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER letters_no_change BEFORE UPDATE OR DELETE ON letters
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER denials_no_change BEFORE UPDATE OR DELETE ON denials
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
