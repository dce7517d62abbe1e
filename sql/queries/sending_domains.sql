-- name: insert
-- Adds a sending domain to an account with its selectors, sealed private keys and records.
INSERT INTO sending_domains (account_id, domain, ed25519_selector, ed25519_private_sealed,
                             ed25519_record, rsa_selector, rsa_private_sealed, rsa_record,
                             created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id;

-- name: find
-- One sending domain of an account, without its private keys.
SELECT id, account_id, domain, ed25519_selector, ed25519_record, rsa_selector, rsa_record,
       verified_at, last_checked_at, last_check_result, created_at
FROM sending_domains WHERE account_id = $1 AND id = $2;

-- name: for_account
-- Every sending domain of an account, by domain, without their private keys.
SELECT id, account_id, domain, ed25519_selector, ed25519_record, rsa_selector, rsa_record,
       verified_at, last_checked_at, last_check_result, created_at
FROM sending_domains WHERE account_id = $1 ORDER BY domain, id;

-- name: signing_keys
-- The sealed private keys of one sending domain of an account, for the sending engine.
SELECT domain, ed25519_selector, ed25519_private_sealed, rsa_selector, rsa_private_sealed
FROM sending_domains WHERE account_id = $1 AND id = $2;

-- name: delete
-- Removes one sending domain of an account, with its keys.
DELETE FROM sending_domains WHERE account_id = $1 AND id = $2;

-- name: record_check
-- Stores the outcome of a DNS check of one sending domain of an account: verified_at is set
-- when its DKIM records were found and cleared when they were not.
UPDATE sending_domains SET verified_at = $3, last_checked_at = $4, last_check_result = $5
WHERE account_id = $1 AND id = $2;
