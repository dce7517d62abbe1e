-- Open and click tracking: the settings, a campaign's links, the events, the rollups and the
-- reports read from them (services/tracking.hpp, event_writer.hpp, campaign_report.hpp,
-- event_retention.hpp). An hour is the epoch ms of its start: (t / 3600000) * 3600000.

-- name: account_enabled
-- Whether the account holder has turned tracking on for the account.
SELECT tracking_enabled FROM accounts WHERE id = $1;

-- name: set_account_enabled
-- Turns tracking on or off for the account.
UPDATE accounts SET tracking_enabled = $2 WHERE id = $1;

-- name: campaign_settings
-- A campaign's tracking choices and its status.
SELECT track_opens, track_clicks, utm_campaign, status FROM campaigns
WHERE account_id = $1 AND id = $2;

-- name: set_campaign_settings
-- Saves a campaign's tracking choices.
UPDATE campaigns SET track_opens = $3, track_clicks = $4, utm_campaign = $5, updated_at = $6
WHERE account_id = $1 AND id = $2;

-- name: campaign_links
-- The stored destinations of a campaign's tracked links, by index.
SELECT link_index, url FROM campaign_links
WHERE account_id = $1 AND campaign_id = $2
ORDER BY link_index;

-- name: delete_campaign_links
-- Forgets the links stored for a campaign that has not started sending (edited since).
DELETE FROM campaign_links WHERE account_id = $1 AND campaign_id = $2;

-- name: insert_campaign_link
-- Stores one tracked link of a campaign (run for many rows at once).
INSERT INTO campaign_links (account_id, campaign_id, link_index, url)
VALUES ($1, $2, $3, $4);

-- name: insert_named_events
-- Writes a batch of named opens and clicks: account, campaign, delivery, kind, link, time,
-- machine (by user agent) and the scanner cutoff (a click on a delivery sent after it is a
-- link scanner's). Rows are kept only when the delivery belongs to that campaign and account,
-- tracking of that kind is still on, and a click names a stored link.
INSERT INTO events (account_id, campaign_id, delivery_id, kind, link_index, occurred_at, machine)
SELECT d.account_id, d.campaign_id, d.id, v.column4, v.column5, v.column6,
       CASE WHEN v.column7 = 1 OR (v.column4 = 'click' AND d.sent_at > v.column8)
            THEN 1 ELSE 0 END
FROM (VALUES (CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT), CAST($4 AS TEXT),
              CAST($5 AS INTEGER), CAST($6 AS BIGINT), CAST($7 AS INTEGER),
              CAST($8 AS BIGINT))) AS v
JOIN deliveries d ON d.id = v.column3 AND d.account_id = v.column1 AND d.campaign_id = v.column2
JOIN accounts a ON a.id = d.account_id
JOIN campaigns c ON c.id = d.campaign_id
WHERE a.tracking_enabled = 1
  AND ((v.column4 = 'open' AND c.track_opens = 1)
       OR (v.column4 = 'click' AND c.track_clicks = 1
           AND EXISTS (SELECT 1 FROM campaign_links l
                       WHERE l.campaign_id = c.id AND l.link_index = v.column5)));

-- name: add_anonymous_events
-- Counts a batch of anonymous opens and clicks into their campaign, link, kind and hour. The
-- row's delivery only checks the token and dates a scanner's click; it is not stored.
-- Columns: account, campaign, delivery, link, kind, hour, machine (by user agent), cutoff.
INSERT INTO anonymous_events (account_id, campaign_id, link_index, kind, hour, machine, total)
SELECT d.account_id, d.campaign_id, v.column4, v.column5, v.column6,
       CASE WHEN v.column7 = 1 OR (v.column5 = 'click' AND d.sent_at > v.column8)
            THEN 1 ELSE 0 END,
       COUNT(*)
FROM (VALUES (CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT), CAST($4 AS INTEGER),
              CAST($5 AS TEXT), CAST($6 AS BIGINT), CAST($7 AS INTEGER),
              CAST($8 AS BIGINT))) AS v
