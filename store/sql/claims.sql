-- name: insert_claim
INSERT INTO claims (id, unit_id, inbound_item_id, claim_key, patient_id, billing_npi, payer_id,
                    first_service_date, total_charge, payload, context, version, corrects, decision_id)
VALUES (%(id)s, %(unit_id)s, %(inbound_item_id)s, %(claim_key)s, %(patient_id)s, %(billing_npi)s, %(payer_id)s,
        %(first_service_date)s, %(total_charge)s, %(payload)s, %(context)s, %(version)s, %(corrects)s,
        %(decision_id)s)
ON CONFLICT (inbound_item_id, claim_key, version) DO NOTHING;

-- name: claims_of_item
-- The claims of a submission as received (version 1); corrections are later versions.
SELECT id, unit_id, claim_key, payload, context, version, created_at FROM claims
WHERE inbound_item_id = %(item_id)s AND version = 1 ORDER BY claim_key;

-- name: get_claim
SELECT c.id, c.unit_id, su.code AS unit_code, c.inbound_item_id, c.claim_key, c.payload, c.context, c.version,
       c.corrects, c.decision_id, c.created_at
FROM claims c JOIN service_units su ON su.id = c.unit_id WHERE c.id = %(id)s;

-- name: get_claim_version
SELECT id, version FROM claims
WHERE inbound_item_id = %(inbound_item_id)s AND claim_key = %(claim_key)s AND version = %(version)s;

-- name: earlier_claims_of_patient
-- Claims received before this one for the same patient in the same unit (for duplicate detection):
-- the latest version of each other claim; this claim's own earlier versions are not duplicates of it.
WITH me AS (SELECT seq, inbound_item_id, claim_key FROM claims WHERE id = %(id)s)
SELECT claim_key, payload FROM (
    SELECT DISTINCT ON (c.inbound_item_id, c.claim_key) c.claim_key, c.payload, c.seq
    FROM claims c, me
    WHERE c.unit_id = %(unit_id)s AND c.patient_id = %(patient_id)s AND c.seq < me.seq
      AND NOT (c.inbound_item_id = me.inbound_item_id AND c.claim_key = me.claim_key)
    ORDER BY c.inbound_item_id, c.claim_key, c.version DESC
) latest
ORDER BY seq DESC LIMIT 200;

-- name: insert_claim_event
INSERT INTO claim_events (id, claim_id, unit_id, event, reason_code, note, decision_id, actor)
VALUES (%(id)s, %(claim_id)s, %(unit_id)s, %(event)s, %(reason_code)s, %(note)s, %(decision_id)s, %(actor)s);

-- name: claim_events_of
SELECT e.id, e.claim_id, c.version, e.event, e.reason_code, e.note, e.decision_id, e.actor, e.at
FROM claim_events e JOIN claims c ON c.id = e.claim_id
WHERE c.inbound_item_id = %(inbound_item_id)s AND c.claim_key = %(claim_key)s
ORDER BY e.at, c.version;

-- name: claim_worklist
-- Each claim (its latest version) of the units with its latest status, newest first.
SELECT * FROM (
    SELECT DISTINCT ON (c.inbound_item_id, c.claim_key)
           c.id, su.code AS unit_code, c.claim_key, c.version, c.payer_id, c.total_charge, c.first_service_date,
           c.created_at, e.event AS status, e.reason_code, e.note, e.actor, e.at AS status_at
    FROM claims c
    JOIN service_units su ON su.id = c.unit_id
    LEFT JOIN LATERAL (SELECT event, reason_code, note, actor, at FROM claim_events
                       WHERE claim_id = c.id ORDER BY at DESC, id LIMIT 1) e ON true
    WHERE c.unit_id = ANY(%(unit_ids)s)
    ORDER BY c.inbound_item_id, c.claim_key, c.version DESC
) latest
WHERE (%(status)s::text IS NULL OR status = %(status)s)
ORDER BY created_at DESC
LIMIT %(limit)s;

-- name: effects_of_decision
-- What a decision already did to claims (so applying it twice does nothing twice).
SELECT (SELECT count(*) FROM claim_events WHERE decision_id = %(decision_id)s) AS events,
       (SELECT id FROM claims WHERE decision_id = %(decision_id)s LIMIT 1) AS corrected_id;

-- name: find_claims
-- The stored claims of a unit with this claim id (CLM01 / patient control number), newest first.
SELECT c.id, c.unit_id, su.code AS unit_code, c.claim_key, c.payer_id, c.patient_id, c.total_charge, c.payload,
       c.context, c.created_at
FROM claims c JOIN service_units su ON su.id = c.unit_id
WHERE c.unit_id = %(unit_id)s AND c.claim_key = %(claim_key)s
ORDER BY c.seq DESC;
