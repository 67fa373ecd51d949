-- Sign-in (sessions, API tokens, login attempts) and the review queue's two-reviewer state.

-- Web sessions: server-side; the cookie holds a random id whose sha256 is stored here.
CREATE TABLE web_sessions (
    id_hash    text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    ended_at   timestamptz
);
CREATE INDEX web_sessions_user ON web_sessions (user_id) WHERE ended_at IS NULL;

-- API tokens for scripts and integrations: shown once, stored as sha256.
CREATE TABLE api_tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    name       text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used  timestamptz,
    revoked_at timestamptz
);

-- Sign-in attempts, for rate limiting and lockout (each is also an audit event).
CREATE TABLE login_attempts (
    id        bigserial PRIMARY KEY,
    username  text NOT NULL,
    client    text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    succeeded boolean NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE INDEX login_attempts_client ON login_attempts (client, at);

-- Two independent reviewers: who decided first (excluded from the second claim) and whether the
-- item was escalated to a practice manager after a disagreement.
ALTER TABLE review_items ADD COLUMN first_reviewer text;
ALTER TABLE review_items ADD COLUMN round smallint NOT NULL DEFAULT 1;
ALTER TABLE review_items ADD COLUMN original_queue text;
