-- name: expire_leases
UPDATE review_items SET status = 'ready', holder = NULL, lease_until = NULL, updated_at = now()
WHERE status = 'in-progress' AND lease_until < %(now)s
RETURNING id, holder;
