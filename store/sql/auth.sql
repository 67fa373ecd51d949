-- name: insert_session
INSERT INTO web_sessions (id_hash, user_id, csrf_token) VALUES (%(id_hash)s, %(user_id)s, %(csrf_token)s);

-- name: active_session
-- A session is live when not ended and seen within the idle timeout.
SELECT id_hash, user_id, csrf_token, created_at, last_seen FROM web_sessions
WHERE id_hash = %(id_hash)s AND ended_at IS NULL
  AND last_seen > now() - make_interval(mins => %(idle_minutes)s);

-- name: touch_session
UPDATE web_sessions SET last_seen = now() WHERE id_hash = %(id_hash)s AND ended_at IS NULL;

-- name: end_session
UPDATE web_sessions SET ended_at = now() WHERE id_hash = %(id_hash)s AND ended_at IS NULL;

-- name: insert_token
INSERT INTO api_tokens (id, user_id, name, token_hash) VALUES (%(id)s, %(user_id)s, %(name)s, %(token_hash)s)
RETURNING id, name, created_at;

-- name: token_user
UPDATE api_tokens SET last_used = now()
WHERE token_hash = %(token_hash)s AND revoked_at IS NULL
RETURNING user_id, id;

-- name: revoke_token
UPDATE api_tokens SET revoked_at = now()
WHERE id = %(id)s AND user_id = %(user_id)s AND revoked_at IS NULL
RETURNING id;

-- name: insert_login_attempt
INSERT INTO login_attempts (username, client, succeeded) VALUES (%(username)s, %(client)s, %(succeeded)s);

-- name: recent_failures
-- Failures since the last success, within the window.
SELECT count(*) AS n, max(at) AS last_at FROM login_attempts
WHERE username = %(username)s AND NOT succeeded AND at > now() - make_interval(mins => %(window_minutes)s)
  AND at > COALESCE((SELECT max(at) FROM login_attempts WHERE username = %(username)s AND succeeded), '-infinity');

-- name: client_attempts
SELECT count(*) AS n FROM login_attempts WHERE client = %(client)s AND at > now() - interval '1 minute';
