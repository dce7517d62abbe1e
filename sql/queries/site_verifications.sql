-- The page each account names to prove it controls its web site, and what checking it found.

-- name: find
-- The verification page of one account and the outcome of its last check.
SELECT account_id, page_url, verified_since, last_checked_at, last_result
FROM site_verifications WHERE account_id = $1;

-- name: set_page
-- Names (or renames) an account's page; a new address starts unverified, the same one keeps
-- its standing.
INSERT INTO site_verifications (account_id, page_url, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (account_id) DO UPDATE SET
  verified_since = CASE WHEN site_verifications.page_url = excluded.page_url
                        THEN site_verifications.verified_since ELSE NULL END,
  last_checked_at = CASE WHEN site_verifications.page_url = excluded.page_url
                         THEN site_verifications.last_checked_at ELSE NULL END,
  last_result = CASE WHEN site_verifications.page_url = excluded.page_url
                     THEN site_verifications.last_result ELSE '' END,
  page_url = excluded.page_url,
  updated_at = excluded.updated_at;

-- name: delete
-- The account no longer names a page.
DELETE FROM site_verifications WHERE account_id = $1;

-- name: record_check
-- Stores a check's outcome, unless the page was renamed while it ran.
UPDATE site_verifications SET verified_since = $3, last_checked_at = $4, last_result = $5
WHERE account_id = $1 AND page_url = $2;

-- name: due
-- Accounts whose page was not checked since the cut-off (the daily re-check, across accounts).
SELECT account_id FROM site_verifications
WHERE last_checked_at IS NULL OR last_checked_at < $1 ORDER BY account_id;
