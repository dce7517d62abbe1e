-- Sending workers alive now (not tenant data): registration, heartbeats, and the removal of
-- workers found dead, whose deliveries in flight then become unknown.

-- name: register
-- A worker process starts, or finds its registration was removed while it was stalled.
INSERT INTO send_workers (id, host, boot_id, pid, pid_started, started_at, heartbeat_at)
VALUES ($1, $2, $3, $4, $5, $6, $6);

-- name: heartbeat
-- A worker says it is alive; no row changed means its registration was removed.
UPDATE send_workers SET heartbeat_at = $2 WHERE id = $1;

-- name: all
-- Every registered worker, for judging which are dead.
SELECT id, host, boot_id, pid, pid_started, heartbeat_at FROM send_workers ORDER BY id;

-- name: remove
-- Removes a worker found dead by its process being gone, or one stopping cleanly.
DELETE FROM send_workers WHERE id = $1;

-- name: remove_if_silent
-- Removes a worker whose last heartbeat is still older than $2 (it did not come back while
-- we looked); returns a row when it did.
DELETE FROM send_workers WHERE id = $1 AND heartbeat_at < $2 RETURNING id;

-- name: mark_in_flight_unknown
-- The deliveries a dead (or stopping) worker holds in flight become unknown, across accounts.
UPDATE deliveries SET status = 'unknown', last_error = $2
WHERE claimed_by = $1 AND status = 'sending'
RETURNING campaign_id;

-- name: alive_count
-- Workers that sent a heartbeat after $1: a campaign's rate is shared between them.
SELECT COUNT(*) FROM send_workers WHERE heartbeat_at >= $1;
