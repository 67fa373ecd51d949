-- The practice manager's KPIs (issue 13), by unit, for a period [since, until). Each query counts
-- what its definition on the operations page says; a NULL bound means "open".

-- name: referral_completion
-- Cases opened in the period: how many reached "report sent back", and the days it took.
SELECT su.code AS unit_code, count(*) AS opened,
       count(*) FILTER (WHERE done.at IS NOT NULL) AS completed,
       count(*) FILTER (WHERE cancelled.at IS NOT NULL) AS cancelled,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (done.at - c.opened_at)) / 86400.0)
           FILTER (WHERE done.at IS NOT NULL) AS median_days_to_completion
FROM referral_cases c
JOIN service_units su ON su.id = c.unit_id
LEFT JOIN LATERAL (SELECT min(at) AS at FROM referral_case_events
                   WHERE case_id = c.id AND status_after = 'report_sent_back') done ON true
LEFT JOIN LATERAL (SELECT min(at) AS at FROM referral_case_events
                   WHERE case_id = c.id AND status_after = 'cancelled') cancelled ON true
WHERE c.unit_id = ANY(%(unit_ids)s)
  AND (%(since)s::timestamptz IS NULL OR c.opened_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR c.opened_at < %(until)s)
GROUP BY su.code ORDER BY su.code;

-- name: eligibility_exceptions
-- Appointments in the period; of those checked (a 270 request written), the exceptions: no 270
-- could be written (no member id, no payer profile) or the 271 answer is not active coverage on
-- the appointment day (inactive, rejected, unknown, terminated, or dates that do not cover it).
SELECT su.code AS unit_code, count(*) AS appointments,
       count(*) FILTER (WHERE req.id IS NOT NULL) AS checked,
       count(*) FILTER (WHERE req.problem IS NOT NULL) AS not_askable,
       count(*) FILTER (WHERE ans.status IS NOT NULL) AS answered,
       count(*) FILTER (WHERE req.problem IS NOT NULL
                        OR ans.status IN ('inactive', 'rejected', 'unknown', 'terminated')
                        OR (ans.status = 'active' AND ((ans.coverage_start IS NOT NULL AND ans.coverage_start > a.appointment_day)
                                                       OR (ans.coverage_end IS NOT NULL AND ans.coverage_end < a.appointment_day))))
           AS exceptions
FROM appointments a
JOIN service_units su ON su.id = a.unit_id
LEFT JOIN LATERAL (SELECT id, problem, trace_number, payer_id, member_id FROM eligibility_requests r
                   WHERE r.unit_id = a.unit_id AND r.appointment_id = a.id AND r.appointment_day = a.appointment_day
                   ORDER BY r.created_at DESC LIMIT 1) req ON true
LEFT JOIN LATERAL (SELECT status, coverage_start, coverage_end FROM coverage_records cr
                   WHERE cr.source = '271' AND (cr.trace_number = req.trace_number
                          OR (req.trace_number IS NULL AND cr.payer_id = req.payer_id AND cr.member_id = req.member_id))
                   ORDER BY cr.seq DESC LIMIT 1) ans ON req.id IS NOT NULL AND req.problem IS NULL
WHERE a.unit_id = ANY(%(unit_ids)s)
  AND (%(since)s::timestamptz IS NULL OR a.appointment_day >= %(since)s::date)
  AND (%(until)s::timestamptz IS NULL OR a.appointment_day < %(until)s::date)
GROUP BY su.code ORDER BY su.code;

-- name: remittance_outcomes
-- Every claim's first remittance received in the period, with what it needs for the denial
-- breakdowns: payer, the claim's format (837P or JSON), the denial's root cause, and turnaround.
SELECT su.code AS unit_code, rc.payer_id, rc.outcome,
       CASE WHEN ii.media_type = 'application/edi-x12' THEN '837P' WHEN ii.media_type IS NULL THEN 'unknown'
            ELSE 'json' END AS source,
       d.root_cause,
       (rc.received_at::date - (c.payload ->> 'submission_date')::date) AS turnaround_days
FROM (SELECT DISTINCT ON (COALESCE(claim_row_id::text, id::text)) * FROM remittance_claims
      WHERE unit_id = ANY(%(unit_ids)s) ORDER BY COALESCE(claim_row_id::text, id::text), seq) rc
JOIN service_units su ON su.id = rc.unit_id
LEFT JOIN claims c ON c.id = rc.claim_row_id
LEFT JOIN inbound_items ii ON ii.id = c.inbound_item_id
LEFT JOIN denials d ON d.remittance_claim_id = rc.id
WHERE (%(since)s::timestamptz IS NULL OR rc.received_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR rc.received_at < %(until)s);

-- name: review_ageing
-- Open review items by queue and age bucket (hours since created).
SELECT su.code AS unit_code, ri.queue,
       count(*) FILTER (WHERE now() - ri.created_at < interval '1 day') AS under_1_day,
       count(*) FILTER (WHERE now() - ri.created_at >= interval '1 day' AND now() - ri.created_at < interval '3 days') AS days_1_3,
       count(*) FILTER (WHERE now() - ri.created_at >= interval '3 days' AND now() - ri.created_at < interval '7 days') AS days_3_7,
       count(*) FILTER (WHERE now() - ri.created_at >= interval '7 days') AS over_7_days
FROM review_items ri JOIN service_units su ON su.id = ri.unit_id
WHERE ri.status IN ('ready', 'in-progress') AND ri.unit_id = ANY(%(unit_ids)s)
GROUP BY su.code, ri.queue ORDER BY su.code, ri.queue;

-- name: case_ageing
-- Open referral cases by age bucket (days since opened) and how many are past their due date.
SELECT su.code AS unit_code, 'referral cases' AS queue,
       count(*) FILTER (WHERE now() - c.opened_at < interval '1 day') AS under_1_day,
       count(*) FILTER (WHERE now() - c.opened_at >= interval '1 day' AND now() - c.opened_at < interval '3 days') AS days_1_3,
       count(*) FILTER (WHERE now() - c.opened_at >= interval '3 days' AND now() - c.opened_at < interval '7 days') AS days_3_7,
       count(*) FILTER (WHERE now() - c.opened_at >= interval '7 days') AS over_7_days,
       count(*) FILTER (WHERE e.due_after < now()::date) AS overdue
FROM referral_cases c
JOIN service_units su ON su.id = c.unit_id
JOIN LATERAL (SELECT status_after, due_after FROM referral_case_events WHERE case_id = c.id ORDER BY seq DESC LIMIT 1) e ON true
WHERE c.unit_id = ANY(%(unit_ids)s) AND e.status_after NOT IN ('report_sent_back', 'cancelled')
GROUP BY su.code ORDER BY su.code;
