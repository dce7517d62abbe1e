-- CSV imports into a list: the imports row (progress and result), its refused rows, and the
-- subscribers, subscriptions and consent events an import writes.

-- name: insert
-- Starts an import of a CSV file into a list, with the account holder's statement.
INSERT INTO imports (account_id, list_id, source, basis, send_confirmation, status, created_at)
VALUES ($1, $2, $3, $4, $5, 'running', $6) RETURNING id;

-- name: progress
-- Records the counts so far, once per batch, so a page can show progress.
UPDATE imports SET rows_seen = $3, rows_imported = $4, rows_refused = $5
WHERE account_id = $1 AND id = $2;

-- name: finish
-- Ends an import: done, or failed with a sentence for the account holder.
UPDATE imports SET status = $3, rows_seen = $4, rows_imported = $5, rows_refused = $6,
                   error = $7, finished_at = $8
WHERE account_id = $1 AND id = $2;

-- name: find
-- One import of an account.
SELECT id, list_id, source, basis, send_confirmation, status, rows_seen, rows_imported,
       rows_refused, error, created_at, finished_at
FROM imports WHERE account_id = $1 AND id = $2;

-- name: insert_refusal
-- One refused row, for the downloadable report.
INSERT INTO import_refusals (account_id, import_id, line, reason, value, detail)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: refusal_counts
-- Refused rows of an import by reason.
SELECT reason, COUNT(*) FROM import_refusals
WHERE account_id = $1 AND import_id = $2 GROUP BY reason ORDER BY reason;

-- name: refusals
-- Refused rows of an import in file order, for the report CSV.
SELECT line, reason, value, detail FROM import_refusals
WHERE account_id = $1 AND import_id = $2 ORDER BY line, id;

-- name: find_subscriber
-- The subscriber holding a normalised address, and its subscription on the list if any.
SELECT s.id, sub.status FROM subscribers s
LEFT JOIN subscriptions sub
  ON sub.subscriber_id = s.id AND sub.list_id = $3 AND sub.account_id = $1
WHERE s.account_id = $1 AND s.email_normalized = $2;

-- name: insert_subscriber
-- A subscriber first seen in an import; fields is a JSON object of declared keys to values.
INSERT INTO subscribers (account_id, email, email_normalized, fields, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5) RETURNING id;

-- name: insert_confirmed_subscription
-- An imported subscription, confirmed on the strength of the account holder's statement.
INSERT INTO subscriptions (account_id, list_id, subscriber_id, status, token_salt, created_at,
                           confirmed_at)
VALUES ($1, $2, $3, 'confirmed', $4, $5, $5) RETURNING id;
