-- Deliveries: one campaign to one subscriber, snapshotted when sending starts (confirmed
-- subscriptions of the campaign's lists, minus suppressions, each subscriber once).
-- status: queued → sending (claimed by a worker) → sent / failed / bounced / unknown.
-- A delivery left 'sending' by a worker that is no longer alive (see send_workers) is
-- 'unknown': it may or may not have reached the relay, and is not sent again unless the
-- account holder asks. subscription_id names the subscription the footer explains (list name,
-- date of consent) and whose token unsubscribes. email is the address at snapshot time;
-- erasure deletes the row. attempts counts 4xx retries; next_attempt_at delays the next one.
-- last_error: the sentence saying why a delivery failed or is unknown.
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
CREATE INDEX deliveries_sent ON deliveries (campaign_id, sent_at);
-- The deliveries in flight, by the worker that claimed them: what a dead worker leaves.
CREATE INDEX deliveries_in_flight ON deliveries (claimed_by) WHERE status = 'sending';

-- Sending workers alive now: each worker process registers under a random id, which is what
-- deliveries.claimed_by holds, and refreshes heartbeat_at every few seconds. A worker is dead
-- when its heartbeat is older than the bound (sending.worker_timeout_seconds), or at once
-- when another worker on the same host (host name) finds its process gone: the machine was
-- restarted since (boot_id), or no process has that pid with that start time (pid_started,
-- in clock ticks since boot, so a reused pid is not mistaken for it). Not tenant data.
CREATE TABLE send_workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  pid BIGINT NOT NULL,
  pid_started BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);

-- Why the service, not the account holder, last changed a campaign's status: the relay
-- refused the credentials (paused), or a scheduled campaign could not start (back to draft).
-- Cleared when the account holder starts or resumes it.
ALTER TABLE campaigns ADD COLUMN status_note TEXT NOT NULL DEFAULT '';
