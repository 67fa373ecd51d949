-- API tokens expire: a token made today stops working after its lifetime (HANDOFF_TOKEN_DAYS when it
-- was made). Tokens made before this migration get 90 days from their creation.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET expires_at = created_at + interval '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
