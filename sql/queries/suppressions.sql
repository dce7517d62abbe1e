-- Suppressions: addresses an account must never add back. An entry matches an address by its
-- HMAC (address_hmac) or, for entries imported from a hash list, by its SHA-256.

-- name: refuse
-- Counts an attempt to add a suppressed address back; returns a row only when it is suppressed.
UPDATE suppressions SET refused = refused + 1
WHERE account_id = $1 AND (address_hmac = $2 OR address_sha256 = $3)
RETURNING id;

-- name: insert_hmac
-- Suppresses an address by its HMAC; an address already suppressed stays as it was.
INSERT INTO suppressions (account_id, address_hmac, reason, created_at)
VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING;

-- name: insert_sha256
-- Suppresses an address known only by the SHA-256 a hash list gives; returns a row when new.
INSERT INTO suppressions (account_id, address_sha256, reason, created_at)
VALUES ($1, $2, 'imported', $3) ON CONFLICT DO NOTHING RETURNING id;

-- name: lift
-- Removes the suppression of an address, whichever form it is kept in.
DELETE FROM suppressions
WHERE account_id = $1 AND (address_hmac = $2 OR address_sha256 = $3);

-- name: summary
-- Entries and refused attempts of one account, for the suppressions page.
SELECT COUNT(*), CAST(COALESCE(SUM(refused), 0) AS BIGINT)
FROM suppressions WHERE account_id = $1;

-- name: sha256_entries
-- Entries imported from hash lists, for exporting the account's hash list.
SELECT address_sha256 FROM suppressions
WHERE account_id = $1 AND address_sha256 IS NOT NULL ORDER BY id;

-- name: hmac_entries
-- Entries kept as HMACs, to be matched against the addresses the account still holds.
SELECT address_hmac FROM suppressions
WHERE account_id = $1 AND address_hmac IS NOT NULL ORDER BY id;

-- name: held_addresses
-- The normalised addresses the account holds, to turn matching HMAC entries into SHA-256.
SELECT email_normalized FROM subscribers WHERE account_id = $1 ORDER BY id;
