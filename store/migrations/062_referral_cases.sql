-- Referral cases (issue 13): an accepted referral opens a case that is followed to the report sent
-- back. The case row is what was opened; every change (status, owner, due date, a document
-- attached, a letter drafted) is a row of referral_case_events, which joins the hash chain of
-- migration 003 (append-only, verified by `handoff audit verify`).

CREATE TABLE referral_cases (
    id                  uuid PRIMARY KEY,
    seq                 bigserial NOT NULL UNIQUE,
    unit_id             uuid NOT NULL REFERENCES service_units (id),
    opened_from_part_id uuid NOT NULL UNIQUE REFERENCES inbound_parts (id),
    patient_id          uuid REFERENCES patients (id),
    service             text,
    sender              jsonb NOT NULL DEFAULT '{}'::jsonb,
    urgency             text NOT NULL DEFAULT 'routine',
    opened_by           text NOT NULL,
    opened_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_cases_patient ON referral_cases (patient_id, opened_at);
CREATE INDEX referral_cases_unit ON referral_cases (unit_id, opened_at);
CREATE TRIGGER referral_cases_no_change BEFORE UPDATE OR DELETE ON referral_cases
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();

CREATE TABLE referral_case_events (
    seq          bigint NOT NULL UNIQUE,
    prev_hash    text NOT NULL,
    row_hash     text NOT NULL,
    id           uuid PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    case_id      uuid NOT NULL REFERENCES referral_cases (id),
    event        text NOT NULL,
    status_after text NOT NULL CHECK (status_after IN ('received', 'information_missing', 'complete',
                                                       'authorization_pending', 'scheduled', 'seen',
                                                       'report_sent_back', 'cancelled')),
    owner_after  text,
    due_after    date,
    actor        text NOT NULL,
    detail       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX referral_case_events_case ON referral_case_events (case_id, seq);
SELECT audit_protect('referral_case_events');
