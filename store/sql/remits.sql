-- name: insert_remittance
INSERT INTO remittances (id, unit_id, inbound_item_id, payer_id, payer_name, payment_amount, payment_method,
                         payment_date, trace_number, production_date, issues)
VALUES (%(id)s, %(unit_id)s, %(inbound_item_id)s, %(payer_id)s, %(payer_name)s, %(payment_amount)s,
        %(payment_method)s, %(payment_date)s, %(trace_number)s, %(production_date)s, %(issues)s);

-- name: insert_remittance_claim
INSERT INTO remittance_claims (id, remittance_id, unit_id, claim_row_id, claim_key, payer_id, status_code, outcome,
                               charge, paid, patient_responsibility, payer_claim_number, denial_carcs, remarks,
                               adjustments, lines, service_start)
VALUES (%(id)s, %(remittance_id)s, %(unit_id)s, %(claim_row_id)s, %(claim_key)s, %(payer_id)s, %(status_code)s,
        %(outcome)s, %(charge)s, %(paid)s, %(patient_responsibility)s, %(payer_claim_number)s, %(denial_carcs)s,
        %(remarks)s, %(adjustments)s, %(lines)s, %(service_start)s);

-- name: insert_claim_status
INSERT INTO claim_status_reports (id, unit_id, inbound_item_id, claim_row_id, claim_key, payer_id, level, category,
                                  status_code, entity, status_on, charge, paid, payer_claim_number)
VALUES (%(id)s, %(unit_id)s, %(inbound_item_id)s, %(claim_row_id)s, %(claim_key)s, %(payer_id)s, %(level)s,
        %(category)s, %(status_code)s, %(entity)s, %(status_on)s, %(charge)s, %(paid)s, %(payer_claim_number)s);

-- name: insert_denial
INSERT INTO denials (id, unit_id, remittance_claim_id, claim_row_id, claim_key, payer_id, kind, carcs, remarks, charge,
                     paid, root_cause, root_cause_kind, root_cause_detail, remedy, appeal_letter_id, suggestion_id)
VALUES (%(id)s, %(unit_id)s, %(remittance_claim_id)s, %(claim_row_id)s, %(claim_key)s, %(payer_id)s, %(kind)s,
        %(carcs)s, %(remarks)s, %(charge)s, %(paid)s, %(root_cause)s, %(root_cause_kind)s, %(root_cause_detail)s,
        %(remedy)s, %(appeal_letter_id)s, %(suggestion_id)s);

-- name: denial_worklist
-- Denials of the given units with the state of the review item the gate opened for each.
SELECT d.id, su.code AS unit_code, d.claim_key, d.payer_id, d.kind, d.carcs, d.remarks, d.charge, d.paid,
       d.root_cause, d.root_cause_kind, d.root_cause_detail, d.remedy, d.appeal_letter_id AS appeal_document_id,
       ri.id AS review_item_id, ri.status, d.created_at
FROM denials d
JOIN service_units su ON su.id = d.unit_id
LEFT JOIN review_items ri ON ri.suggestion_id = d.suggestion_id
WHERE d.unit_id = ANY(%(unit_ids)s)
  AND (%(since)s::timestamptz IS NULL OR d.created_at >= %(since)s)
  AND (%(open_only)s = false OR ri.status IS NULL OR ri.status IN ('ready', 'in-progress'))
ORDER BY d.root_cause, d.created_at
LIMIT %(limit)s;

-- name: remit_outcomes
-- Every checked claim of the units with its first remittance (the payer's first answer), for training
-- and evaluating the denial model on what payers actually did.
SELECT DISTINCT ON (c.id) c.id AS claim_row_id, c.unit_id, c.claim_key, c.payload, c.context, rc.outcome,
       rc.denial_carcs, rc.received_at
FROM claims c
JOIN remittance_claims rc ON rc.claim_row_id = c.id
WHERE c.unit_id = ANY(%(unit_ids)s)
ORDER BY c.id, rc.seq;

-- name: remittance_claims_of
SELECT rc.id, rc.claim_key, rc.status_code, rc.outcome, rc.charge, rc.paid, rc.denial_carcs, rc.remarks,
       rc.received_at, r.payer_name, r.payment_date
FROM remittance_claims rc JOIN remittances r ON r.id = rc.remittance_id
WHERE rc.claim_row_id = %(claim_row_id)s ORDER BY rc.seq;
