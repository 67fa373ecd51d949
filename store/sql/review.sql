-- name: expire_leases
UPDATE review_items SET status = 'ready', holder = NULL, lease_until = NULL, updated_at = now()
WHERE status = 'in-progress' AND lease_until < %(now)s
RETURNING id, holder;

-- name: claim_next_item
-- Priority first, then SLA due, then age. SKIP LOCKED lets many reviewers claim at once without
-- waiting on each other or taking the same item. A second independent reviewer is never the first.
UPDATE review_items
SET status = 'in-progress', holder = %(holder)s, lease_until = now() + make_interval(secs => %(lease_seconds)s),
    updated_at = now()
WHERE id = (
    SELECT id FROM review_items
    WHERE status = 'ready' AND queue = %(queue)s AND unit_id = ANY(%(unit_ids)s)
      AND (first_reviewer IS NULL OR first_reviewer <> %(holder)s)
    ORDER BY priority_rank DESC, sla_due, created_at
    FOR UPDATE SKIP LOCKED
    LIMIT 1
)
RETURNING id, version;

-- name: lock_item
SELECT ri.id, ri.unit_id, su.code AS unit_code, ri.suggestion_id, ri.route_id, ri.subject, ri.queue, ri.priority,
       ri.sla_due, ri.status, ri.qa_sample, ri.two_reviewers, ri.holder, ri.lease_until, ri.version, ri.round,
       ri.first_reviewer, ri.original_queue, ri.created_at, ri.lease_until > now() AS lease_valid
FROM review_items ri JOIN service_units su ON su.id = ri.unit_id
WHERE ri.id = %(id)s
FOR UPDATE OF ri;

-- name: get_item_view
SELECT ri.id, su.code AS unit_code, ri.unit_id, ri.queue, ri.priority, ri.sla_due, ri.status, ri.holder,
       ri.lease_until, ri.version, ri.round, ri.qa_sample, ri.two_reviewers, ri.subject, ri.first_reviewer,
       s.agent, s.kind, s.label, s.value, s.confidence, s.flags, r.reasons, s.evidence, s.amount,
       s.model_version, r.policy_version, ri.created_at, s.contains_phi
FROM review_items ri
JOIN service_units su ON su.id = ri.unit_id
JOIN suggestions s ON s.id = ri.suggestion_id
JOIN routes r ON r.id = ri.route_id
WHERE ri.id = %(id)s;

-- name: set_item_status
UPDATE review_items
SET status = %(status)s, holder = NULL, lease_until = NULL, updated_at = now()
WHERE id = %(id)s;

-- name: return_for_second_review
UPDATE review_items
SET status = 'ready', holder = NULL, lease_until = NULL, first_reviewer = %(first_reviewer)s, round = 2,
    updated_at = now()
WHERE id = %(id)s;

-- name: escalate_item
UPDATE review_items
SET status = 'ready', holder = NULL, lease_until = NULL, original_queue = queue, queue = 'escalations',
    round = 3, updated_at = now()
WHERE id = %(id)s;

-- name: move_item
UPDATE review_items
SET queue = %(queue)s, status = 'ready', holder = NULL, lease_until = NULL, updated_at = now()
WHERE id = %(id)s;

-- name: queue_summaries
SELECT su.code AS unit_code, ri.queue,
       count(*) FILTER (WHERE ri.status = 'ready') AS ready,
       count(*) FILTER (WHERE ri.status = 'in-progress') AS in_progress,
       EXTRACT(EPOCH FROM (now() - min(ri.created_at))) / 60.0 AS oldest_age_minutes,
       count(*) FILTER (WHERE ri.sla_due < now()) AS sla_breaches,
       count(*) FILTER (WHERE ri.priority = 'emergent') AS emergent,
       count(*) FILTER (WHERE ri.priority = 'urgent') AS urgent
FROM review_items ri JOIN service_units su ON su.id = ri.unit_id
WHERE ri.status IN ('ready', 'in-progress') AND ri.unit_id = ANY(%(unit_ids)s)
GROUP BY su.code, ri.queue
ORDER BY count(*) FILTER (WHERE ri.priority = 'emergent') DESC, count(*) FILTER (WHERE ri.sla_due < now()) DESC,
         su.code, ri.queue;

-- name: insert_decision
INSERT INTO decisions (id, review_item_id, unit_id, suggestion_id, round, final, action, reason_code,
                       new_value, note, decided_by, item_version)
VALUES (%(id)s, %(review_item_id)s, %(unit_id)s, %(suggestion_id)s, %(round)s, %(final)s, %(action)s,
        %(reason_code)s, %(new_value)s, %(note)s, %(decided_by)s, %(item_version)s)
RETURNING seq, decided_at;

-- name: decisions_for_item
SELECT id, review_item_id, suggestion_id, round, final, action, reason_code, new_value, note, decided_by,
       item_version, decided_at
FROM decisions WHERE review_item_id = %(id)s ORDER BY seq;

-- name: item_events
SELECT seq, at, event, status_after, actor, detail FROM review_events WHERE review_item_id = %(id)s ORDER BY seq;