JOIN deliveries d ON d.id = v.column3 AND d.account_id = v.column1 AND d.campaign_id = v.column2
JOIN accounts a ON a.id = d.account_id
JOIN campaigns c ON c.id = d.campaign_id
WHERE a.tracking_enabled = 1
  AND ((v.column5 = 'open' AND c.track_opens = 1)
       OR (v.column5 = 'click' AND c.track_clicks = 1
           AND EXISTS (SELECT 1 FROM campaign_links l
                       WHERE l.campaign_id = c.id AND l.link_index = v.column4)))
GROUP BY 1, 2, 3, 4, 5, 6
ON CONFLICT (campaign_id, link_index, kind, hour, machine)
DO UPDATE SET total = anonymous_events.total + excluded.total;

-- name: insert_unsubscribe_event
-- Records that one delivery of the account led to an unsubscribe.
INSERT INTO events (account_id, campaign_id, delivery_id, kind, link_index, occurred_at, machine)
SELECT d.account_id, d.campaign_id, d.id, 'unsubscribe', 0, CAST($3 AS BIGINT), 0
FROM deliveries d
WHERE d.account_id = $1 AND d.id = $2;

-- name: named_by_hour
-- Named events of a campaign per hour, kind and machine flag, for hours in [$3, $4).
SELECT (occurred_at / 3600000) * 3600000, kind, machine, COUNT(*) FROM events
WHERE account_id = $1 AND campaign_id = $2 AND occurred_at >= $3 AND occurred_at < $4
GROUP BY 1, 2, 3;

-- name: anonymous_by_hour
-- Anonymous opens and clicks of a campaign per hour, kind and machine flag, in [$3, $4).
SELECT hour, kind, machine, SUM(total) FROM anonymous_events
WHERE account_id = $1 AND campaign_id = $2 AND hour >= $3 AND hour < $4
GROUP BY hour, kind, machine;

-- name: firsts_by_hour
-- Deliveries whose first opening or first click by a person fell in each hour of [$3, $4).
SELECT (f.first_at / 3600000) * 3600000, f.kind, COUNT(*)
FROM (SELECT kind, MIN(occurred_at) AS first_at FROM events
      WHERE account_id = $1 AND campaign_id = $2 AND machine = 0 AND kind IN ('open', 'click')
      GROUP BY delivery_id, kind) f
WHERE f.first_at >= $3 AND f.first_at < $4
GROUP BY 1, 2;

-- name: bounces_by_hour
-- Bounces and complaints of a campaign's deliveries (services/bounces.hpp) per hour, kind and
-- whether a soft bounce counted as hard, in [$3, $4).
SELECT (occurred_at / 3600000) * 3600000, kind, counted_as_hard, COUNT(*) FROM bounce_events
WHERE account_id = $1 AND campaign_id = $2 AND occurred_at >= $3 AND occurred_at < $4
GROUP BY 1, 2, 3;

-- name: sent_by_hour
-- Deliveries of a campaign handed to the relay in each hour of [$3, $4).
SELECT (sent_at / 3600000) * 3600000, COUNT(*) FROM deliveries
WHERE account_id = $1 AND campaign_id = $2 AND sent_at >= $3 AND sent_at < $4
GROUP BY 1;

-- name: named_clicks_by_link
-- Named clicks of a campaign per hour, link and machine flag, in [$3, $4).
SELECT (occurred_at / 3600000) * 3600000, link_index, machine, COUNT(*) FROM events
WHERE account_id = $1 AND campaign_id = $2 AND kind = 'click'
  AND occurred_at >= $3 AND occurred_at < $4
GROUP BY 1, 2, 3;

-- name: anonymous_clicks_by_link
-- Anonymous clicks of a campaign per hour, link and machine flag, in [$3, $4).
SELECT hour, link_index, machine, SUM(total) FROM anonymous_events
WHERE account_id = $1 AND campaign_id = $2 AND kind = 'click' AND hour >= $3 AND hour < $4
GROUP BY hour, link_index, machine;

-- name: rolled_until
-- How far a campaign is rolled up (no row: not at all).
SELECT rolled_until FROM rollup_marks WHERE account_id = $1 AND campaign_id = $2;

