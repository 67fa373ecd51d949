-- name: set_utc
SET LOCAL timezone TO 'UTC';

-- name: chain_rows
-- Every log row in chain order, with the canonical text its hash covers (computed in Python).
SELECT seq, tbl, prev_hash, row_hash, canonical FROM (
    SELECT seq, 'suggestions' AS tbl, prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text AS canonical FROM suggestions t
    UNION ALL
    SELECT seq, 'routes', prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text FROM routes t
    UNION ALL
    SELECT seq, 'policy_versions', prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text FROM policy_versions t
    UNION ALL
    SELECT seq, 'review_events', prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text FROM review_events t
    UNION ALL
    SELECT seq, 'decisions', prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text FROM decisions t
    UNION ALL
    SELECT seq, 'phi_reads', prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text FROM phi_reads t
    UNION ALL
    SELECT seq, 'audit_events', prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text FROM audit_events t
    UNION ALL
    SELECT seq, 'referral_case_events', prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text FROM referral_case_events t
) chain
ORDER BY seq;

-- name: chain_head
SELECT seq, hash FROM audit_head WHERE id;

-- name: row_at_seq
SELECT seq, row_hash FROM (
    SELECT seq, row_hash FROM suggestions UNION ALL SELECT seq, row_hash FROM routes
    UNION ALL SELECT seq, row_hash FROM policy_versions UNION ALL SELECT seq, row_hash FROM review_events
    UNION ALL SELECT seq, row_hash FROM decisions UNION ALL SELECT seq, row_hash FROM phi_reads
    UNION ALL SELECT seq, row_hash FROM audit_events
    UNION ALL SELECT seq, row_hash FROM referral_case_events
) chain WHERE seq = %(seq)s;

-- name: protected_tables
-- Tables that carry the chain trigger, to check the Python list against the database.
SELECT c.relname AS tbl
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
WHERE tg.tgname = 'audit_chain' AND NOT tg.tgisinternal
ORDER BY c.relname;

-- name: insert_audit_event
INSERT INTO audit_events (id, actor, unit_id, action, subject, detail)
VALUES (%(id)s, %(actor)s, %(unit_id)s, %(action)s, %(subject)s, %(detail)s)
RETURNING seq, row_hash, at;

-- name: insert_phi_read
INSERT INTO phi_reads (id, actor, unit_id, subject, purpose, fields)
VALUES (%(id)s, %(actor)s, %(unit_id)s, %(subject)s, %(purpose)s, %(fields)s)
RETURNING seq, row_hash, at;

-- name: list_audit_events
SELECT seq, at, actor, unit_id, action, subject, detail FROM audit_events
WHERE (%(action)s::text IS NULL OR action = %(action)s)
ORDER BY seq DESC LIMIT %(limit)s;
