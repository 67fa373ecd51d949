-- name: set_utc
SET LOCAL timezone TO 'UTC';

-- name: chain_rows_of_table
-- A template (identifiers filled in by store/audit.py with psycopg.sql): one log table's rows in a seq
-- range, with the canonical text their hash covers (the hash is recomputed in Python). The tables'
-- parts are joined with UNION ALL and ordered by seq (a merge of their unique seq indexes).
SELECT seq, {name} AS tbl, prev_hash, row_hash, (to_jsonb(t) - 'row_hash')::text AS canonical
FROM {tbl} t WHERE seq > %(after)s AND seq <= %(upto)s

-- name: row_hash_at_seq_of_table
-- A template, as above: the row of one table at each of some seqs.
SELECT seq, {name} AS tbl, row_hash FROM {tbl} WHERE seq = ANY(%(seqs)s)

-- name: chain_config
SELECT shards, fork_seq, fork_hash FROM audit_chain_config WHERE id;

-- name: chain_heads
SELECT shard, seq, hash FROM audit_heads ORDER BY shard;

-- name: lock_chain_heads
-- Waits for every append in flight to commit, then holds them off for the rest of this short
-- transaction: the heads read here cover every row with seq <= their maximum, and no other.
SELECT shard, seq, hash FROM audit_heads ORDER BY shard FOR SHARE;

-- name: rows_since_fork
SELECT count(*) FILTER (WHERE seq <> (SELECT fork_seq FROM audit_chain_config)) AS moved FROM audit_heads;

-- name: set_shards
UPDATE audit_chain_config SET shards = %(shards)s WHERE id;

-- name: delete_heads
DELETE FROM audit_heads;

-- name: insert_heads
INSERT INTO audit_heads (shard, seq, hash)
SELECT s, c.fork_seq, c.fork_hash FROM audit_chain_config c, generate_series(0, %(shards)s - 1) s;

-- name: reset_seq
SELECT setval('audit_seq', (SELECT fork_seq FROM audit_chain_config) / %(shards)s + 1, false);

-- name: insert_anchor
INSERT INTO audit_anchors (shards, max_seq, heads, verified)
VALUES (%(shards)s, %(max_seq)s, %(heads)s, %(verified)s) RETURNING id, taken_at;

-- name: last_verified_anchor
SELECT id, taken_at, shards, max_seq, heads FROM audit_anchors WHERE verified ORDER BY id DESC LIMIT 1;

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
