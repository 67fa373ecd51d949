-- name: task_started
INSERT INTO scheduled_tasks (task, last_started, runs) VALUES (%(task)s, %(at)s, 1)
ON CONFLICT (task) DO UPDATE SET last_started = EXCLUDED.last_started, runs = scheduled_tasks.runs + 1;

-- name: task_finished
UPDATE scheduled_tasks
SET last_finished = %(at)s, last_ok = %(ok)s, last_summary = %(summary)s,
    failures = failures + CASE WHEN %(ok)s THEN 0 ELSE 1 END
WHERE task = %(task)s;

-- name: insert_run
INSERT INTO scheduled_runs (task, started_at, finished_at, ok, summary)
VALUES (%(task)s, %(started_at)s, %(finished_at)s, %(ok)s, %(summary)s);

-- name: task_status
SELECT task, last_started, last_finished, last_ok, last_summary, runs, failures FROM scheduled_tasks ORDER BY task;

-- name: recent_runs
SELECT task, started_at, finished_at, ok, summary FROM scheduled_runs ORDER BY started_at DESC, id DESC
LIMIT %(limit)s;

-- name: upsert_qa_summary
INSERT INTO qa_summaries (unit_id, day, figures) VALUES (%(unit_id)s, %(day)s, %(figures)s)
ON CONFLICT (unit_id, day) DO UPDATE SET figures = EXCLUDED.figures, created_at = now()
RETURNING (xmax = 0) AS created;

-- name: qa_summaries_of
SELECT su.code AS unit_code, q.day, q.figures, q.created_at
FROM qa_summaries q JOIN service_units su ON su.id = q.unit_id
WHERE q.unit_id = ANY(%(unit_ids)s)
ORDER BY q.day DESC, su.code
LIMIT %(limit)s;

-- name: day_figures
-- A unit's figures for one day (UTC): outputs and routes, decisions, the QA sample and SLA breaches.
SELECT
  (SELECT count(*) FROM suggestions s WHERE s.unit_id = %(unit_id)s AND s.created_at >= %(start)s AND s.created_at < %(end)s) AS outputs,
  (SELECT count(*) FROM routes r WHERE r.unit_id = %(unit_id)s AND r.created_at >= %(start)s AND r.created_at < %(end)s AND r.decision = 'auto') AS auto,
  (SELECT count(*) FROM routes r WHERE r.unit_id = %(unit_id)s AND r.created_at >= %(start)s AND r.created_at < %(end)s AND r.decision = 'review') AS review,
  (SELECT count(*) FROM decisions d WHERE d.unit_id = %(unit_id)s AND d.decided_at >= %(start)s AND d.decided_at < %(end)s AND d.final) AS decisions,
  (SELECT count(*) FROM decisions d WHERE d.unit_id = %(unit_id)s AND d.decided_at >= %(start)s AND d.decided_at < %(end)s AND d.final AND d.action <> 'accept') AS overridden,
  (SELECT count(*) FROM decisions d JOIN review_items ri ON ri.id = d.review_item_id
    WHERE d.unit_id = %(unit_id)s AND d.decided_at >= %(start)s AND d.decided_at < %(end)s AND d.final AND ri.qa_sample) AS qa_reviewed,
  (SELECT count(*) FROM decisions d JOIN review_items ri ON ri.id = d.review_item_id
    WHERE d.unit_id = %(unit_id)s AND d.decided_at >= %(start)s AND d.decided_at < %(end)s AND d.final AND ri.qa_sample
      AND d.action <> 'accept') AS qa_wrong,
  (SELECT count(*) FROM review_items ri WHERE ri.unit_id = %(unit_id)s AND ri.status IN ('ready', 'in-progress')
     AND ri.sla_due < %(end)s) AS sla_breaches;

-- name: units_with_appointments_on
SELECT DISTINCT su.code FROM appointments a JOIN service_units su ON su.id = a.unit_id
WHERE a.appointment_day = %(day)s ORDER BY su.code;
