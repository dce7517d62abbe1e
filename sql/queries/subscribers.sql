-- name: find_by_email
-- The subscriber holding a normalised address within one account.
SELECT id, email, fields, created_at, updated_at FROM subscribers
WHERE account_id = $1 AND email_normalized = $2;

-- name: insert
-- Stores a new subscriber; fields is a JSON object of declared field keys to values.
INSERT INTO subscribers (account_id, email, email_normalized, fields, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5)
RETURNING id;

-- name: find
-- One subscriber of an account.
SELECT id, email, fields, created_at, updated_at FROM subscribers
WHERE account_id = $1 AND id = $2;

-- name: delete
-- Deletes a subscriber with its subscriptions and their consent records (cascade).
DELETE FROM subscribers WHERE account_id = $1 AND id = $2;

-- name: delete_if_without_subscriptions
-- Maintenance: removes a subscriber that has no subscription left.
DELETE FROM subscribers
WHERE account_id = $1 AND id = $2
  AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = subscribers.id);
