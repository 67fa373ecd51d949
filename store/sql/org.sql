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
INSERT INTO users (id, org_id, username, display_name, password_hash, email)
VALUES (%(id)s, %(org_id)s, %(username)s, %(display_name)s, %(password_hash)s, %(email)s)
RETURNING id, org_id, username, display_name, active, email;

-- name: get_user_by_username
SELECT id, org_id, username, display_name, active, email, password_hash FROM users WHERE username = %(username)s;

-- name: get_user
SELECT id, org_id, username, display_name, active, email FROM users WHERE id = %(id)s;

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

-- name: list_organizations
SELECT id, name, created_at FROM organizations ORDER BY created_at;

-- name: create_organization
INSERT INTO organizations (id, name) VALUES (%(id)s, %(name)s)
ON CONFLICT (name) DO NOTHING
RETURNING id, name, created_at;

-- name: create_unit
INSERT INTO service_units (id, org_id, code, name, billing_profile)
VALUES (%(id)s, %(org_id)s, %(code)s, %(name)s, %(billing_profile)s)
ON CONFLICT (org_id, code) DO NOTHING
RETURNING id, org_id, code, name, billing_profile, created_at;

-- name: set_billing_profile
UPDATE service_units SET billing_profile = %(billing_profile)s WHERE id = %(id)s
RETURNING id, org_id, code, name, billing_profile, created_at;

-- name: units_of_org
SELECT id, org_id, code, name, billing_profile, created_at FROM service_units WHERE org_id = %(org_id)s ORDER BY code;

-- name: set_user_active
UPDATE users SET active = %(active)s WHERE id = %(id)s RETURNING id;

-- name: set_password_hash
UPDATE users SET password_hash = %(password_hash)s WHERE id = %(id)s RETURNING id;

-- name: set_email
UPDATE users SET email = %(email)s WHERE id = %(id)s RETURNING id;

-- name: set_display_name
UPDATE users SET display_name = %(display_name)s WHERE id = %(id)s RETURNING id;

-- name: revoke_role
DELETE FROM user_roles WHERE user_id = %(user_id)s AND unit_id = %(unit_id)s AND role = %(role)s
RETURNING user_id;

-- name: end_user_sessions
-- Signing out everywhere (a disabled account or a new password).
UPDATE web_sessions SET ended_at = now() WHERE user_id = %(user_id)s AND ended_at IS NULL;

-- name: revoke_user_tokens
UPDATE api_tokens SET revoked_at = now() WHERE user_id = %(user_id)s AND revoked_at IS NULL;

-- name: users_of_org
SELECT u.id, u.username, u.display_name, u.active, u.email, su.code AS unit_code, ur.role
FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN service_units su ON su.id = ur.unit_id
WHERE u.org_id = %(org_id)s
ORDER BY u.username, su.code, ur.role;

-- name: admins_of_org
SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id
WHERE u.org_id = %(org_id)s AND ur.role = 'admin' AND u.active;

-- name: users_with_role_in_unit
-- Active people holding any of the roles in a unit, with their e-mail (notification recipients).
SELECT DISTINCT u.id, u.username, u.display_name, u.email
FROM users u JOIN user_roles ur ON ur.user_id = u.id
WHERE ur.unit_id = %(unit_id)s AND ur.role = ANY(%(roles)s) AND u.active
ORDER BY u.username;
