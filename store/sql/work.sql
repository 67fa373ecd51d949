-- name: filed_items
-- The latest filing of each document part in a queue of the units, with its latest work mark;
-- emergent and urgent first, then oldest first.
SELECT f.id, f.part_id, f.queue, f.filed_by, f.filed_at, f.value, f.decision_id, i.unit_id, su.code AS unit_code,
       i.channel, i.received_at, p.page_start, p.page_end, m.status AS mark, m.actor AS marked_by, m.at AS marked_at
FROM (SELECT DISTINCT ON (part_id) id, part_id, queue, filed_by, filed_at, value, decision_id
      FROM intake_filings ORDER BY part_id, filed_at DESC, id) f
JOIN inbound_parts p ON p.id = f.part_id
JOIN inbound_items i ON i.id = p.item_id
JOIN service_units su ON su.id = i.unit_id
LEFT JOIN LATERAL (SELECT status, actor, at FROM work_marks
                   WHERE subject = 'filing:' || f.id::text ORDER BY at DESC, id LIMIT 1) m ON true
WHERE i.unit_id = ANY(%(unit_ids)s) AND f.queue = %(queue)s
  AND (NOT %(open_only)s OR m.status IS DISTINCT FROM 'done')
ORDER BY (f.value ->> 'urgency' = 'emergent') DESC, (f.value ->> 'urgency' = 'urgent') DESC, f.filed_at
LIMIT %(limit)s;

-- name: filed_queue_counts
SELECT su.code AS unit_code, f.queue, count(*) AS filed,
       count(*) FILTER (WHERE m.status IS DISTINCT FROM 'done') AS open,
       count(*) FILTER (WHERE m.status IS DISTINCT FROM 'done' AND f.value ->> 'urgency' = 'emergent') AS emergent
FROM (SELECT DISTINCT ON (part_id) id, part_id, queue, value FROM intake_filings ORDER BY part_id, filed_at DESC, id) f
JOIN inbound_parts p ON p.id = f.part_id
JOIN inbound_items i ON i.id = p.item_id
JOIN service_units su ON su.id = i.unit_id
LEFT JOIN LATERAL (SELECT status FROM work_marks WHERE subject = 'filing:' || f.id::text
                   ORDER BY at DESC, id LIMIT 1) m ON true
WHERE i.unit_id = ANY(%(unit_ids)s)
GROUP BY su.code, f.queue
ORDER BY su.code, f.queue;

-- name: get_filing
SELECT f.id, f.part_id, f.queue, f.filed_by, f.filed_at, f.value, f.decision_id, f.suggestion_id, i.unit_id,
       su.code AS unit_code, i.channel, p.text, p.page_start, p.page_end
FROM intake_filings f
JOIN inbound_parts p ON p.id = f.part_id
JOIN inbound_items i ON i.id = p.item_id
JOIN service_units su ON su.id = i.unit_id
WHERE f.id = %(id)s;

-- name: insert_mark
INSERT INTO work_marks (id, unit_id, subject, status, note, actor)
VALUES (%(id)s, %(unit_id)s, %(subject)s, %(status)s, %(note)s, %(actor)s);

-- name: outreach_for_day
-- Supportive actions applied for a day's appointments (automatically or after a decision), one row per
-- appointment and action, with who to contact and the latest work mark.
SELECT DISTINCT ON (sa.unit_id, sa.appointment_id, sa.action)
       sa.id, su.code AS unit_code, sa.unit_id, sa.appointment_id, sa.action, sa.applied_by, sa.applied_at,
       a.appointment_day, a.specialty, a.telehealth, a.patient_mrn, p.given_name, p.family_name, p.phone,
       p.language, (s.value ->> 'probability')::float AS probability,
       m.status AS mark, m.actor AS marked_by, m.at AS marked_at
FROM scheduling_actions sa
JOIN appointments a ON a.unit_id = sa.unit_id AND a.id = sa.appointment_id
JOIN service_units su ON su.id = sa.unit_id
LEFT JOIN patients p ON p.org_id = su.org_id AND p.mrn = a.patient_mrn
LEFT JOIN suggestions s ON s.id = sa.suggestion_id
LEFT JOIN LATERAL (SELECT status, actor, at FROM work_marks
                   WHERE subject = 'action:' || sa.id::text ORDER BY at DESC, id LIMIT 1) m ON true
WHERE sa.unit_id = ANY(%(unit_ids)s) AND a.appointment_day = %(day)s AND sa.action = ANY(%(actions)s)
ORDER BY sa.unit_id, sa.appointment_id, sa.action, sa.applied_at;

-- name: get_action
SELECT sa.id, sa.unit_id, sa.appointment_id, sa.action FROM scheduling_actions sa WHERE sa.id = %(id)s;
