-- Appointments (operational data: outcomes are filled in when known) and the actions taken on
-- no-show suggestions (insert-only: what was applied, by whom, from which suggestion/decision).
CREATE TABLE appointments (
    unit_id         uuid NOT NULL REFERENCES service_units (id),
    id              text NOT NULL,
    patient_mrn     text NOT NULL,
    scheduled_at    timestamp NOT NULL,  -- the clinic's local wall time, as booking systems record it
    appointment_day date NOT NULL,
    specialty       text,
    sms_reminder    boolean NOT NULL DEFAULT false,
    telehealth      boolean NOT NULL DEFAULT false,
    hypertension    boolean NOT NULL DEFAULT false,
    diabetes        boolean NOT NULL DEFAULT false,
    alcoholism      boolean NOT NULL DEFAULT false,
    handicap        integer NOT NULL DEFAULT 0,
    scholarship     boolean NOT NULL DEFAULT false,
    no_show         boolean,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, id)
);
CREATE INDEX appointments_day ON appointments (unit_id, appointment_day);
CREATE INDEX appointments_patient ON appointments (unit_id, patient_mrn, appointment_day);

CREATE TABLE scheduling_actions (
    id             uuid PRIMARY KEY,
    unit_id        uuid NOT NULL REFERENCES service_units (id),
    appointment_id text NOT NULL,
    action         text NOT NULL,
    suggestion_id  uuid NOT NULL REFERENCES suggestions (id),
    decision_id    uuid REFERENCES decisions (id),
    applied_by     text NOT NULL,
    applied_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER scheduling_actions_no_change BEFORE UPDATE OR DELETE ON scheduling_actions
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
