-- Similar resolved cases, k per unit (issue 15).
--
-- Reviewers see the resolved cases of their unit nearest to the item in front of them. Searching one
-- HNSW index over every unit's parts and filtering by unit (and by "resolved") afterwards can return
-- fewer than k: the index hands back its ef_search nearest overall, most of them another unit's or
-- unresolved. pgvector 0.6 has no iterative index scans, so instead:
--   * resolved_cases holds only resolved parts (filled by a trigger when a filing carries a decision);
--   * each unit gets its own partial HNSW index on it (created with the unit, by a trigger), which a
--     query with `unit_id = <that unit>` uses, so the index's nearest are all the unit's own.

CREATE TABLE resolved_cases (
    part_id   uuid PRIMARY KEY REFERENCES inbound_parts (id),
    unit_id   uuid NOT NULL REFERENCES service_units (id),
    embedding vector(384) NOT NULL,
    doc_type  text,
    urgency   text,
    queue     text NOT NULL,
    filed_at  timestamptz NOT NULL
);
CREATE INDEX resolved_cases_unit ON resolved_cases (unit_id, filed_at);

CREATE FUNCTION resolved_case_from_filing() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO resolved_cases (part_id, unit_id, embedding, doc_type, urgency, queue, filed_at)
    SELECT e.part_id, e.unit_id, e.embedding, NEW.value ->> 'doc_type', NEW.value ->> 'urgency', NEW.queue, NEW.filed_at
    FROM part_embeddings e WHERE e.part_id = NEW.part_id
    ON CONFLICT (part_id) DO UPDATE SET doc_type = EXCLUDED.doc_type, urgency = EXCLUDED.urgency,
                                        queue = EXCLUDED.queue, filed_at = EXCLUDED.filed_at;
    RETURN NULL;
END
$$;
CREATE TRIGGER intake_filings_resolved AFTER INSERT ON intake_filings
    FOR EACH ROW WHEN (NEW.decision_id IS NOT NULL) EXECUTE FUNCTION resolved_case_from_filing();

-- One partial HNSW index per unit, named after the unit's id.
CREATE FUNCTION create_unit_vector_index(unit uuid) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON resolved_cases USING hnsw (embedding vector_cosine_ops) WHERE unit_id = %L',
                   'resolved_cases_hnsw_' || replace(unit::text, '-', ''), unit);
END
$$;

CREATE FUNCTION unit_vector_index_on_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM create_unit_vector_index(NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER service_units_vector_index AFTER INSERT ON service_units
    FOR EACH ROW EXECUTE FUNCTION unit_vector_index_on_insert();

SELECT create_unit_vector_index(id) FROM service_units;

-- Resolved cases already filed.
INSERT INTO resolved_cases (part_id, unit_id, embedding, doc_type, urgency, queue, filed_at)
SELECT DISTINCT ON (f.part_id) e.part_id, e.unit_id, e.embedding, f.value ->> 'doc_type', f.value ->> 'urgency',
       f.queue, f.filed_at
FROM intake_filings f JOIN part_embeddings e ON e.part_id = f.part_id
WHERE f.decision_id IS NOT NULL
ORDER BY f.part_id, f.filed_at DESC;

-- Every similarity query now filters by unit (resolved_cases) or by patient (a b-tree): the global
-- index only cost each insert its upkeep.
DROP INDEX IF EXISTS part_embeddings_hnsw;
