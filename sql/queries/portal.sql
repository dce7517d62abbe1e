-- The subscriber data access portal: emailed links, portal sessions, the one look-up of an
-- address across accounts, and the per-account reads and writes the portal pages need.

-- name: insert_link
-- Stores a new portal link: the hash of its token, the address as HMAC and sealed, its expiry.
INSERT INTO portal_links (token_hash, address_hmac, address_sealed, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5);

-- name: find_link
-- An unused, unexpired link, without using it (the GET page that shows the button).
SELECT id FROM portal_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2;

-- name: use_link
-- Uses up an unused, unexpired link and returns its address; two requests racing with one
-- link cannot both get a row.
UPDATE portal_links SET used_at = $2
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
RETURNING address_hmac, address_sealed;

-- name: retire_links_of_address
-- Once one link of an address is opened, the others sent for it stop working.
UPDATE portal_links SET used_at = $2 WHERE address_hmac = $1 AND used_at IS NULL;

-- name: delete_expired_links
-- Maintenance: removes links that expired or were used.
DELETE FROM portal_links WHERE expires_at < $1 OR used_at IS NOT NULL;

-- name: insert_session
-- Starts a portal session, keeping only the hash of its token.
INSERT INTO portal_sessions (token_hash, address_hmac, address_sealed, created_at, last_seen_at)
VALUES ($1, $2, $3, $4, $4);

-- name: find_session
-- The portal session behind a cookie's token hash.
SELECT id, address_hmac, address_sealed, created_at, last_seen_at
FROM portal_sessions WHERE token_hash = $1;

-- name: touch_session
-- Marks a portal session as just used, restarting its idle clock.
UPDATE portal_sessions SET last_seen_at = $2 WHERE token_hash = $1;

-- name: delete_session
-- Ends one portal session.
DELETE FROM portal_sessions WHERE token_hash = $1;

-- name: delete_expired_sessions
-- Maintenance: ends portal sessions idle since before $1 or started before $2.
DELETE FROM portal_sessions WHERE last_seen_at < $1 OR created_at < $2;

-- name: holders_by_address
-- THE cross-account look-up (DESIGN.md, Layers): every account that holds the address, as a
-- subscriber ($1: normalised address) or as a suppression ($2: its HMAC, $3: its SHA-256),
-- with the subscriber's id or 0. The only query on tenant tables that names no account; run
-- by services/portal.cpp alone, after the person proved control of the address.
SELECT account_id, MAX(subscriber_id) FROM (
  SELECT account_id, id AS subscriber_id FROM subscribers WHERE email_normalized = $1
  UNION ALL
  SELECT account_id, 0 AS subscriber_id FROM suppressions
  WHERE address_hmac = $2 OR address_sha256 = $3
) held
GROUP BY account_id ORDER BY account_id;

-- name: suppression_of
-- Whether one account suppresses the address, why and since when.
SELECT reason, created_at FROM suppressions
WHERE account_id = $1 AND (address_hmac = $2 OR address_sha256 = $3)
ORDER BY created_at LIMIT 1;

-- name: deliveries_of
-- The campaigns one subscriber of an account was sent, oldest first, with the subscription
-- each went out under.
SELECT d.id, d.subscription_id, d.status, d.sent_at, c.name, c.subject, d.campaign_id
FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id AND c.account_id = $1
WHERE d.account_id = $1 AND d.subscriber_id = $2
ORDER BY d.id;

-- name: update_fields
-- Replaces one subscriber's field values (a JSON object) after the person amended them.
UPDATE subscribers SET fields = $3, updated_at = $4 WHERE account_id = $1 AND id = $2;
