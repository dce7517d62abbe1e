-- Erasures: deleting a subscriber at their request. What is erased is gone; what stays is a
-- count per account and day, and the suppression (kept by services/suppression.cpp).

-- name: delete_import_refusals_naming
-- Import report rows of one account whose value is the erased address ($2 normalised, $3 as
-- held, lowercased): the report would otherwise keep it.
DELETE FROM import_refusals WHERE account_id = $1 AND LOWER(value) IN ($2, $3);

-- name: count
-- Counts one erasure for an account on a day ($2: the UTC day's first millisecond).
INSERT INTO erasures (account_id, erased_on, requested_via, erased) VALUES ($1, $2, $3, 1)
ON CONFLICT (account_id, erased_on, requested_via) DO UPDATE SET erased = erasures.erased + 1;

-- name: recent
-- An account's newest days with erasures, for its dashboard.
SELECT erased_on, requested_via, erased FROM erasures
WHERE account_id = $1 ORDER BY erased_on DESC, requested_via LIMIT $2;