-- name: set_rolled_until
-- Moves a campaign's rollup mark.
INSERT INTO rollup_marks (account_id, campaign_id, rolled_until) VALUES ($1, $2, $3)
ON CONFLICT (campaign_id) DO UPDATE SET rolled_until = excluded.rolled_until;

-- name: insert_campaign_rollup
-- Keeps one hour of a campaign's figures (run for many rows at once).
INSERT INTO campaign_rollups (account_id, campaign_id, hour, deliveries, opens, unique_opens,
                              anonymous_opens, machine_opens, clicks, unique_clicks,
                              anonymous_clicks, machine_clicks, unsubscribes, bounces,
                              complaints)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15);

-- name: insert_link_rollup
-- Keeps one hour of one link's clicks (run for many rows at once).
INSERT INTO link_rollups (account_id, campaign_id, link_index, hour, clicks, anonymous_clicks,
                          machine_clicks)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: campaign_rollups
-- The rolled-up hours of a campaign before $3.
SELECT hour, deliveries, opens, unique_opens, anonymous_opens, machine_opens, clicks,
       unique_clicks, anonymous_clicks, machine_clicks, unsubscribes, bounces, complaints
FROM campaign_rollups
WHERE account_id = $1 AND campaign_id = $2 AND hour < $3
ORDER BY hour;

-- name: link_rollups
-- The rolled-up clicks per link and hour of a campaign before $3.
SELECT hour, link_index, clicks, anonymous_clicks, machine_clicks FROM link_rollups
WHERE account_id = $1 AND campaign_id = $2 AND hour < $3;

-- name: campaigns_to_roll_up
-- Maintenance, across accounts: campaigns that have started and are not rolled up to $1.
SELECT c.account_id, c.id, COALESCE(m.rolled_until, 0) FROM campaigns c
LEFT JOIN rollup_marks m ON m.campaign_id = c.id
WHERE c.status NOT IN ('draft', 'scheduled') AND COALESCE(m.rolled_until, 0) < $1;

-- name: delete_old_events
-- Maintenance, across accounts: named events before $1 whose hour is rolled up.
DELETE FROM events
WHERE occurred_at < $1
  AND EXISTS (SELECT 1 FROM rollup_marks m
              WHERE m.campaign_id = events.campaign_id AND m.rolled_until > events.occurred_at);

-- name: delete_old_anonymous_events
-- Maintenance, across accounts: anonymous counts of hours before $1 that are rolled up.
DELETE FROM anonymous_events
WHERE hour < $1
  AND EXISTS (SELECT 1 FROM rollup_marks m
              WHERE m.campaign_id = anonymous_events.campaign_id
                AND m.rolled_until > anonymous_events.hour);

-- name: report_campaign
-- The campaign a report is about.
SELECT id, name, status, started_at, finished_at, track_opens, track_clicks, utm_campaign
FROM campaigns WHERE account_id = $1 AND id = $2;

-- name: delivery_states
-- How many of a campaign's deliveries are in each state.
SELECT status, COUNT(*) FROM deliveries
WHERE account_id = $1 AND campaign_id = $2
GROUP BY status;

-- name: recent_campaigns
-- The account's latest campaigns that have started sending, newest first.
SELECT id FROM campaigns
WHERE account_id = $1 AND status NOT IN ('draft', 'scheduled')
ORDER BY COALESCE(started_at, created_at) DESC, id DESC
LIMIT $2;

-- name: subscriber_activity
-- A subscriber's named events since $3, newest first, with the campaign and link.
SELECT e.kind, e.occurred_at, e.campaign_id, c.name, e.link_index, COALESCE(l.url, ''),
       e.machine
FROM events e
JOIN deliveries d ON d.id = e.delivery_id
JOIN campaigns c ON c.id = e.campaign_id
LEFT JOIN campaign_links l ON l.campaign_id = e.campaign_id AND l.link_index = e.link_index
WHERE e.account_id = $1 AND d.subscriber_id = $2 AND e.occurred_at >= $3
ORDER BY e.occurred_at DESC, e.id DESC
LIMIT $4;
