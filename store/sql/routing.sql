-- name: insert_suggestion
INSERT INTO suggestions (id, unit_id, agent, kind, subject, label, value, confidence, urgency, amount,
                         evidence, flags, model_version, prompt_hash, input_hash, patient_group, contains_phi)
VALUES (%(id)s, %(unit_id)s, %(agent)s, %(kind)s, %(subject)s, %(label)s, %(value)s, %(confidence)s,
        %(urgency)s, %(amount)s, %(evidence)s, %(flags)s, %(model_version)s, %(prompt_hash)s,
        %(input_hash)s, %(patient_group)s, %(contains_phi)s)
RETURNING seq, created_at;

-- name: insert_route
INSERT INTO routes (id, suggestion_id, unit_id, decision, queue, priority, sla_due, reasons,
                    policy_version, qa_sample, two_reviewers)
VALUES (%(id)s, %(suggestion_id)s, %(unit_id)s, %(decision)s, %(queue)s, %(priority)s, %(sla_due)s,
        %(reasons)s, %(policy_version)s, %(qa_sample)s, %(two_reviewers)s)
RETURNING seq, created_at;

-- name: get_suggestion
SELECT id, unit_id, agent, kind, subject, label, value, confidence, urgency, amount, evidence, flags,
       model_version, prompt_hash, input_hash, patient_group, contains_phi, created_at
FROM suggestions WHERE id = %(id)s;

-- name: get_route_for_suggestion
SELECT id, suggestion_id, unit_id, decision, queue, priority, sla_due, reasons, policy_version,
       qa_sample, two_reviewers, created_at
FROM routes WHERE suggestion_id = %(suggestion_id)s;

-- name: lock_open_item
SELECT id, unit_id, suggestion_id, route_id, subject, queue, priority, sla_due, status, qa_sample,
       two_reviewers, holder, lease_until, version, created_at
FROM review_items
WHERE subject = %(subject)s AND queue = %(queue)s AND status IN ('ready', 'in-progress')
FOR UPDATE;

-- name: insert_review_item
INSERT INTO review_items (id, unit_id, suggestion_id, route_id, subject, queue, priority, priority_rank,
                          sla_due, status, qa_sample, two_reviewers)
VALUES (%(id)s, %(unit_id)s, %(suggestion_id)s, %(route_id)s, %(subject)s, %(queue)s, %(priority)s,
        %(priority_rank)s, %(sla_due)s, 'ready', %(qa_sample)s, %(two_reviewers)s)
ON CONFLICT (subject, queue) WHERE status IN ('ready', 'in-progress') DO NOTHING
RETURNING id, unit_id, suggestion_id, route_id, subject, queue, priority, sla_due, status, qa_sample,
          two_reviewers, holder, lease_until, version, created_at;

-- name: replace_item_suggestion
-- A newer suggestion about the same subject replaces the one under review; the version bump makes
-- a decision taken on the old one stale.
UPDATE review_items
SET suggestion_id = %(suggestion_id)s, route_id = %(route_id)s, version = version + 1,
    priority = CASE WHEN %(priority_rank)s > priority_rank THEN %(priority)s ELSE priority END,
    priority_rank = GREATEST(priority_rank, %(priority_rank)s),
    sla_due = LEAST(sla_due, %(sla_due)s),
    qa_sample = qa_sample AND %(qa_sample)s,
    two_reviewers = two_reviewers OR %(two_reviewers)s,
    updated_at = now()
WHERE id = %(id)s
RETURNING id, unit_id, suggestion_id, route_id, subject, queue, priority, sla_due, status, qa_sample,
          two_reviewers, holder, lease_until, version, created_at;

-- name: insert_review_event
INSERT INTO review_events (id, review_item_id, event, status_after, actor, detail)
VALUES (%(id)s, %(review_item_id)s, %(event)s, %(status_after)s, %(actor)s, %(detail)s)
RETURNING seq, at;

-- name: list_review_items
SELECT id, unit_id, suggestion_id, route_id, subject, queue, priority, sla_due, status, qa_sample,
       two_reviewers, holder, lease_until, version, created_at
FROM review_items
WHERE (%(unit_id)s::uuid IS NULL OR unit_id = %(unit_id)s)
  AND (%(queue)s::text IS NULL OR queue = %(queue)s)
  AND (%(status)s::text IS NULL OR status = %(status)s)
ORDER BY priority_rank DESC, sla_due, created_at
LIMIT %(limit)s;

-- name: route_counts
SELECT unit_id, decision, count(*) AS n FROM routes GROUP BY unit_id, decision ORDER BY unit_id, decision;

-- name: agent_of_decision
SELECT s.agent FROM decisions d JOIN suggestions s ON s.id = d.suggestion_id WHERE d.id = %(id)s;

-- name: lock_suggestion_id
-- One writer per suggestion id at a time (an agent step re-run after a crash routes once).
SELECT pg_advisory_xact_lock(hashtextextended('handoff.suggestion:' || %(id)s::text, 0));

-- name: review_item_for_suggestion
SELECT id, unit_id, suggestion_id, route_id, subject, queue, priority, sla_due, status, qa_sample,
       two_reviewers, holder, lease_until, version, created_at
FROM review_items WHERE suggestion_id = %(suggestion_id)s
ORDER BY created_at DESC LIMIT 1;
