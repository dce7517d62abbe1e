-- Deleting inactive subscribers (services/inactive_subscribers.hpp): an account may choose to
-- delete subscribers who, for inactive_months months, were sent tracked campaigns and opened
-- or clicked none of them, and confirmed no subscription. 0 is off, the default; at most 6,
-- because named opens and clicks are themselves kept only six months.
ALTER TABLE accounts ADD COLUMN inactive_months INTEGER NOT NULL DEFAULT 0;

-- How many subscribers an account had deleted for inactivity on one day (the UTC day's first
-- millisecond), for its dashboard. Never which.
CREATE TABLE inactive_deletions (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  deleted_on BIGINT NOT NULL,
  deleted BIGINT NOT NULL DEFAULT 0,
  UNIQUE (account_id, deleted_on)
);
