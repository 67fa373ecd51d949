-- Chain appends that do not serialize every writer (issue 15).
--
-- Until now every log insert locked the one chain head (audit_head) until commit, so all log writes
-- in the system ran one at a time. From here on the chain forks into `shards` independent chains:
--
--   * the rows written before this migration stay one chain ending at the fork (audit_head, frozen);
--   * each shard s has its own head row in audit_heads; every shard's first row has prev_hash = the
--     fork hash, and each later row the hash of the shard's previous row;
--   * a new row's seq is nextval(audit_seq) * shards + s: unique across every log table, increasing in
--     allocation order (so ORDER BY seq still reads as time order), and seq % shards names its shard;
--   * a transaction's first insert locks one shard head, the first one no other transaction holds
--     (SKIP LOCKED), and its later inserts append to the same shard, so up to `shards` transactions
--     append at once. Only a transaction holding no shard can ever wait: no deadlock.
--
-- Nothing in the log tables changes (no column added: old rows keep their hashes). A table joins the
-- chain exactly as before, with one line: SELECT audit_protect('the_table');

CREATE TABLE audit_chain_config (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    shards     integer NOT NULL CHECK (shards BETWEEN 1 AND 256),
    fork_seq   bigint NOT NULL,   -- the last seq of the single chain (0 on a fresh database)
    fork_hash  text NOT NULL      -- its hash: the prev_hash of every shard's first row
);

CREATE TABLE audit_heads (
    shard integer PRIMARY KEY,
    seq   bigint NOT NULL,
    hash  text NOT NULL
);

CREATE SEQUENCE audit_seq;

-- Anchors taken by `handoff audit anchor` and by every successful `handoff audit verify`: the heads of
-- every shard at one instant with no append in flight. `audit verify --incremental` starts from the
-- newest one. (An anchor kept here helps speed; one kept off this machine is what proves a rewrite.)
CREATE TABLE audit_anchors (
    id         bigserial PRIMARY KEY,
    taken_at   timestamptz NOT NULL DEFAULT now(),
    shards     integer NOT NULL,
    max_seq    bigint NOT NULL,
    heads      jsonb NOT NULL,
    verified   boolean NOT NULL
);

DO $$
DECLARE
    n CONSTANT integer := 16;
    head record;
BEGIN
    SELECT seq, hash INTO head FROM audit_head WHERE id FOR UPDATE;
    INSERT INTO audit_chain_config (shards, fork_seq, fork_hash) VALUES (n, head.seq, head.hash);
    INSERT INTO audit_heads (shard, seq, hash) SELECT s, head.seq, head.hash FROM generate_series(0, n - 1) s;
    -- The first new seq is above every old one.
    PERFORM setval('audit_seq', head.seq / n + 1, false);
END
$$;

-- The head a transaction appends to is kept in a transaction-local setting (handoff.chain_head =
-- "shard:seq:hash") and written back to audit_heads once, at commit, by a deferred trigger. Writing
-- the head row at every insert would leave one dead version of it per row inside the transaction, and
-- each later insert would walk them all: a batch of n rows would cost n^2. A savepoint rolled back
-- takes its rows and its setting change with it, so the two stay consistent.
CREATE OR REPLACE FUNCTION audit_chain_append() RETURNS trigger
LANGUAGE plpgsql
SET timezone TO 'UTC'
AS $$
DECLARE
    n integer;
    cur text;
    parts text[];
    shard integer;
    head_hash text;
    preferred integer;
BEGIN
    SELECT shards INTO n FROM audit_chain_config WHERE id;
    cur := current_setting('handoff.chain_head', true);
    IF cur IS NOT NULL AND cur <> '' THEN
        -- This transaction already holds a shard: append after its own last row.
        parts := string_to_array(cur, ':');
        shard := parts[1]::integer;
        head_hash := parts[3];
    ELSE
        -- Start from a shard of this connection's own (its pid), so one connection's rows mostly share
        -- a shard, and take the first head nobody else holds.
        preferred := pg_backend_pid() % n;
        SELECT h.shard, h.hash INTO shard, head_hash FROM audit_heads h
        ORDER BY (h.shard - preferred + n) % n
        LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            -- Every shard is busy: wait for ours (we hold none, so this cannot deadlock).
            SELECT h.shard, h.hash INTO shard, head_hash FROM audit_heads h WHERE h.shard = preferred FOR UPDATE;
        END IF;
    END IF;
    NEW.seq := nextval('audit_seq') * n + shard;
    NEW.prev_hash := head_hash;
    NEW.row_hash := '';
    NEW.row_hash := encode(sha256(convert_to(TG_TABLE_NAME || ':' || (to_jsonb(NEW) - 'row_hash')::text, 'UTF8')), 'hex');
    PERFORM set_config('handoff.chain_head', shard || ':' || NEW.seq || ':' || NEW.row_hash, true);
    RETURN NEW;
END
$$;

-- At commit: write the transaction's last row back as its shard's head (once; later calls find the
-- setting empty). The shard's row lock is held until then, so no one else appends to that shard.
CREATE FUNCTION audit_chain_flush() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    cur text;
    parts text[];
BEGIN
    cur := current_setting('handoff.chain_head', true);
    IF cur IS NOT NULL AND cur <> '' THEN
        parts := string_to_array(cur, ':');
        UPDATE audit_heads SET seq = parts[2]::bigint, hash = parts[3] WHERE shard = parts[1]::integer;
        PERFORM set_config('handoff.chain_head', '', true);
    END IF;
    RETURN NULL;
END
$$;

-- Attach the chain, its flush at commit and the write protection to a log table (one line per table
-- in a migration: SELECT audit_protect('the_table');).
CREATE OR REPLACE FUNCTION audit_protect(tbl regclass) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER audit_chain BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION audit_chain_append()', tbl);
    EXECUTE format('CREATE CONSTRAINT TRIGGER audit_chain_flush AFTER INSERT ON %s DEFERRABLE INITIALLY DEFERRED '
                   'FOR EACH ROW EXECUTE FUNCTION audit_chain_flush()', tbl);
    EXECUTE format('CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION audit_forbid_change()', tbl);
    EXECUTE format('CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change()', tbl);
END
$$;

-- The tables already in the chain get the flush too.
DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT tg.tgrelid::regclass FROM pg_trigger tg WHERE tg.tgname = 'audit_chain' AND NOT tg.tgisinternal LOOP
        EXECUTE format('CREATE CONSTRAINT TRIGGER audit_chain_flush AFTER INSERT ON %s DEFERRABLE INITIALLY DEFERRED '
                       'FOR EACH ROW EXECUTE FUNCTION audit_chain_flush()', t);
    END LOOP;
END
$$;

-- The frozen single-chain head and the anchors may not change by the application either. (The
-- configuration may change only while no row has been appended since the fork: store.audit.set_shards.)
CREATE TRIGGER audit_head_frozen BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_forbid_change();
CREATE TRIGGER audit_anchors_no_change BEFORE UPDATE OR DELETE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION audit_forbid_change();
