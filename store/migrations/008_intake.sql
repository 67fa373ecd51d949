-- The patient registry (shared by every agent) and, for intake, the agent matches against, the document parts of each inbound item
-- the document parts of each inbound item (a fax packet splits into several), their embeddings
-- (pgvector) and what was finally filed.

CREATE TABLE patients (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES organizations (id),
    mrn            text NOT NULL,
    given_name     text NOT NULL,
    family_name    text NOT NULL,
    birth_date     date NOT NULL,
    sex            text NOT NULL,
    member_id      text,
    payer          text,
    language       text,
    race_ethnicity text,
    distance_km    double precision,
    has_transport  boolean,
    phone          text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, mrn)
);
CREATE INDEX patients_dob ON patients (org_id, birth_date);
CREATE INDEX patients_member ON patients (org_id, member_id);

CREATE TABLE inbound_parts (
    id             uuid PRIMARY KEY,
    item_id        uuid NOT NULL REFERENCES inbound_items (id),
    part_no        integer NOT NULL,
    page_start     integer,
    page_end       integer,
    text           text NOT NULL,
    ocr_confidence double precision,
    degraded       boolean NOT NULL DEFAULT false,
    degraded_reason text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (item_id, part_no)
);

CREATE TABLE part_embeddings (
    part_id    uuid PRIMARY KEY REFERENCES inbound_parts (id),
    unit_id    uuid NOT NULL REFERENCES service_units (id),
    patient_id uuid REFERENCES patients (id),
    doc_type   text,
    embedding  vector(384) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX part_embeddings_hnsw ON part_embeddings USING hnsw (embedding vector_cosine_ops);
CREATE INDEX part_embeddings_patient ON part_embeddings (patient_id, created_at);

-- What was filed for each part, by the gate (auto) or after a reviewer's decision. Insert-only.
CREATE TABLE intake_filings (
    id            uuid PRIMARY KEY,
    part_id       uuid NOT NULL REFERENCES inbound_parts (id),
    suggestion_id uuid NOT NULL REFERENCES suggestions (id),
    decision_id   uuid REFERENCES decisions (id),
    value         jsonb NOT NULL,
    queue         text NOT NULL,
    filed_by      text NOT NULL,
    filed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX intake_filings_part ON intake_filings (part_id, filed_at);

CREATE TRIGGER inbound_parts_no_change BEFORE UPDATE OR DELETE ON inbound_parts
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
CREATE TRIGGER intake_filings_no_change BEFORE UPDATE OR DELETE ON intake_filings
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
