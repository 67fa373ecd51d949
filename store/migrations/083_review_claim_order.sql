-- Claiming the next review item with 100k open items (issue 15's bench): the claim filters by the
-- reviewer's units (unit_id = ANY(...)), which the (unit_id, queue, ...) index cannot return in
-- priority order, so every claim sorted the whole queue (~280 ms at 100k). This index walks one queue
-- in claim order and stops at the first item of the reviewer's units.
CREATE INDEX review_items_next_in_queue ON review_items (queue, priority_rank DESC, sla_due, created_at)
    WHERE status = 'ready';
