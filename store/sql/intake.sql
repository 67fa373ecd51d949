-- name: upsert_patient
INSERT INTO patients (id, org_id, mrn, given_name, family_name, birth_date, sex, member_id, payer, language,
                      race_ethnicity, distance_km, has_transport, phone, source)
VALUES (%(id)s, %(org_id)s, %(mrn)s, %(given_name)s, %(family_name)s, %(birth_date)s, %(sex)s, %(member_id)s,
        %(payer)s, %(language)s, %(race_ethnicity)s, %(distance_km)s, %(has_transport)s, %(phone)s, %(source)s)
ON CONFLICT (org_id, mrn) DO NOTHING;

-- name: patients_for_import
SELECT mrn, given_name, family_name, birth_date, sex, member_id, payer, language, race_ethnicity, phone,
       distance_km, has_transport, source
FROM patients WHERE org_id = %(org_id)s AND mrn = ANY(%(mrns)s);

-- name: update_registry_patient
UPDATE patients
SET given_name = %(given_name)s, family_name = %(family_name)s, birth_date = %(birth_date)s, sex = %(sex)s,
    member_id = %(member_id)s, payer = %(payer)s, language = %(language)s, race_ethnicity = %(race_ethnicity)s,
    phone = %(phone)s, distance_km = %(distance_km)s, has_transport = %(has_transport)s, source = %(source)s,
    updated_at = now()
WHERE org_id = %(org_id)s AND mrn = %(mrn)s;

-- name: patient_candidates
-- Patients who share a date of birth, an MRN or a member ID with what the document says.
SELECT id, mrn, given_name, family_name, birth_date, sex, member_id, payer, language, race_ethnicity
FROM patients
WHERE org_id = %(org_id)s
  AND (birth_date = %(birth_date)s OR mrn = %(mrn)s OR member_id = %(member_id)s)
-- Every match, identifier matches first, then a stable order (no arbitrary truncation: a date of
-- birth shared by many patients must not push out the one whose MRN matches).
ORDER BY (mrn = %(mrn)s OR member_id = %(member_id)s) IS TRUE DESC, family_name, given_name, id
LIMIT %(limit)s;

-- name: get_patient
SELECT id, mrn, given_name, family_name, birth_date, sex, member_id, payer, language, race_ethnicity
FROM patients WHERE id = %(id)s;

-- name: patients_by_mrn
SELECT mrn, given_name, family_name, birth_date, sex, member_id, payer, language, race_ethnicity, distance_km,
       has_transport, phone
FROM patients WHERE org_id = %(org_id)s AND mrn = ANY(%(mrns)s);

-- name: insert_part
INSERT INTO inbound_parts (id, item_id, part_no, page_start, page_end, text, ocr_confidence, degraded, degraded_reason)
VALUES (%(id)s, %(item_id)s, %(part_no)s, %(page_start)s, %(page_end)s, %(text)s, %(ocr_confidence)s,
        %(degraded)s, %(degraded_reason)s)
ON CONFLICT (item_id, part_no) DO NOTHING;

-- name: parts_of_item
SELECT id, item_id, part_no, page_start, page_end, text, ocr_confidence, degraded, degraded_reason
FROM inbound_parts WHERE item_id = %(item_id)s ORDER BY part_no;

-- name: get_part
SELECT p.id, p.item_id, p.part_no, p.page_start, p.page_end, p.text, p.ocr_confidence, p.degraded,
       p.degraded_reason, i.unit_id, i.channel, i.received_at
FROM inbound_parts p JOIN inbound_items i ON i.id = p.item_id
WHERE p.id = %(id)s;

-- name: insert_embedding
INSERT INTO part_embeddings (part_id, unit_id, patient_id, doc_type, embedding)
VALUES (%(part_id)s, %(unit_id)s, %(patient_id)s, %(doc_type)s, %(embedding)s::vector)
ON CONFLICT (part_id) DO NOTHING;

-- name: similar_parts_of_patient
-- The same patient's similar items within the window (duplicates), nearest first.
SELECT e.part_id, 1 - (e.embedding <=> %(embedding)s::vector) AS similarity, e.doc_type, e.created_at
FROM part_embeddings e
WHERE e.patient_id = %(patient_id)s AND e.part_id <> %(part_id)s
  AND e.created_at > now() - make_interval(days => %(days)s)
ORDER BY e.embedding <=> %(embedding)s::vector
LIMIT 5;

-- name: similar_resolved
-- Resolved cases (filed after a decision) of this unit nearest to an embedding, for reviewers. The
-- unit's own partial HNSW index (migration 082) answers it, so every candidate is the unit's.
SELECT r.part_id, 1 - (r.embedding <=> %(embedding)s::vector) AS similarity, r.doc_type, r.urgency, r.queue,
       r.filed_at
FROM resolved_cases r
WHERE r.unit_id = %(unit_id)s AND r.part_id <> %(part_id)s
ORDER BY r.embedding <=> %(embedding)s::vector
LIMIT %(limit)s;

-- name: similar_resolved_exact
-- The same without any index: exact, for when the index returned fewer than asked.
SELECT r.part_id, 1 - (r.embedding <=> %(embedding)s::vector) AS similarity, r.doc_type, r.urgency, r.queue,
       r.filed_at
FROM (SELECT * FROM resolved_cases WHERE unit_id = %(unit_id)s AND part_id <> %(part_id)s OFFSET 0) r
ORDER BY (r.embedding <=> %(embedding)s::vector) + 0
LIMIT %(limit)s;

-- name: resolved_count
SELECT count(*) AS n FROM resolved_cases WHERE unit_id = %(unit_id)s AND part_id <> %(part_id)s;

-- name: embedding_of_part
SELECT unit_id, embedding::text AS embedding FROM part_embeddings WHERE part_id = %(part_id)s;

-- name: insert_filing
INSERT INTO intake_filings (id, part_id, suggestion_id, decision_id, value, queue, filed_by)
VALUES (%(id)s, %(part_id)s, %(suggestion_id)s, %(decision_id)s, %(value)s, %(queue)s, %(filed_by)s);

-- name: filings_of_part
SELECT id, part_id, suggestion_id, decision_id, value, queue, filed_by, filed_at
FROM intake_filings WHERE part_id = %(part_id)s ORDER BY filed_at;

-- name: get_decision
SELECT d.id, d.review_item_id, d.suggestion_id, d.action, d.reason_code, d.new_value, d.note, d.decided_by, d.final,
       s.subject, s.value AS suggested_value, s.agent
FROM decisions d JOIN suggestions s ON s.id = d.suggestion_id
WHERE d.id = %(id)s;

-- name: reviewed_parts
-- Labels reviewers gave (accepted or corrected), for retraining: the final decision per part.
SELECT DISTINCT ON (p.id) p.text, s.value ->> 'doc_type' AS suggested_doc_type, s.value ->> 'urgency' AS suggested_urgency,
       d.action, d.new_value
FROM decisions d
JOIN suggestions s ON s.id = d.suggestion_id
JOIN inbound_parts p ON s.subject = 'inbound_part:' || p.id::text
WHERE s.agent = 'intake' AND d.final AND d.action IN ('accept', 'override') AND NOT p.degraded
ORDER BY p.id, d.decided_at DESC;

-- name: insert_page_words
INSERT INTO fax_page_words (item_id, page_no, words) VALUES (%(item_id)s, %(page_no)s, %(words)s)
ON CONFLICT (item_id, page_no) DO NOTHING;

-- name: page_words
SELECT words FROM fax_page_words WHERE item_id = %(item_id)s AND page_no = %(page_no)s;
