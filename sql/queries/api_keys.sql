-- name: insert
-- Stores the hash of a new API key for an account.
INSERT INTO api_keys (account_id, name, key_hash, created_at) VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: use
-- Finds the account of a key by its hash and records that it was used.
UPDATE api_keys SET last_used_at = $2 WHERE key_hash = $1 RETURNING account_id;
