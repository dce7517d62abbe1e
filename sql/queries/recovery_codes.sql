-- name: delete_for_user
-- Drops a user's recovery codes before new ones are issued.
DELETE FROM recovery_codes WHERE user_id = $1;

-- name: insert
-- Stores the keyed hash of one recovery code.
INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2);

-- name: use
-- Uses up a matching, unused recovery code.
UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL;

-- name: count_unused
-- How many recovery codes a user has left.
SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL;
