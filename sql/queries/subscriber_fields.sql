-- name: insert
-- Declares a custom subscriber field for an account; choices one per line.
INSERT INTO subscriber_fields (account_id, field_key, label, field_type, choices, created_at)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id;

-- name: for_account
-- The fields an account declared, in the order they were declared.
SELECT id, field_key, label, field_type, choices FROM subscriber_fields
WHERE account_id = $1 ORDER BY id;

-- name: delete
-- Removes one field of an account (values already held stay in subscribers.fields until the
-- subscriber is amended or deleted).
DELETE FROM subscriber_fields WHERE account_id = $1 AND id = $2;
