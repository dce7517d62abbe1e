-- name: insert
-- Stores the hash of a new single-use link.
INSERT INTO one_time_links (token_hash, purpose, user_id, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5);

-- name: find_valid
-- The user of an unused, unexpired link, without using it.
SELECT user_id FROM one_time_links
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3;

-- name: consume
-- Uses up an unused, unexpired link and returns its user.
UPDATE one_time_links SET used_at = $3
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
RETURNING user_id;

-- name: revoke_for_user
-- Retires every open link of one purpose for a user (a new reset link replaces old ones).
UPDATE one_time_links SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL;

-- name: delete_expired
-- Maintenance: removes links that expired or were used before the cut-off.
DELETE FROM one_time_links WHERE expires_at < $1 OR (used_at IS NOT NULL AND used_at < $1);
