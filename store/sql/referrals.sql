-- name: insert_case
INSERT INTO referral_cases (id, unit_id, opened_from_part_id, patient_id, service, sender, urgency, opened_by)
VALUES (%(id)s, %(unit_id)s, %(part_id)s, %(patient_id)s, %(service)s, %(sender)s, %(urgency)s, %(opened_by)s)
ON CONFLICT (opened_from_part_id) DO NOTHING
RETURNING id;

-- name: case_of_part
SELECT id FROM referral_cases WHERE opened_from_part_id = %(part_id)s;

-- name: insert_case_event
INSERT INTO referral_case_events (id, case_id, event, status_after, owner_after, due_after, actor, detail)
VALUES (%(id)s, %(case_id)s, %(event)s, %(status_after)s, %(owner_after)s, %(due_after)s, %(actor)s, %(detail)s)
RETURNING seq;

-- name: case_events
SELECT seq, at, event, status_after, owner_after, due_after, actor, detail
FROM referral_case_events WHERE case_id = %(case_id)s ORDER BY seq;

-- name: list_cases
-- Cases with their current state (the latest event), oldest due first.
SELECT c.id, c.unit_id, su.code AS unit_code, c.opened_from_part_id, c.patient_id, p.mrn AS patient_mrn,
       c.service, c.sender, c.urgency, c.opened_at, e.status_after AS status, e.owner_after AS owner,
       e.due_after AS due, e.at AS updated_at,
       EXTRACT(EPOCH FROM (now() - c.opened_at)) / 86400.0 AS age_days
FROM referral_cases c
JOIN service_units su ON su.id = c.unit_id
LEFT JOIN patients p ON p.id = c.patient_id
JOIN LATERAL (SELECT status_after, owner_after, due_after, at FROM referral_case_events
              WHERE case_id = c.id ORDER BY seq DESC LIMIT 1) e ON true
WHERE c.unit_id = ANY(%(unit_ids)s)
  AND (%(case_id)s::uuid IS NULL OR c.id = %(case_id)s)
  AND (%(status)s::text IS NULL OR e.status_after = %(status)s)
  AND (%(open_only)s = false OR e.status_after NOT IN ('report_sent_back', 'cancelled'))
ORDER BY e.due_after NULLS LAST, c.opened_at
LIMIT %(limit)s;

-- name: open_cases_for_part
-- The patient's open cases in the unit, each with how similar its referral is to this document
-- (cosine similarity of the stored embeddings, pgvector).
SELECT c.id, e.status_after AS status, c.service,
       1 - (ce.embedding <=> pe.embedding) AS similarity
FROM referral_cases c
JOIN LATERAL (SELECT status_after FROM referral_case_events WHERE case_id = c.id ORDER BY seq DESC LIMIT 1) e ON true
JOIN part_embeddings ce ON ce.part_id = c.opened_from_part_id
JOIN part_embeddings pe ON pe.part_id = %(part_id)s
WHERE c.unit_id = %(unit_id)s AND c.patient_id = %(patient_id)s
  AND c.opened_from_part_id <> %(part_id)s
  AND e.status_after NOT IN ('report_sent_back', 'cancelled')
ORDER BY similarity DESC
LIMIT 10;

-- name: case_status_history
-- Every status a case reached, and when (for the KPIs).
SELECT c.id AS case_id, c.unit_id, c.opened_at, e.status_after, e.at
FROM referral_cases c JOIN referral_case_events e ON e.case_id = c.id
WHERE c.unit_id = ANY(%(unit_ids)s)
ORDER BY c.id, e.seq;
