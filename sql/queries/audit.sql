-- name: insert
-- Records one security event (sign-in, failure, reset, 2FA change) with who asked.
INSERT INTO audit_events (account_id, user_id, kind, ip_address, user_agent, created_at)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: recent_for_account
-- The newest security events of one account, for its "recent sign-ins" list.
SELECT id, user_id, kind, ip_address, user_agent, created_at
FROM audit_events WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2;

-- name: count_kind_since
-- How many events of one kind an account had since a time; limits failed sign-ins.
SELECT COUNT(*) FROM audit_events WHERE account_id = $1 AND kind = $2 AND created_at >= $3;

-- name: delete_older_than
-- Retention: drops security events older than the cut-off.
DELETE FROM audit_events WHERE created_at < $1;
