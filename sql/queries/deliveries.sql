-- Deliveries: the recipient snapshot of a campaign, the claims workers make on it, and what
-- each delivery became. Lists of ids are passed as one JSON array ("[1,2,3]"), so a batch
-- is one statement; the few queries that read such a list come in a _sqlite and a
-- _postgresql form (json_each against jsonb_array_elements_text), chosen by the caller.

-- name: snapshot
-- Queues one delivery per subscriber with a confirmed subscription on any of the campaign's
-- lists (a subscriber on two lists once, naming the subscription made first); suppressed
-- addresses are taken out afterwards, since only the application can compute their HMAC.
INSERT INTO deliveries (account_id, campaign_id, subscriber_id, subscription_id, email)
SELECT cl.account_id, cl.campaign_id, s.subscriber_id, MIN(s.id), MIN(sub.email)
FROM campaign_lists cl
JOIN subscriptions s ON s.list_id = cl.list_id AND s.account_id = cl.account_id
JOIN subscribers sub ON sub.id = s.subscriber_id AND sub.account_id = cl.account_id
WHERE cl.account_id = $1 AND cl.campaign_id = $2 AND s.status = 'confirmed'
GROUP BY cl.account_id, cl.campaign_id, s.subscriber_id;

-- name: snapshot_addresses
-- The normalised address of every delivery of a campaign, to match against suppressions.
SELECT d.id, sub.email_normalized
FROM deliveries d JOIN subscribers sub ON sub.id = d.subscriber_id
WHERE d.account_id = $1 AND d.campaign_id = $2 AND sub.account_id = $1;

-- name: remove_queued
-- Takes one queued delivery out of the snapshot (its address is suppressed).
DELETE FROM deliveries WHERE account_id = $1 AND id = $2 AND status = 'queued';

-- name: count
-- How many deliveries a campaign has.
SELECT COUNT(*) FROM deliveries WHERE account_id = $1 AND campaign_id = $2;

-- name: claim_postgresql
-- Claims up to $5 queued deliveries of a campaign that are due, for worker $3 at time $4.
-- SKIP LOCKED lets workers claim side by side without waiting or overlapping; a worker whose
-- registration is gone (judged dead) claims nothing.
UPDATE deliveries SET status = 'sending', claimed_by = $3, claimed_at = $4
WHERE status = 'queued' AND id IN (
  SELECT id FROM deliveries
  WHERE account_id = $1 AND campaign_id = $2 AND status = 'queued' AND next_attempt_at <= $4
    AND EXISTS (SELECT 1 FROM send_workers w WHERE w.id = $3)
  ORDER BY id LIMIT $5
  FOR UPDATE SKIP LOCKED)
RETURNING id;

-- name: claim_sqlite
-- The same claim on SQLite, where the write transaction around it (BEGIN IMMEDIATE) is the
-- lock: one writer at a time, so no other claim can see these rows still queued.
UPDATE deliveries SET status = 'sending', claimed_by = $3, claimed_at = $4
WHERE status = 'queued' AND id IN (
  SELECT id FROM deliveries
  WHERE account_id = $1 AND campaign_id = $2 AND status = 'queued' AND next_attempt_at <= $4
    AND EXISTS (SELECT 1 FROM send_workers w WHERE w.id = $3)
  ORDER BY id LIMIT $5)
RETURNING id;

-- name: claimed_postgresql
-- What rendering needs of the deliveries $4 (a JSON array) that worker $3 holds: the
-- subscriber's fields and the subscription's list, token salt, date of consent and status.
SELECT d.id, d.subscriber_id, d.subscription_id, d.email, d.attempts, sub.fields, s.list_id,
       s.token_salt, COALESCE(s.confirmed_at, s.created_at), s.status, sub.email_normalized
FROM deliveries d
JOIN subscribers sub ON sub.id = d.subscriber_id
JOIN subscriptions s ON s.id = d.subscription_id
WHERE d.account_id = $1 AND d.campaign_id = $2 AND d.claimed_by = $3 AND d.status = 'sending'
  AND d.id IN (SELECT CAST(jsonb_array_elements_text(CAST($4 AS jsonb)) AS BIGINT))
ORDER BY d.id;

-- name: claimed_sqlite
-- The same for SQLite.
SELECT d.id, d.subscriber_id, d.subscription_id, d.email, d.attempts, sub.fields, s.list_id,
       s.token_salt, COALESCE(s.confirmed_at, s.created_at), s.status, sub.email_normalized
