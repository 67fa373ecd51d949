-- name: enqueue_notification
INSERT INTO notifications (id, unit_id, kind, queue, review_item_id, detail)
VALUES (%(id)s, %(unit_id)s, %(kind)s, %(queue)s, %(review_item_id)s, %(detail)s)
ON CONFLICT (review_item_id, kind) WHERE review_item_id IS NOT NULL DO NOTHING;

-- name: claim_pending
SELECT n.id, n.created_at, n.unit_id, su.code AS unit_code, su.name AS unit_name, n.kind, n.queue,
       n.review_item_id, n.detail, n.attempts
FROM notifications n JOIN service_units su ON su.id = n.unit_id
WHERE n.status = 'pending'
ORDER BY n.created_at
FOR UPDATE OF n SKIP LOCKED
LIMIT %(limit)s;

-- name: finish_notification
UPDATE notifications
SET status = %(status)s, attempts = attempts + 1, last_error = %(last_error)s,
    detail = detail || jsonb_build_object('delivered', %(delivered)s::jsonb),
    sent_at = CASE WHEN %(status)s = 'sent' THEN now() ELSE sent_at END
WHERE id = %(id)s;

-- name: notification_counts
SELECT status, count(*) AS n, max(created_at) AS latest FROM notifications
WHERE unit_id = ANY(%(unit_ids)s) AND created_at > now() - interval '7 days'
GROUP BY status;
