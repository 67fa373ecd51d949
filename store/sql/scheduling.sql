-- name: upsert_appointment
INSERT INTO appointments (unit_id, id, patient_mrn, scheduled_at, appointment_day, specialty, sms_reminder,
                          telehealth, hypertension, diabetes, alcoholism, handicap, scholarship, no_show)
VALUES (%(unit_id)s, %(id)s, %(patient_id)s, %(scheduled_at)s, %(appointment_day)s, %(specialty)s,
        %(sms_reminder)s, %(telehealth)s, %(hypertension)s, %(diabetes)s, %(alcoholism)s, %(handicap)s,
        %(scholarship)s, %(no_show)s)
ON CONFLICT (unit_id, id) DO UPDATE
SET no_show = COALESCE(EXCLUDED.no_show, appointments.no_show), updated_at = now();

-- name: appointments_through
-- History strictly before `day` plus the visits of `day` itself (features use only the former).
SELECT id, patient_mrn AS patient_id, unit_id, scheduled_at, appointment_day, specialty, sms_reminder,
       telehealth, hypertension, diabetes, alcoholism, handicap, scholarship,
       CASE WHEN appointment_day < %(day)s THEN no_show END AS no_show
FROM appointments
WHERE unit_id = %(unit_id)s AND appointment_day <= %(day)s
  AND (appointment_day < %(day)s OR scheduled_at::date < %(day)s)
ORDER BY appointment_day, scheduled_at;

-- name: labeled_appointments
SELECT id, patient_mrn AS patient_id, unit_id, scheduled_at, appointment_day, specialty, sms_reminder,
       telehealth, hypertension, diabetes, alcoholism, handicap, scholarship, no_show
FROM appointments WHERE unit_id = %(unit_id)s AND appointment_day < %(before)s
ORDER BY appointment_day, scheduled_at;

-- name: insert_action
INSERT INTO scheduling_actions (id, unit_id, appointment_id, action, suggestion_id, decision_id, applied_by)
VALUES (%(id)s, %(unit_id)s, %(appointment_id)s, %(action)s, %(suggestion_id)s, %(decision_id)s, %(applied_by)s);

-- name: actions_for_day
SELECT sa.appointment_id, sa.action, sa.applied_by, sa.applied_at
FROM scheduling_actions sa JOIN appointments a ON a.unit_id = sa.unit_id AND a.id = sa.appointment_id
WHERE sa.unit_id = %(unit_id)s AND a.appointment_day = %(day)s
ORDER BY sa.applied_at;
