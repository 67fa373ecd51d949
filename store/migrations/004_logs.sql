-- The log tables. Columns seq/prev_hash/row_hash are filled by the chain trigger.

CREATE TABLE suggestions (
    seq            bigint NOT NULL UNIQUE,
    prev_hash      text NOT NULL,
    row_hash       text NOT NULL,
    id             uuid PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    unit_id        uuid NOT NULL REFERENCES service_units (id),
    agent          text NOT NULL,
    kind           text NOT NULL,
    subject        text NOT NULL,
    label          text,
    value          jsonb NOT NULL,
    confidence     double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    urgency        text NOT NULL,
    amount         numeric(14, 2),
    evidence       jsonb NOT NULL,
    flags          text[] NOT NULL,
    model_version  text NOT NULL,
    prompt_hash    text,
    input_hash     text NOT NULL,
    patient_group  jsonb NOT NULL,
    contains_phi   boolean NOT NULL
);
CREATE INDEX suggestions_subject ON suggestions (subject, created_at);
CREATE INDEX suggestions_agent ON suggestions (agent, model_version, created_at);

CREATE TABLE routes (
    seq            bigint NOT NULL UNIQUE,
    prev_hash      text NOT NULL,
    row_hash       text NOT NULL,
    id             uuid PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    suggestion_id  uuid NOT NULL UNIQUE REFERENCES suggestions (id),
    unit_id        uuid NOT NULL REFERENCES service_units (id),
    decision       text NOT NULL CHECK (decision IN ('auto', 'review')),
    queue          text NOT NULL,
    priority       text NOT NULL CHECK (priority IN ('routine', 'urgent', 'emergent')),
    sla_due        timestamptz NOT NULL,
    reasons        text[] NOT NULL,
    policy_version integer NOT NULL,
    qa_sample      boolean NOT NULL,
    two_reviewers  boolean NOT NULL
);
CREATE INDEX routes_unit ON routes (unit_id, created_at);

CREATE TABLE policy_versions (
    seq        bigint NOT NULL UNIQUE,
    prev_hash  text NOT NULL,
    row_hash   text NOT NULL,
    unit_id    uuid NOT NULL REFERENCES service_units (id),
    version    integer NOT NULL CHECK (version >= 1),
    policy     jsonb NOT NULL,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    note       text,
    PRIMARY KEY (unit_id, version)
);

-- Review state changes: every claim, release, lease expiry, decision and cancellation.
CREATE TABLE review_events (
    seq            bigint NOT NULL UNIQUE,
    prev_hash      text NOT NULL,
    row_hash       text NOT NULL,
    id             uuid PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    review_item_id uuid NOT NULL,
    event          text NOT NULL,
    status_after   text NOT NULL,
    actor          text NOT NULL,
    detail         jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX review_events_item ON review_events (review_item_id, seq);

CREATE TABLE decisions (
    seq            bigint NOT NULL UNIQUE,
    prev_hash      text NOT NULL,
    row_hash       text NOT NULL,
    id             uuid PRIMARY KEY,
    decided_at     timestamptz NOT NULL DEFAULT now(),
    review_item_id uuid NOT NULL,
    unit_id        uuid NOT NULL REFERENCES service_units (id),
    suggestion_id  uuid NOT NULL REFERENCES suggestions (id),
    round          smallint NOT NULL DEFAULT 1,  -- 1, 2 for a second independent reviewer, 3 for an escalation
    final          boolean NOT NULL DEFAULT true,  -- false for the first of two independent decisions
    action         text NOT NULL CHECK (action IN ('accept', 'override', 'reject')),
    reason_code    text NOT NULL,
    new_value      jsonb,
    note           text,
    decided_by     text NOT NULL,
    item_version   integer NOT NULL
);
CREATE INDEX decisions_item ON decisions (review_item_id);
CREATE INDEX decisions_unit ON decisions (unit_id, decided_at);

-- Every read of PHI by a person or an integration (DESIGN promise 6).
CREATE TABLE phi_reads (
    seq       bigint NOT NULL UNIQUE,
    prev_hash text NOT NULL,
    row_hash  text NOT NULL,
    id        uuid PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    unit_id   uuid,
    subject   text NOT NULL,
    purpose   text NOT NULL,
    fields    text[] NOT NULL DEFAULT '{}'
);

-- Everything else a compliance officer must see: users added, roles granted, sign-ins, exports.
CREATE TABLE audit_events (
    seq       bigint NOT NULL UNIQUE,
    prev_hash text NOT NULL,
    row_hash  text NOT NULL,
    id        uuid PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    unit_id   uuid,
    action    text NOT NULL,
    subject   text,
    detail    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_action ON audit_events (action, at);

SELECT audit_protect('suggestions');
SELECT audit_protect('routes');
SELECT audit_protect('policy_versions');
SELECT audit_protect('review_events');
SELECT audit_protect('decisions');
SELECT audit_protect('phi_reads');
SELECT audit_protect('audit_events');
