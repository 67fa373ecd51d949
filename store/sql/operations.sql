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

-- name: ping
SELECT 1 AS ok;

-- name: workers_alive
-- Job workers (procrastinate's table) that sent a heartbeat within the last max_age seconds.
SELECT count(*) AS n FROM procrastinate_workers
WHERE last_heartbeat > now() - make_interval(secs => %(max_age_s)s);

-- name: metrics_review_queues
-- Open review items by unit and queue: how many, the oldest ready one's age, SLA breaches.
SELECT su.code AS unit, ri.queue, ri.status, count(*) AS n,
       coalesce(extract(epoch FROM now() - min(ri.created_at)), 0) AS oldest_age_s,
       count(*) FILTER (WHERE ri.sla_due < now()) AS sla_breached
FROM review_items ri JOIN service_units su ON su.id = ri.unit_id
WHERE ri.status IN ('ready', 'in-progress')
GROUP BY su.code, ri.queue, ri.status;

-- name: metrics_routes_24h
-- Routes of the last 24 hours by unit, agent and decision (auto / review): the auto rate.
SELECT su.code AS unit, s.agent, r.decision, count(*) AS n
FROM routes r JOIN suggestions s ON s.id = r.suggestion_id JOIN service_units su ON su.id = r.unit_id
WHERE r.created_at > now() - interval '24 hours'
GROUP BY su.code, s.agent, r.decision;

-- name: metrics_decisions_24h
-- Final reviewer decisions of the last 24 hours by unit, agent and action: the override rate.
SELECT su.code AS unit, s.agent, d.action, count(*) AS n
FROM decisions d JOIN suggestions s ON s.id = d.suggestion_id JOIN service_units su ON su.id = d.unit_id
WHERE d.final AND d.decided_at > now() - interval '24 hours'
GROUP BY su.code, s.agent, d.action;

-- name: metrics_jobs
-- Background jobs by queue, task and status (failed ones are the job failures).
SELECT queue_name AS queue, task_name AS task, status::text AS status, count(*) AS n
FROM procrastinate_jobs GROUP BY queue_name, task_name, status;
