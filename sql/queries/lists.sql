-- name: insert
-- Creates a list for an account; the public id is random and chosen by the service.
INSERT INTO lists (account_id, public_id, name, description, confirm_subject, confirm_body,
                   created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id;

-- name: update
-- Renames, describes and rewords the confirmation email of one list of an account.
UPDATE lists SET name = $3, description = $4, confirm_subject = $5, confirm_body = $6
WHERE account_id = $1 AND id = $2;

-- name: delete
-- Deletes one list of an account; its subscriptions, their consent records, form versions and
-- imports go with it (ON DELETE CASCADE).
DELETE FROM lists WHERE account_id = $1 AND id = $2;

-- name: find
-- One list of an account.
SELECT id, account_id, public_id, name, description, confirm_subject, confirm_body, created_at
FROM lists WHERE account_id = $1 AND id = $2;

-- name: for_account
-- Every list of an account, by name.
SELECT id, account_id, public_id, name, description, confirm_subject, confirm_body, created_at
FROM lists WHERE account_id = $1 ORDER BY name, id;

-- name: find_by_public_id
-- The one look-up without an account: the hosted sign-up page's, where the public id is the
-- capability.
SELECT id, account_id, public_id, name, description, confirm_subject, confirm_body, created_at
FROM lists WHERE public_id = $1;

-- name: counts
-- Subscriptions of one list of an account, counted by status.
SELECT status, COUNT(*) FROM subscriptions
WHERE account_id = $1 AND list_id = $2 GROUP BY status;
