-- The review queue's working state. It is a projection: the truth is review_events and decisions
-- (append-only); this table exists so that claims can use FOR UPDATE SKIP LOCKED and leases.
CREATE TABLE review_items (
    id            uuid PRIMARY KEY,
    unit_id       uuid NOT NULL REFERENCES service_units (id),
    suggestion_id uuid NOT NULL REFERENCES suggestions (id),
    route_id      uuid NOT NULL REFERENCES routes (id),
    subject       text NOT NULL,
    queue         text NOT NULL,
    priority      text NOT NULL CHECK (priority IN ('routine', 'urgent', 'emergent')),
    priority_rank smallint NOT NULL,
    sla_due       timestamptz NOT NULL,
    status        text NOT NULL CHECK (status IN ('ready', 'in-progress', 'completed', 'rejected', 'cancelled')),
    qa_sample     boolean NOT NULL DEFAULT false,
    two_reviewers boolean NOT NULL DEFAULT false,
    holder        text,
    lease_until   timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- The same subject never sits in a queue twice.
CREATE UNIQUE INDEX review_items_open_subject ON review_items (subject, queue)
    WHERE status IN ('ready', 'in-progress');
CREATE INDEX review_items_next ON review_items (unit_id, queue, priority_rank DESC, sla_due, created_at)
    WHERE status = 'ready';