FROM deliveries d
JOIN subscribers sub ON sub.id = d.subscriber_id
JOIN subscriptions s ON s.id = d.subscription_id
WHERE d.account_id = $1 AND d.campaign_id = $2 AND d.claimed_by = $3 AND d.status = 'sending'
  AND d.id IN (SELECT value FROM json_each($4))
ORDER BY d.id;

-- name: mark_sent_postgresql
-- The relay accepted deliveries $3 (a JSON array) of worker $2 at $4.
UPDATE deliveries SET status = 'sent', sent_at = $4, last_error = ''
WHERE account_id = $1 AND claimed_by = $2 AND status = 'sending'
  AND id IN (SELECT CAST(jsonb_array_elements_text(CAST($3 AS jsonb)) AS BIGINT));

-- name: mark_sent_sqlite
-- The same for SQLite.
UPDATE deliveries SET status = 'sent', sent_at = $4, last_error = ''
WHERE account_id = $1 AND claimed_by = $2 AND status = 'sending'
  AND id IN (SELECT value FROM json_each($3));

-- name: release_postgresql
-- Puts deliveries $3 (a JSON array) of worker $2 back in the queue untouched: they were not
-- handed to the relay (the campaign was paused because the relay refused our credentials).
UPDATE deliveries SET status = 'queued', claimed_by = NULL, claimed_at = NULL
WHERE account_id = $1 AND claimed_by = $2 AND status = 'sending'
  AND id IN (SELECT CAST(jsonb_array_elements_text(CAST($3 AS jsonb)) AS BIGINT));

-- name: release_sqlite
-- The same for SQLite.
UPDATE deliveries SET status = 'queued', claimed_by = NULL, claimed_at = NULL
WHERE account_id = $1 AND claimed_by = $2 AND status = 'sending'
  AND id IN (SELECT value FROM json_each($3));

-- name: retry_later
-- The relay answered 4xx: back in the queue, one attempt more, not before $5.
UPDATE deliveries
SET status = 'queued', attempts = attempts + 1, next_attempt_at = $5, last_error = $4,
    claimed_by = NULL, claimed_at = NULL
WHERE account_id = $1 AND id = $2 AND claimed_by = $3 AND status = 'sending';

-- name: mark_failed
-- The relay refused the delivery for good (5xx), the retries ran out, or it could not be
-- rendered; last_error says which. Kept for bounce handling.
UPDATE deliveries SET status = 'failed', attempts = attempts + $5, last_error = $4
WHERE account_id = $1 AND id = $2 AND claimed_by = $3 AND status = 'sending';

-- name: remove_claimed
-- The subscriber left (unsubscribed or was suppressed) after the snapshot and before the
-- message went: the delivery is taken out of the campaign.
DELETE FROM deliveries WHERE account_id = $1 AND id = $2 AND claimed_by = $3
  AND status = 'sending';

-- name: any_orphan_in_flight
-- Whether orphan_in_flight has anything to do: a read, so an idle worker takes no write lock.
SELECT 1 FROM deliveries
WHERE status = 'sending'
  AND NOT EXISTS (SELECT 1 FROM send_workers w WHERE w.id = deliveries.claimed_by)
LIMIT 1;

-- name: orphan_in_flight
-- Every worker: deliveries in flight whose worker is no longer registered (judged dead and
-- removed) become unknown. Across accounts, since a worker serves all of them; returns the
-- campaigns touched, for the log.
UPDATE deliveries SET status = 'unknown', last_error = $1
WHERE status = 'sending'
  AND NOT EXISTS (SELECT 1 FROM send_workers w WHERE w.id = deliveries.claimed_by)
RETURNING campaign_id;

-- name: requeue_unknown
-- The account holder asks to send a campaign's unknown deliveries after all.
UPDATE deliveries
SET status = 'queued', next_attempt_at = 0, claimed_by = NULL, claimed_at = NULL,
    last_error = ''
WHERE account_id = $1 AND campaign_id = $2 AND status = 'unknown';

-- name: states
-- How many deliveries of a campaign are in each state.
SELECT status, COUNT(*) FROM deliveries
WHERE account_id = $1 AND campaign_id = $2
GROUP BY status;

-- name: sent_since
-- Deliveries of a campaign the relay accepted at or after $3, for the current rate.
SELECT COUNT(*) FROM deliveries
WHERE account_id = $1 AND campaign_id = $2 AND sent_at >= $3;

-- name: suppressed_since
-- The account's suppressions made at or after $2 (the campaign's start): an address
-- suppressed since the snapshot is not sent to.
SELECT address_hmac, address_sha256 FROM suppressions
WHERE account_id = $1 AND created_at >= $2;
