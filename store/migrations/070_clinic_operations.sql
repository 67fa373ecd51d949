-- Running a real clinic (issue 12): people reachable by e-mail, corrected claim versions and claim
-- status, work marks on filed items and outreach, a notification outbox, scheduled-task runs, daily QA
-- summaries, OCR word boxes of fax pages, and where each registry record came from.
-- None of the hash-chained log tables is altered; the tables altered here are configuration or
-- insert-only working tables outside the chain.

-- People: an optional e-mail address for notifications (never PHI in a message).
ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$');

-- The patient registry: when a record last changed and from which import.
ALTER TABLE patients ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE patients ADD COLUMN source text;

-- Claims: a biller's correction is a new version of the same claim (the old row is never changed).
ALTER TABLE claims ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE claims ADD COLUMN corrects uuid REFERENCES claims (id);
ALTER TABLE claims ADD COLUMN decision_id uuid REFERENCES decisions (id);
ALTER TABLE claims DROP CONSTRAINT claims_inbound_item_id_claim_key_key;
ALTER TABLE claims ADD CONSTRAINT claims_item_key_version UNIQUE (inbound_item_id, claim_key, version);

-- What happened to each claim version, insert-only: checked and ready to submit, waiting for a
-- biller, held (with the reason), or corrected (superseded by the next version).
CREATE TABLE claim_events (
    id          uuid PRIMARY KEY,
    claim_id    uuid NOT NULL REFERENCES claims (id),
    unit_id     uuid NOT NULL REFERENCES service_units (id),
    event       text NOT NULL CHECK (event IN ('ready', 'review', 'held', 'corrected')),
    reason_code text,
    note        text,
    decision_id uuid REFERENCES decisions (id),
    actor       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claim_events_claim ON claim_events (claim_id, at);
CREATE INDEX claim_events_unit ON claim_events (unit_id, at);
CREATE TRIGGER claim_events_no_change BEFORE UPDATE OR DELETE ON claim_events
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();

-- Work lists: a person marks a filed item or an outreach action done (insert-only).
CREATE TABLE work_marks (
    id      uuid PRIMARY KEY,
    unit_id uuid NOT NULL REFERENCES service_units (id),
    subject text NOT NULL,  -- filing:<uuid> or action:<uuid>
    status  text NOT NULL CHECK (status IN ('done', 'reopened')),
    note    text,
    actor   text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX work_marks_subject ON work_marks (subject, at);
CREATE TRIGGER work_marks_no_change BEFORE UPDATE OR DELETE ON work_marks
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();

-- Notifications waiting to be sent (an outbox written in the gate's transaction; a worker sends).
CREATE TABLE notifications (
    id             uuid PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    unit_id        uuid NOT NULL REFERENCES service_units (id),
    kind           text NOT NULL,
    queue          text,
    review_item_id uuid REFERENCES review_items (id),
    detail         jsonb NOT NULL DEFAULT '{}'::jsonb,  -- never PHI: codes, counts and links only
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts       integer NOT NULL DEFAULT 0,
    last_error     text,
    sent_at        timestamptz
);
CREATE INDEX notifications_pending ON notifications (created_at) WHERE status = 'pending';
-- One notification of a kind per review item, however often the item's suggestion is replaced.
CREATE UNIQUE INDEX notifications_item_kind ON notifications (review_item_id, kind) WHERE review_item_id IS NOT NULL;

-- Scheduled tasks: the latest run of each, and a history of every run that did something.
CREATE TABLE scheduled_tasks (
    task         text PRIMARY KEY,
    last_started timestamptz,
    last_finished timestamptz,
    last_ok      boolean,
    last_summary text,
    runs         bigint NOT NULL DEFAULT 0,
    failures     bigint NOT NULL DEFAULT 0
);
CREATE TABLE scheduled_runs (
    id          bigserial PRIMARY KEY,
    task        text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    ok          boolean NOT NULL,
    summary     text NOT NULL
);
CREATE INDEX scheduled_runs_task ON scheduled_runs (task, started_at DESC);

-- The daily QA summary per unit (figures only, no PHI).
CREATE TABLE qa_summaries (
    unit_id    uuid NOT NULL REFERENCES service_units (id),
    day        date NOT NULL,
    figures    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, day)
);

-- OCR words of each fax page with their boxes (fractions of the page), so evidence can be drawn on
-- the page image a reviewer sees. Written once per page, never changed.
CREATE TABLE fax_page_words (
    item_id uuid NOT NULL REFERENCES inbound_items (id),
    page_no integer NOT NULL CHECK (page_no >= 1),
    words   jsonb NOT NULL,
    PRIMARY KEY (item_id, page_no)
);
CREATE TRIGGER fax_page_words_no_change BEFORE UPDATE OR DELETE ON fax_page_words
    FOR EACH ROW EXECUTE FUNCTION inbound_forbid_change();
