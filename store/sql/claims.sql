-- name: insert_claim
INSERT INTO claims (id, unit_id, inbound_item_id, claim_key, patient_id, billing_npi, payer_id,
                    first_service_date, total_charge, payload, context)
VALUES (%(id)s, %(unit_id)s, %(inbound_item_id)s, %(claim_key)s, %(patient_id)s, %(billing_npi)s, %(payer_id)s,
        %(first_service_date)s, %(total_charge)s, %(payload)s, %(context)s)
ON CONFLICT (inbound_item_id, claim_key) DO NOTHING;

-- name: claims_of_item
SELECT id, unit_id, claim_key, payload, context, created_at FROM claims
WHERE inbound_item_id = %(item_id)s ORDER BY claim_key;

-- name: get_claim
SELECT c.id, c.unit_id, su.code AS unit_code, c.claim_key, c.payload, c.context, c.created_at
FROM claims c JOIN service_units su ON su.id = c.unit_id WHERE c.id = %(id)s;

-- name: earlier_claims_of_patient
-- Claims received before this one for the same patient in the same unit (for duplicate detection).
SELECT claim_key, payload FROM claims
WHERE unit_id = %(unit_id)s AND patient_id = %(patient_id)s
  AND seq < (SELECT seq FROM claims WHERE id = %(id)s)
ORDER BY seq DESC LIMIT 200;

-- name: find_claims
-- The stored claims of a unit with this claim id (CLM01 / patient control number), newest first.
SELECT c.id, c.unit_id, su.code AS unit_code, c.claim_key, c.payer_id, c.patient_id, c.total_charge, c.payload,
       c.context, c.created_at
FROM claims c JOIN service_units su ON su.id = c.unit_id
WHERE c.unit_id = %(unit_id)s AND c.claim_key = %(claim_key)s
ORDER BY c.seq DESC;
