-- name: insert_inbound_item
INSERT INTO inbound_items (id, unit_id, channel, sha256, size_bytes, media_type, filename, received_by)
VALUES (%(id)s, %(unit_id)s, %(channel)s, %(sha256)s, %(size_bytes)s, %(media_type)s, %(filename)s, %(received_by)s)
ON CONFLICT (unit_id, channel, sha256) DO NOTHING
RETURNING id, unit_id, channel, sha256, size_bytes, media_type, filename, received_by, received_at;

-- name: find_inbound_item
SELECT id, unit_id, channel, sha256, size_bytes, media_type, filename, received_by, received_at
FROM inbound_items WHERE unit_id = %(unit_id)s AND channel = %(channel)s AND sha256 = %(sha256)s;

-- name: get_inbound_item
SELECT id, unit_id, channel, sha256, size_bytes, media_type, filename, received_by, received_at
FROM inbound_items WHERE id = %(id)s;

-- name: insert_inbound_event
INSERT INTO inbound_events (item_id, event, detail) VALUES (%(item_id)s, %(event)s, %(detail)s)
RETURNING id, at;

-- name: inbound_events
SELECT id, item_id, at, event, detail FROM inbound_events WHERE item_id = %(item_id)s ORDER BY id;

-- name: inbound_without_outcome
-- Accepted items whose processing never finished and that no job is waiting for or running
-- (a lost job, or retries used up): to requeue when a worker starts.
SELECT i.id FROM inbound_items i
WHERE NOT EXISTS (SELECT 1 FROM inbound_events e WHERE e.item_id = i.id
                  AND e.event IN ('processed', 'failed', 'no_agent'))
  AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j
                  WHERE j.queueing_lock = 'inbound:' || i.id::text AND j.status IN ('todo', 'doing'))
ORDER BY i.received_at;
