-- The append-only log and its hash chain (DESIGN promise 2).
--
-- Every log table has columns seq, prev_hash and row_hash. A BEFORE INSERT trigger takes the chain
-- head (row-locked, so appends are serialized in commit order), sets seq = head + 1 and
-- prev_hash = head hash, and row_hash = sha256(table || ':' || canonical JSON of the row without
-- row_hash). The canonical JSON is PostgreSQL's jsonb text form, rendered with TimeZone = UTC.
-- Other triggers refuse UPDATE, DELETE and TRUNCATE. `handoff audit verify` recomputes the chain.
--
-- Never ALTER a log table once it holds rows: a new column changes to_jsonb() of every old row and
-- so its hash. Put new facts in a new table (chained too, through audit_protect) instead.

CREATE TABLE audit_head (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (true, 0, repeat('0', 64));

CREATE FUNCTION audit_chain_append() RETURNS trigger
LANGUAGE plpgsql
SET timezone TO 'UTC'
AS $$
DECLARE
    head record;
BEGIN
    SELECT seq, hash INTO head FROM audit_head WHERE id FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.prev_hash := head.hash;
    NEW.row_hash := '';
    NEW.row_hash := encode(sha256(convert_to(TG_TABLE_NAME || ':' || (to_jsonb(NEW) - 'row_hash')::text, 'UTF8')), 'hex');
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.row_hash WHERE id;
    RETURN NEW;
END
$$;

CREATE FUNCTION audit_forbid_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'state changes are new rows; see DESIGN.md promise 2';
END
$$;

-- Attach the chain and the write protection to a log table.
CREATE FUNCTION audit_protect(tbl regclass) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER audit_chain BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION audit_chain_append()', tbl);
    EXECUTE format('CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION audit_forbid_change()', tbl);
    EXECUTE format('CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change()', tbl);
END
$$;
