-- name: noshow_outlook
-- Per unit: a day's appointments, how many the no-show agent found at risk, what it applied, and the
-- overbooking proposals it sent to a manager (the latest suggestion per subject counts).
WITH appts AS (
    SELECT unit_id, count(*) AS n FROM appointments
    WHERE appointment_day = %(day)s AND unit_id = ANY(%(unit_ids)s)
    GROUP BY unit_id
), latest AS (
    SELECT DISTINCT ON (s.subject) s.unit_id, s.kind, (s.value ->> 'probability')::float AS p, r.decision
    FROM suggestions s JOIN routes r ON r.suggestion_id = s.id
    WHERE s.agent = 'noshow' AND s.value ->> 'day' = %(day_text)s AND s.unit_id = ANY(%(unit_ids)s)
    ORDER BY s.subject, s.seq DESC
)
SELECT su.code AS unit_code,
       COALESCE(a.n, 0) AS appointments,
       count(l.kind) FILTER (WHERE l.kind = 'noshow_support' AND l.p >= 0.5) AS high_risk,
       count(l.kind) FILTER (WHERE l.kind = 'noshow_support' AND l.p < 0.5) AS elevated_risk,
       count(l.kind) FILTER (WHERE l.kind = 'noshow_support' AND l.decision = 'auto') AS supportive_applied,
       count(l.kind) FILTER (WHERE l.kind = 'noshow_overbook') AS overbook_proposals,
       avg(l.p) FILTER (WHERE l.kind = 'noshow_support') AS mean_risk_flagged
FROM service_units su
LEFT JOIN appts a ON a.unit_id = su.id
LEFT JOIN latest l ON l.unit_id = su.id
WHERE su.id = ANY(%(unit_ids)s)
GROUP BY su.code, a.n
ORDER BY su.code;
