-- name: insert_session
INSERT INTO web_sessions (id_hash, user_id, csrf_token) VALUES (%(id_hash)s, %(user_id)s, %(csrf_token)s);

-- name: active_session
-- A session is live when not ended, seen within the idle timeout and younger than its absolute
-- lifetime (an idle timeout alone lets a busy session live forever).
SELECT id_hash, user_id, csrf_token, created_at, last_seen FROM web_sessions
WHERE id_hash = %(id_hash)s AND ended_at IS NULL
  AND last_seen > now() - make_interval(mins => %(idle_minutes)s)
  AND created_at > now() - make_interval(hours => %(max_hours)s);

-- name: touch_session
-- At most once a minute, and never waiting: a request that finds the row locked by another request
-- of the same session (two tabs) skips the touch instead of queueing behind it.
UPDATE web_sessions SET last_seen = now()
WHERE id_hash = (SELECT id_hash FROM web_sessions
                 WHERE id_hash = %(id_hash)s AND ended_at IS NULL AND last_seen < now() - interval '60 seconds'
                 FOR UPDATE SKIP LOCKED);

-- name: end_session
UPDATE web_sessions SET ended_at = now() WHERE id_hash = %(id_hash)s AND ended_at IS NULL;

-- name: insert_token
INSERT INTO api_tokens (id, user_id, name, token_hash, expires_at)
VALUES (%(id)s, %(user_id)s, %(name)s, %(token_hash)s, now() + make_interval(days => %(days)s))
RETURNING id, name, created_at, expires_at;

-- name: token_user
-- A plain read: no row lock, so any number of requests with one token run side by side.
SELECT id, user_id FROM api_tokens
WHERE token_hash = %(token_hash)s AND revoked_at IS NULL AND expires_at > now();

-- name: touch_token
-- last_used at most once a minute, skipping a row another request of the same token holds.
UPDATE api_tokens SET last_used = now()
WHERE id = (SELECT id FROM api_tokens
            WHERE id = %(id)s AND (last_used IS NULL OR last_used < now() - interval '60 seconds')
            FOR UPDATE SKIP LOCKED);

-- name: revoke_token
UPDATE api_tokens SET revoked_at = now()
WHERE id = %(id)s AND user_id = %(user_id)s AND revoked_at IS NULL
RETURNING id;

-- name: lock_sign_in
-- Sign-ins of one username take turns (until the transaction ends), so the count of recent failures
-- and the password check that follows it cannot be outrun by concurrent guesses.
SELECT pg_advisory_xact_lock(hashtextextended('handoff.sign_in:' || %(username)s, 0));

-- name: insert_login_attempt
INSERT INTO login_attempts (username, client, succeeded) VALUES (%(username)s, %(client)s, %(succeeded)s);

-- name: recent_failures
-- Failures since the last success, within the window.
SELECT count(*) AS n, max(at) AS last_at FROM login_attempts
WHERE username = %(username)s AND NOT succeeded AND at > now() - make_interval(mins => %(window_minutes)s)
  AND at > COALESCE((SELECT max(at) FROM login_attempts WHERE username = %(username)s AND succeeded), '-infinity');

-- name: client_attempts
SELECT count(*) AS n FROM login_attempts WHERE client = %(client)s AND at > now() - interval '1 minute';
