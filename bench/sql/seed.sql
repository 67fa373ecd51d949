-- Bulk data for the benches (never used by the product): open review items with their logged
-- suggestion and route, and filler log rows. Every row goes through the chain trigger as in production.

-- name: seed_open_items
WITH s AS (
    INSERT INTO suggestions (id, unit_id, agent, kind, subject, label, value, confidence, urgency, amount,
                             evidence, flags, model_version, prompt_hash, input_hash, patient_group, contains_phi)
    SELECT gen_random_uuid(), %(unit_id)s, 'intake', 'triage', 'bench_part:' || g, 'referral',
           '{"doc_type": "referral", "urgency": "routine"}'::jsonb, 0.6, 'routine', NULL, '[]'::jsonb,
           ARRAY['low_confidence'], 'bench-1', NULL, md5(g::text), '{}'::jsonb, true
    FROM generate_series(%(start)s::int, %(stop)s::int) g
    RETURNING id, subject
), r AS (
    INSERT INTO routes (id, suggestion_id, unit_id, decision, queue, priority, sla_due, reasons, policy_version,
                        qa_sample, two_reviewers)
    SELECT gen_random_uuid(), s.id, %(unit_id)s, 'review', %(queue)s, 'routine', now() + interval '2 days',
           ARRAY['low_confidence'], 1, false, false
    FROM s
    RETURNING id, suggestion_id
)
INSERT INTO review_items (id, unit_id, suggestion_id, route_id, subject, queue, priority, priority_rank, sla_due,
                          status, qa_sample, two_reviewers)
SELECT gen_random_uuid(), %(unit_id)s, r.suggestion_id, r.id, s.subject, %(queue)s, 'routine', 0,
       now() + interval '2 days', 'ready', false, false
FROM r JOIN s ON s.id = r.suggestion_id;

-- name: seed_audit_events
INSERT INTO audit_events (id, actor, unit_id, action, subject, detail)
SELECT gen_random_uuid(), 'bench', NULL, 'bench.filler', 'bench:' || g, jsonb_build_object('n', g, 'pad', repeat('x', 80))
FROM generate_series(%(start)s::int, %(stop)s::int) g;

-- name: log_row_count
SELECT (SELECT count(*) FROM suggestions) + (SELECT count(*) FROM routes) + (SELECT count(*) FROM review_events)
     + (SELECT count(*) FROM decisions) + (SELECT count(*) FROM phi_reads) + (SELECT count(*) FROM audit_events)
     + (SELECT count(*) FROM policy_versions) AS n;

-- name: create_vector_table
CREATE TABLE bench_vectors (id bigint PRIMARY KEY, unit integer NOT NULL, embedding vector(384) NOT NULL);

-- name: vector_partial_index
-- A template: {name} and {unit} are filled in with psycopg.sql.
CREATE INDEX {name} ON bench_vectors USING hnsw (embedding vector_cosine_ops) WHERE unit = {unit};

-- name: vector_global_index
CREATE INDEX bench_vectors_global ON bench_vectors USING hnsw (embedding vector_cosine_ops);

-- name: vector_unit_btree
CREATE INDEX bench_vectors_unit ON bench_vectors (unit);

-- name: vector_search
SELECT id FROM bench_vectors WHERE unit = %(unit)s ORDER BY embedding <=> %(q)s::vector LIMIT %(k)s;

-- name: vector_drop_partial
-- A template, as above.
DROP INDEX {name};

-- name: fax_turnaround
-- Seconds from an accepted fax to the route of each of its document parts.
SELECT i.id AS item_id, extract(epoch FROM max(r.created_at) - i.received_at) AS seconds
FROM inbound_items i
JOIN inbound_parts p ON p.item_id = i.id
JOIN suggestions s ON s.subject = 'inbound_part:' || p.id::text
JOIN routes r ON r.suggestion_id = s.id
WHERE i.channel = 'fax'
GROUP BY i.id, i.received_at;

-- name: items_without_outcome
SELECT count(*) AS n FROM inbound_items i
WHERE NOT EXISTS (SELECT 1 FROM inbound_events e WHERE e.item_id = i.id AND e.event IN ('processed', 'error', 'no_agent'));

-- name: workers_started
-- Job workers that have started (procrastinate registers a worker as it begins to take jobs).
SELECT count(*) AS n FROM procrastinate_workers;

-- name: vacuum_analyze
VACUUM ANALYZE;

-- name: open_items
SELECT count(*) AS n FROM review_items WHERE status = 'ready';
