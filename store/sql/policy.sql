-- name: current_policy
SELECT unit_id, version, policy, changed_by, changed_at, note FROM policy_versions
WHERE unit_id = %(unit_id)s ORDER BY version DESC LIMIT 1;

-- name: policy_at_version
SELECT unit_id, version, policy, changed_by, changed_at, note FROM policy_versions
WHERE unit_id = %(unit_id)s AND version = %(version)s;

-- name: policy_history
SELECT unit_id, version, changed_by, changed_at, note FROM policy_versions
WHERE unit_id = %(unit_id)s ORDER BY version;

-- name: insert_policy_version
INSERT INTO policy_versions (unit_id, version, policy, changed_by, note)
VALUES (%(unit_id)s, %(version)s, %(policy)s, %(changed_by)s, %(note)s)
RETURNING unit_id, version, policy, changed_by, changed_at, note;
