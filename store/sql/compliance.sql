-- name: outputs_log
-- The AI output log: each suggestion with its route. Keyset paging by seq (newest first).
SELECT s.seq, s.id, s.created_at, su.code AS unit_code, s.agent, s.kind, s.subject, s.label, s.value,
       s.confidence, s.flags, s.model_version, s.prompt_hash, s.input_hash, s.patient_group, s.amount,
       r.decision AS route, r.queue, r.priority, r.reasons, r.policy_version, r.qa_sample
FROM suggestions s
JOIN routes r ON r.suggestion_id = s.id
JOIN service_units su ON su.id = s.unit_id
WHERE s.unit_id = ANY(%(unit_ids)s)
  AND (%(agent)s::text IS NULL OR s.agent = %(agent)s)
  AND (%(model_version)s::text IS NULL OR s.model_version = %(model_version)s)
  AND (%(label)s::text IS NULL OR s.label = %(label)s)
  AND (%(route)s::text IS NULL OR r.decision = %(route)s)
  AND (%(group_attr)s::text IS NULL OR s.patient_group ->> %(group_attr)s = %(group_value)s)
  AND (%(since)s::timestamptz IS NULL OR s.created_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR s.created_at < %(until)s)
  AND (%(before_seq)s::bigint IS NULL OR s.seq < %(before_seq)s)
ORDER BY s.seq DESC
LIMIT %(limit)s;

-- name: decisions_log
SELECT d.seq, d.id, d.decided_at, su.code AS unit_code, d.review_item_id, d.suggestion_id, d.round, d.final,
       d.action, d.reason_code, d.new_value, d.note, d.decided_by, s.agent, s.label, s.model_version,
       s.confidence, s.value AS suggested_value, s.patient_group, ri.qa_sample,
       EXTRACT(EPOCH FROM (d.decided_at - s.created_at)) AS seconds_to_decision
FROM decisions d
JOIN suggestions s ON s.id = d.suggestion_id
JOIN review_items ri ON ri.id = d.review_item_id
JOIN service_units su ON su.id = d.unit_id
WHERE d.unit_id = ANY(%(unit_ids)s)
  AND (%(agent)s::text IS NULL OR s.agent = %(agent)s)
  AND (%(model_version)s::text IS NULL OR s.model_version = %(model_version)s)
  AND (%(label)s::text IS NULL OR s.label = %(label)s)
  AND (%(reviewer)s::text IS NULL OR d.decided_by = %(reviewer)s)
  AND (%(action)s::text IS NULL OR d.action = %(action)s)
  AND (%(group_attr)s::text IS NULL OR s.patient_group ->> %(group_attr)s = %(group_value)s)
  AND (%(since)s::timestamptz IS NULL OR d.decided_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR d.decided_at < %(until)s)
  AND (%(before_seq)s::bigint IS NULL OR d.seq < %(before_seq)s)
ORDER BY d.seq DESC
LIMIT %(limit)s;

-- name: rates_by
-- Auto rate, override rate and time to decision, grouped by one whitelisted dimension.
WITH base AS (
    SELECT CASE %(dimension)s
             WHEN 'agent' THEN s.agent
             WHEN 'model_version' THEN s.agent || ' ' || s.model_version
             WHEN 'label' THEN s.agent || ':' || COALESCE(s.label, '-')
             WHEN 'unit' THEN su.code
             ELSE COALESCE(s.patient_group ->> %(group_attr)s, 'unknown')
           END AS grp,
           r.decision, s.created_at, d.action, d.decided_at
    FROM suggestions s
    JOIN routes r ON r.suggestion_id = s.id
    JOIN service_units su ON su.id = s.unit_id
    LEFT JOIN decisions d ON d.suggestion_id = s.id AND d.final
    WHERE s.unit_id = ANY(%(unit_ids)s)
      AND (%(since)s::timestamptz IS NULL OR s.created_at >= %(since)s)
      AND (%(until)s::timestamptz IS NULL OR s.created_at < %(until)s)
)
SELECT grp AS "group",
       count(*) AS n,
       avg((decision = 'auto')::int)::float AS auto_rate,
       count(action) AS decided,
       avg(CASE WHEN action IS NULL THEN NULL ELSE (action <> 'accept')::int END)::float AS override_rate,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (decided_at - created_at)))
           FILTER (WHERE decided_at IS NOT NULL) AS median_seconds_to_decision
FROM base
GROUP BY grp
ORDER BY grp;

-- name: qa_outcomes
-- Auto-applied items also sent to review as a QA sample, and what the reviewer decided.
SELECT s.agent, count(*) AS sampled, count(d.id) AS reviewed,
       count(d.id) FILTER (WHERE d.action <> 'accept') AS wrong
FROM routes r
JOIN suggestions s ON s.id = r.suggestion_id
LEFT JOIN decisions d ON d.suggestion_id = s.id AND d.final
WHERE r.qa_sample AND r.unit_id = ANY(%(unit_ids)s)
  AND (%(since)s::timestamptz IS NULL OR r.created_at >= %(since)s)
GROUP BY s.agent
ORDER BY s.agent;

-- name: items_for_export
SELECT ri.id, ri.subject, ri.queue, ri.status, ri.created_at, ri.updated_at, ri.suggestion_id, su.code AS unit_code
FROM review_items ri JOIN service_units su ON su.id = ri.unit_id
WHERE ri.unit_id = ANY(%(unit_ids)s)
  AND (%(since)s::timestamptz IS NULL OR ri.created_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR ri.created_at < %(until)s)
ORDER BY ri.created_at
LIMIT %(limit)s;

-- name: events_for_items
SELECT review_item_id, seq, at, event, status_after, actor FROM review_events
WHERE review_item_id = ANY(%(item_ids)s) ORDER BY seq;

-- name: phi_reads_log
SELECT seq, id, at, actor, unit_id, subject, purpose, fields FROM phi_reads
WHERE (unit_id IS NULL OR unit_id = ANY(%(unit_ids)s))
  AND (%(since)s::timestamptz IS NULL OR at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR at < %(until)s)
ORDER BY seq
LIMIT %(limit)s;
