-- Inactive subscribers: the account's setting, who counts as inactive, and the counts kept of
-- those deleted (services/inactive_subscribers.hpp).

-- name: setting
-- The account's choice (0: off) and whether tracking is on, without which it does nothing.
SELECT inactive_months, tracking_enabled FROM accounts WHERE id = $1;

-- name: set_months
-- Sets the account's choice: months without activity, 0 for off.
UPDATE accounts SET inactive_months = $2 WHERE id = $1;

-- name: due_accounts
-- Maintenance: the accounts whose rule is in force.
SELECT id, inactive_months FROM accounts WHERE inactive_months > 0 AND tracking_enabled = 1
ORDER BY id;

-- name: page
-- Subscribers of account $1 inactive since $2, in id order after $3, at most $4: added before
-- $2, sent at least one tracked campaign since $2, and since then no subscription created or
-- confirmed and no open or click by a person (machine events are mail proxies and scanners).
SELECT s.id FROM subscribers s
WHERE s.account_id = $1 AND s.created_at < $2 AND s.id > $3
  AND EXISTS (
    SELECT 1 FROM deliveries d
    JOIN campaigns c ON c.id = d.campaign_id AND c.account_id = $1
    WHERE d.account_id = $1 AND d.subscriber_id = s.id AND d.status = 'sent'
      AND d.sent_at >= $2 AND (c.track_opens = 1 OR c.track_clicks = 1))
  AND NOT EXISTS (
    SELECT 1 FROM subscriptions sub
    WHERE sub.account_id = $1 AND sub.subscriber_id = s.id
      AND (sub.created_at >= $2 OR sub.confirmed_at >= $2))
  AND NOT EXISTS (
    SELECT 1 FROM events e
    JOIN deliveries d ON d.id = e.delivery_id AND d.account_id = $1
    WHERE e.account_id = $1 AND d.subscriber_id = s.id AND e.machine = 0
      AND e.kind IN ('open', 'click') AND e.occurred_at >= $2)
ORDER BY s.id
LIMIT $4;

-- name: count_deleted
-- Counts $3 subscribers deleted for inactivity at an account on a day ($2).
INSERT INTO inactive_deletions (account_id, deleted_on, deleted) VALUES ($1, $2, $3)
ON CONFLICT (account_id, deleted_on) DO UPDATE
SET deleted = inactive_deletions.deleted + EXCLUDED.deleted;

-- name: recent
-- An account's newest days with deletions for inactivity, for its dashboard.
SELECT deleted_on, deleted FROM inactive_deletions
WHERE account_id = $1 ORDER BY deleted_on DESC LIMIT $2;
