-- name: insert_organization
INSERT INTO organizations (id, name) VALUES (%(id)s, %(name)s)
ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
RETURNING id, name, created_at;

-- name: get_organization_by_name
SELECT id, name, created_at FROM organizations WHERE name = %(name)s;

-- name: insert_unit
INSERT INTO service_units (id, org_id, code, name, billing_profile)
VALUES (%(id)s, %(org_id)s, %(code)s, %(name)s, %(billing_profile)s)
ON CONFLICT (org_id, code) DO NOTHING
RETURNING id, org_id, code, name, billing_profile, created_at;

-- name: get_unit_by_code
SELECT id, org_id, code, name, billing_profile, created_at FROM service_units WHERE code = %(code)s
ORDER BY created_at LIMIT 1;

-- name: get_unit
SELECT id, org_id, code, name, billing_profile, created_at FROM service_units WHERE id = %(id)s;

-- name: list_units
SELECT id, org_id, code, name, billing_profile, created_at FROM service_units ORDER BY code;

-- name: insert_user
INSERT INTO users (id, org_id, username, display_name, password_hash)
VALUES (%(id)s, %(org_id)s, %(username)s, %(display_name)s, %(password_hash)s)
RETURNING id, org_id, username, display_name, active;

-- name: get_user_by_username
SELECT id, org_id, username, display_name, active, password_hash FROM users WHERE username = %(username)s;

-- name: get_user
SELECT id, org_id, username, display_name, active FROM users WHERE id = %(id)s;

-- name: grant_role
INSERT INTO user_roles (user_id, unit_id, role) VALUES (%(user_id)s, %(unit_id)s, %(role)s)
ON CONFLICT DO NOTHING
RETURNING user_id;

-- name: user_roles
SELECT ur.unit_id, su.code AS unit_code, ur.role
FROM user_roles ur JOIN service_units su ON su.id = ur.unit_id
WHERE ur.user_id = %(user_id)s
ORDER BY su.code, ur.role;

-- name: list_users
SELECT u.id, u.username, u.display_name, u.active, su.code AS unit_code, ur.role
FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN service_units su ON su.id = ur.unit_id
ORDER BY u.username, su.code, ur.role;
