-- name: insert
-- Starts a session, keeping only the hash of its token.
INSERT INTO sessions (token_hash, user_id, account_id, stage, created_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: find
-- The session behind a cookie's token hash.
SELECT id, user_id, account_id, stage, created_at, last_seen_at
FROM sessions WHERE token_hash = $1;

-- name: touch
-- Marks a session as just used, restarting its idle clock.
UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1;

-- name: delete
-- Ends one session.
DELETE FROM sessions WHERE token_hash = $1;

-- name: delete_for_user
-- Signs a user out everywhere.
DELETE FROM sessions WHERE user_id = $1;

-- name: delete_expired
-- Maintenance: ends sessions idle past $1 or started before $2.
DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2;
