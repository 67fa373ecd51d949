-- name: insert_payer_profile
INSERT INTO payer_profiles (id, org_id, payer_id, name, category, rules, changed_by)
VALUES (%(id)s, %(org_id)s, %(payer_id)s, %(name)s, %(category)s, %(rules)s, %(changed_by)s);

-- name: latest_payer_profiles
-- The latest profile of each payer of the organization.
SELECT DISTINCT ON (payer_id) payer_id, name, category, rules, changed_by, changed_at
FROM payer_profiles WHERE org_id = %(org_id)s
ORDER BY payer_id, changed_at DESC, id;

-- name: insert_coverage_record
INSERT INTO coverage_records (id, org_id, unit_id, payer_id, member_id, status, plan, coverage_start, coverage_end,
                              given_name, family_name, birth_date, sex, dependent, auth_required_service_types, detail,
                              source, source_item_id, trace_number, as_of)
VALUES (%(id)s, %(org_id)s, %(unit_id)s, %(payer_id)s, %(member_id)s, %(status)s, %(plan)s, %(coverage_start)s,
        %(coverage_end)s, %(given_name)s, %(family_name)s, %(birth_date)s, %(sex)s, %(dependent)s, %(auth_required_service_types)s,
        %(detail)s, %(source)s, %(source_item_id)s, %(trace_number)s, %(as_of)s)
RETURNING id, seq;

-- name: coverage_history
-- What the registry holds on one member id with one payer, newest first (the subscriber's and any
-- dependents' observations: dependents share the subscriber's member id).
SELECT id, org_id, unit_id, payer_id, member_id, status, plan, coverage_start, coverage_end, birth_date, sex,
       dependent, auth_required_service_types, source, source_item_id, trace_number, as_of, recorded_at
FROM coverage_records
WHERE org_id = %(org_id)s AND payer_id = %(payer_id)s AND member_id = %(member_id)s
ORDER BY seq DESC LIMIT 50;

-- name: coverage_of_members
-- The latest observation per (payer, member) for a set of member ids (any payer).
SELECT DISTINCT ON (payer_id, member_id) id, payer_id, member_id, status, plan, coverage_start, coverage_end,
       birth_date, sex, auth_required_service_types, source, trace_number, as_of, recorded_at
FROM coverage_records
WHERE org_id = %(org_id)s AND member_id = ANY(%(member_ids)s)
ORDER BY payer_id, member_id, seq DESC;

-- name: list_coverage
SELECT DISTINCT ON (payer_id, member_id) id, payer_id, member_id, status, plan, coverage_start, coverage_end,
       source, as_of, recorded_at
FROM coverage_records WHERE org_id = %(org_id)s
ORDER BY payer_id, member_id, seq DESC
LIMIT %(limit)s;

-- name: insert_eligibility_request
INSERT INTO eligibility_requests (id, unit_id, appointment_id, appointment_day, patient_mrn, payer_id, member_id,
                                  trace_number, problem, file_name, created_by)
VALUES (%(id)s, %(unit_id)s, %(appointment_id)s, %(appointment_day)s, %(patient_mrn)s, %(payer_id)s, %(member_id)s,
        %(trace_number)s, %(problem)s, %(file_name)s, %(created_by)s);

-- name: eligibility_requests_for_day
SELECT id, appointment_id, appointment_day, patient_mrn, payer_id, member_id, trace_number, problem, file_name,
       created_at
FROM eligibility_requests WHERE unit_id = %(unit_id)s AND appointment_day = %(day)s
ORDER BY created_at, appointment_id;

-- name: appointments_for_eligibility
-- A day's appointments with what the registry knows of the patient's insurance.
SELECT a.id AS appointment_id, a.appointment_day, a.scheduled_at, a.patient_mrn, p.given_name, p.family_name,
       p.birth_date, p.sex, p.member_id, p.payer AS payer_category
FROM appointments a
LEFT JOIN patients p ON p.org_id = %(org_id)s AND p.mrn = a.patient_mrn
WHERE a.unit_id = %(unit_id)s AND a.appointment_day = %(day)s
ORDER BY a.scheduled_at, a.id;

-- name: insert_prior_auth
INSERT INTO prior_authorizations (id, org_id, unit_id, number, payer_id, member_id, codes, units_authorized,
                                  start_date, end_date, provider_npi, patient_mrn, source, source_ref, content_sha256,
                                  recorded_by)
VALUES (%(id)s, %(org_id)s, %(unit_id)s, %(number)s, %(payer_id)s, %(member_id)s, %(codes)s, %(units_authorized)s,
        %(start_date)s, %(end_date)s, %(provider_npi)s, %(patient_mrn)s, %(source)s, %(source_ref)s,
        %(content_sha256)s, %(recorded_by)s)
ON CONFLICT (org_id, content_sha256) DO NOTHING
RETURNING id;

-- name: prior_auths
-- The latest version of each authorization (per payer and number), with the units billed against
-- it: claims of the organization's units that carry its number on lines of its codes.
SELECT a.id, a.org_id, a.unit_id, a.number, a.payer_id, a.member_id, a.codes, a.units_authorized,
       a.start_date AS start, a.end_date AS "end", a.provider_npi, a.patient_mrn, a.source, a.source_ref,
       a.recorded_by, a.recorded_at,
       COALESCE((SELECT sum((l ->> 'units')::numeric)
                 FROM claims c JOIN service_units su ON su.id = c.unit_id AND su.org_id = a.org_id
                 CROSS JOIN LATERAL jsonb_array_elements(c.payload -> 'service_lines') l
                 WHERE c.payload ->> 'prior_auth_number' = a.number AND c.payer_id = a.payer_id
                   AND (l ->> 'code') = ANY(a.codes)), 0) AS units_used
FROM (SELECT DISTINCT ON (payer_id, number) *
      FROM prior_authorizations
      WHERE org_id = %(org_id)s
        AND (%(payer_id)s::text IS NULL OR payer_id = %(payer_id)s)
        AND (%(member_id)s::text IS NULL OR member_id = %(member_id)s)
      ORDER BY payer_id, number, seq DESC) a
ORDER BY a.end_date DESC, a.number
LIMIT %(limit)s;

-- name: eligibility_request_by_trace
SELECT r.id, r.unit_id, r.appointment_id, r.appointment_day, r.patient_mrn, r.payer_id, r.member_id, r.trace_number
FROM eligibility_requests r WHERE r.trace_number = %(trace_number)s;

-- name: lock_key
-- A transaction-scoped lock on a name (one worker records an inbound item at a time).
SELECT pg_advisory_xact_lock(hashtextextended(%(key)s, 0));
