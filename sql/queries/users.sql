-- name: insert
-- Creates a user of an account (its owner at sign-up, or an invited person).
INSERT INTO users (account_id, email, email_normalized, name, role, password_hash,
                   email_verified_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id;

-- name: find
-- One user by id, with the columns user_from_row reads.
SELECT id, account_id, email, name, role,
       CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END,
       CASE WHEN email_verified_at IS NULL THEN 0 ELSE 1 END,
       CASE WHEN totp_secret_sealed IS NULL THEN 0 ELSE 1 END, created_at
FROM users WHERE id = $1;

-- name: find_in_account
-- One user of one account; another account's user is not found.
SELECT id, account_id, email, name, role,
       CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END,
       CASE WHEN email_verified_at IS NULL THEN 0 ELSE 1 END,
       CASE WHEN totp_secret_sealed IS NULL THEN 0 ELSE 1 END, created_at
FROM users WHERE account_id = $1 AND id = $2;

-- name: list_for_account
-- The team of one account, owners first.
SELECT id, account_id, email, name, role,
       CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END,
       CASE WHEN email_verified_at IS NULL THEN 0 ELSE 1 END,
       CASE WHEN totp_secret_sealed IS NULL THEN 0 ELSE 1 END, created_at
FROM users WHERE account_id = $1 ORDER BY CASE role WHEN 'owner' THEN 0 ELSE 1 END, created_at, id;

-- name: credentials_by_email
-- What sign-in needs: the password hash and 2FA state of the user with this address.
SELECT id, account_id, password_hash, email_verified_at, totp_secret_sealed, totp_last_step
FROM users WHERE email_normalized = $1;

-- name: second_factor
-- The sealed TOTP secret and the last time step used, for checking a code.
SELECT totp_secret_sealed, totp_last_step, account_id FROM users WHERE id = $1;

-- name: mark_verified
-- Confirms a user's email address; returns the account it belongs to.
UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1
RETURNING account_id;

-- name: set_password
-- Replaces a user's password hash (reset, set-password link or invitation).
UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING account_id;

-- name: use_totp_step
-- Records the time step of an accepted code, only if it is newer, so no code works twice.
UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2;

-- name: set_totp_pending
-- Starts 2FA enrolment with a sealed secret not yet confirmed.
UPDATE users SET totp_pending_sealed = $2 WHERE id = $1;

-- name: pending_totp
-- The secret of an enrolment in progress.
SELECT totp_pending_sealed FROM users WHERE id = $1;

-- name: enable_totp
-- Confirms enrolment: the pending secret becomes the secret, with the step just used.
UPDATE users SET totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL,
                 totp_last_step = $2
WHERE id = $1 AND totp_pending_sealed IS NOT NULL;

-- name: disable_totp
-- Turns 2FA off for a user.
UPDATE users SET totp_secret_sealed = NULL, totp_pending_sealed = NULL WHERE id = $1;

-- name: set_role
-- Changes the role of a user of one account.
UPDATE users SET role = $3 WHERE account_id = $1 AND id = $2;

-- name: count_owners
-- How many owners an account has; the last owner cannot be removed or demoted.
SELECT COUNT(*) FROM users WHERE account_id = $1 AND role = 'owner';

-- name: delete
-- Removes a user from one account.
DELETE FROM users WHERE account_id = $1 AND id = $2;
