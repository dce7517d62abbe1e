-- Bounces and complaints (services/bounces): what came back for a delivery, and a count of
-- every inbound message by what it turned out to be. Times are epoch milliseconds.

-- When the subscriber's address last bounced hard (or reached the soft-bounce limit). The
-- subscription's status stays what it was; the address is suppressed, so no campaign goes
-- to it again, and the account pages show the mark. A later confirmed sign-up through a form
-- lifts the suppression; the mark then shows as older than the confirmation.
ALTER TABLE subscriptions ADD COLUMN bounced_at BIGINT;

-- One bounce or complaint received for a delivery. kind: hard (5.x.x failed), soft (4.x.x
-- or delayed), complaint (a feedback report). status_code: the enhanced status code ("5.1.1");
-- diagnostic: the receiving server's words, cut short. counted_as_hard: a soft bounce that
-- reached the limit (bounce.soft_limit within bounce.soft_window_days) and was treated as
-- hard. Nothing else of the message is kept. Deleted with the delivery or the subscriber.
CREATE TABLE bounce_events (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  delivery_id BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('hard', 'soft', 'complaint')),
  status_code TEXT NOT NULL DEFAULT '',
  diagnostic TEXT NOT NULL DEFAULT '',
  counted_as_hard INTEGER NOT NULL DEFAULT 0,
  occurred_at BIGINT NOT NULL
);
CREATE INDEX bounce_events_campaign ON bounce_events (account_id, campaign_id, kind);
CREATE INDEX bounce_events_subscriber ON bounce_events (account_id, subscriber_id, occurred_at);
CREATE INDEX bounce_events_delivery ON bounce_events (delivery_id);
-- A delivery bounces hard, or draws a complaint, once: two copies of a report handled at the
-- same moment record one event.
CREATE UNIQUE INDEX bounce_events_once ON bounce_events (delivery_id, kind) WHERE kind <> 'soft';

-- Inbound messages per day (epoch day number) by outcome: hard_bounce, soft_bounce,
-- complaint, unsubscribe_request, no_effect (a report that changes nothing, such as a
-- delivery notice), unmatched (a report naming no delivery of ours, or a forged one),
-- auto_reply and not_a_report (dropped). For the operator; not tenant data.
CREATE TABLE inbound_tallies (
  day BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  count BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, outcome)
);
