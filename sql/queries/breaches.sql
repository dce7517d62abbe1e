-- The breach register (operator data, not any one account's): breaches and the accounts each
-- affects, with when each was notified.

-- name: insert
-- Records a breach: what happened, what data, when it was found and recorded.
INSERT INTO breaches (summary, data_affected, found_at, recorded_at, all_accounts)
VALUES ($1, $2, $3, $4, $5) RETURNING id;

-- name: add_account
-- Adds one account to a breach, with the organisation name it has now; nothing when the
-- account does not exist.
INSERT INTO breach_accounts (breach_id, account_id, organisation)
SELECT CAST($1 AS BIGINT), id, organisation FROM accounts WHERE id = $2;

-- name: add_all_accounts
-- Adds every account of the installation to a breach.
INSERT INTO breach_accounts (breach_id, account_id, organisation)
SELECT CAST($1 AS BIGINT), id, organisation FROM accounts;

-- name: list
-- The whole register, newest first.
SELECT id, summary, data_affected, found_at, recorded_at, all_accounts
FROM breaches ORDER BY id DESC;

-- name: find
-- One breach of the register.
SELECT id, summary, data_affected, found_at, recorded_at, all_accounts
FROM breaches WHERE id = $1;

-- name: accounts
-- The accounts one breach affects and whether each was notified.
SELECT account_id, organisation, notified_at, notified_to, notify_error
FROM breach_accounts WHERE breach_id = $1 ORDER BY account_id;

-- name: mark_notified
-- Records that an account's contact address was sent the notice.
UPDATE breach_accounts SET notified_at = $3, notified_to = $4, notify_error = ''
WHERE breach_id = $1 AND account_id = $2;

-- name: mark_failed
-- Records why the notice to one account could not be sent (it is tried again next time).
UPDATE breach_accounts SET notify_error = $3 WHERE breach_id = $1 AND account_id = $2;
