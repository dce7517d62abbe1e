-- Operators: users the operator has marked with `smartmessages operator grant`, who may open
-- the operator pages. Across accounts by design: an operator is not a role within an account.

-- name: set_by_email
-- Grants (1) or revokes (0) operator access for the user who signs in with this address.
UPDATE users SET is_operator = $2 WHERE email_normalized = $1;

-- name: is_operator
-- Whether one user has operator access.
SELECT is_operator FROM users WHERE id = $1;

-- name: list
-- Every operator, for `operator list`.
SELECT id, account_id, email FROM users WHERE is_operator = 1 ORDER BY id;
