-- name: find_for_subscriber_on_list
-- The subscription of one subscriber on one list, if any.
SELECT id, status FROM subscriptions
WHERE account_id = $1 AND list_id = $2 AND subscriber_id = $3;

-- name: insert
-- Stores a new subscription: pending with a confirmation token hash, or confirmed at once.
INSERT INTO subscriptions
  (account_id, list_id, subscriber_id, status, token_salt, confirm_token_hash, created_at,
   confirmed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id;

-- name: restart_pending
-- A new sign-up for a subscription that is pending or was left: pending again with a new
-- confirmation token. A confirmed subscription is never touched.
UPDATE subscriptions
SET status = 'pending', confirm_token_hash = $3, created_at = $4, confirmed_at = NULL,
    unsubscribed_at = NULL
WHERE account_id = $1 AND id = $2 AND status <> 'confirmed';

-- name: mark_confirmed_directly
-- An account holder adds a subscriber as confirmed with a stated source (API, admin page).
UPDATE subscriptions
SET status = 'confirmed', confirm_token_hash = NULL, confirmed_at = $3, unsubscribed_at = NULL
WHERE account_id = $1 AND id = $2 AND status <> 'confirmed';

-- name: find_pending_by_token_hash
-- The public confirmation page: the token is the capability, so this look-up names no account.
-- Only pending subscriptions younger than the cut-off answer.
SELECT id, account_id, list_id, subscriber_id FROM subscriptions
WHERE confirm_token_hash = $1 AND status = 'pending' AND created_at > $2;

-- name: confirm
-- Confirms a pending subscription and retires its confirmation token.
UPDATE subscriptions SET status = 'confirmed', confirmed_at = $3, confirm_token_hash = NULL
WHERE account_id = $1 AND id = $2 AND status = 'pending';

-- name: find_by_id_for_token
-- The public unsubscribe and preferences pages: the signed token (checked by the caller
-- against token_salt) is the capability, so this look-up names no account.
SELECT id, account_id, list_id, subscriber_id, status, token_salt, created_at, confirmed_at,
       unsubscribed_at
FROM subscriptions WHERE id = $1;

-- name: find
-- One subscription of an account.
SELECT id, account_id, list_id, subscriber_id, status, token_salt, created_at, confirmed_at,
       unsubscribed_at
FROM subscriptions WHERE account_id = $1 AND id = $2;

-- name: unsubscribe
-- Ends a subscription at once; already unsubscribed changes nothing.
UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = $3, confirm_token_hash = NULL
WHERE account_id = $1 AND id = $2 AND status <> 'unsubscribed';

-- name: for_subscriber
-- Every subscription of one subscriber, with its list, for the subscriber's page.
SELECT s.id, s.account_id, s.list_id, s.subscriber_id, s.status, s.token_salt, s.created_at,
       s.confirmed_at, s.unsubscribed_at, l.name, l.public_id
FROM subscriptions s JOIN lists l ON l.id = s.list_id
WHERE s.account_id = $1 AND s.subscriber_id = $2
ORDER BY l.name, s.id;

-- name: on_list
-- Subscribers of a list, optionally of one status ('' for all), oldest first, one page.
SELECT sub.id, sub.email, s.id, s.account_id, s.list_id, s.subscriber_id, s.status,
       s.token_salt, s.created_at, s.confirmed_at, s.unsubscribed_at
FROM subscriptions s JOIN subscribers sub ON sub.id = s.subscriber_id
WHERE s.account_id = $1 AND s.list_id = $2 AND ($3 = '' OR s.status = $3)
ORDER BY s.id
LIMIT $4 OFFSET $5;

-- name: count_on_list
-- How many subscriptions of a list have a status ('' for all).
SELECT COUNT(*) FROM subscriptions
WHERE account_id = $1 AND list_id = $2 AND ($3 = '' OR status = $3);

-- name: expired_pending
-- Maintenance: subscriptions still pending at the cut-off, across accounts.
SELECT id, account_id, subscriber_id FROM subscriptions
WHERE status = 'pending' AND created_at < $1;

-- name: delete
-- Deletes a subscription with its consent record (cascade).
DELETE FROM subscriptions WHERE account_id = $1 AND id = $2;
