-- Bounces and complaints: the delivery an inbound message names, what it changes, and the
-- events and counts the account pages show.

-- name: delivery
-- The delivery a VERP address or Message-ID names. The address's MAC is the capability (as a
-- token is for the unsubscribe page), so this look-up names no account.
SELECT id, account_id, campaign_id, subscriber_id, subscription_id, email, status
FROM deliveries WHERE id = $1;

-- name: has_event
-- Whether a delivery already has a hard bounce (including a soft one counted as hard) or a
-- complaint, so a report that arrives twice changes things once.
SELECT id FROM bounce_events
WHERE account_id = $1 AND delivery_id = $2
  AND (kind = $3 OR ($3 = 'hard' AND counted_as_hard = 1));

-- name: count_recent_soft
-- Other deliveries to this subscriber that bounced soft since the cut-off.
SELECT COUNT(DISTINCT delivery_id) FROM bounce_events
WHERE account_id = $1 AND subscriber_id = $2 AND kind = 'soft' AND occurred_at > $3
  AND delivery_id <> $4;

-- name: insert_event
-- Records one bounce or complaint; no row back when the delivery already has a hard bounce or
-- a complaint of this kind (bounce_events_once).
INSERT INTO bounce_events
  (account_id, campaign_id, delivery_id, subscriber_id, kind, status_code, diagnostic,
   counted_as_hard, occurred_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: mark_delivery_bounced
-- A hard bounce: the delivery was sent (or may have been) and came back for good.
UPDATE deliveries SET status = 'bounced', last_error = $3
WHERE account_id = $1 AND id = $2 AND status IN ('sent', 'unknown', 'failed');

-- name: mark_subscriptions_bounced
-- A hard bounce marks every subscription of the address in the account: it is the address
-- that no longer takes mail.
UPDATE subscriptions SET bounced_at = $3 WHERE account_id = $1 AND subscriber_id = $2;

-- name: open_subscriptions
-- The subscriptions a complaint ends: every one of the subscriber's in the account that has
-- not been left already.
SELECT id FROM subscriptions
WHERE account_id = $1 AND subscriber_id = $2 AND status <> 'unsubscribed'
ORDER BY id;

-- name: campaign_counts
-- A campaign's deliveries that bounced hard (or reached the soft limit), that bounced soft
-- and not hard, and that drew a complaint.
SELECT
  COUNT(DISTINCT CASE WHEN e.kind = 'hard' OR e.counted_as_hard = 1 THEN e.delivery_id END),
  COUNT(DISTINCT CASE WHEN e.kind = 'soft' AND NOT EXISTS (
      SELECT 1 FROM bounce_events h
      WHERE h.account_id = e.account_id AND h.delivery_id = e.delivery_id
        AND (h.kind = 'hard' OR h.counted_as_hard = 1)) THEN e.delivery_id END),
  COUNT(DISTINCT CASE WHEN e.kind = 'complaint' THEN e.delivery_id END)
FROM bounce_events e
WHERE e.account_id = $1 AND e.campaign_id = $2;

-- name: for_subscriber
-- A subscriber's bounces and complaints, newest first, with the campaign's name.
SELECT e.id, e.campaign_id, c.name, e.delivery_id, e.kind, e.status_code, e.diagnostic,
       e.counted_as_hard, e.occurred_at
FROM bounce_events e JOIN campaigns c ON c.id = e.campaign_id
WHERE e.account_id = $1 AND e.subscriber_id = $2
ORDER BY e.occurred_at DESC, e.id DESC
LIMIT $3;

-- name: subscriber_bounced_at
-- When the subscriber's address last bounced hard, if it did.
SELECT MAX(bounced_at) FROM subscriptions WHERE account_id = $1 AND subscriber_id = $2;

-- name: tally
-- Counts one inbound message under its outcome for the day.
INSERT INTO inbound_tallies (day, outcome, count) VALUES ($1, $2, 1)
ON CONFLICT (day, outcome) DO UPDATE SET count = inbound_tallies.count + 1;

-- name: tallies_since
-- Inbound messages by outcome from a day on, for the operator.
SELECT outcome, CAST(SUM(count) AS BIGINT) FROM inbound_tallies WHERE day >= $1
GROUP BY outcome ORDER BY outcome;
