-- Deliveries: one campaign to one subscriber, snapshotted when sending starts (confirmed
-- subscriptions of the campaign's lists, minus suppressions, each subscriber once).
-- status: queued → sending (claimed by a worker) → sent / failed / bounced / unknown.
-- A delivery found 'sending' by a worker that did not claim it in this process's life is
-- 'unknown': it may or may not have reached the relay, and is not sent again unless the
-- account holder asks. subscription_id names the subscription the footer explains (list name,
-- date of consent) and whose token unsubscribes. email is the address at snapshot time;
-- erasure deletes the row. attempts counts 4xx retries; next_attempt_at delays the next one.
CREATE TABLE deliveries (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'unknown')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL DEFAULT 0,
  claimed_by TEXT,
  claimed_at BIGINT,
  sent_at BIGINT,
  last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (campaign_id, subscriber_id)
);
CREATE INDEX deliveries_claim ON deliveries (campaign_id, status, next_attempt_at);
CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id);
