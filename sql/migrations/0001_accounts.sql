-- Account holders, their users, sessions, one-time links, API keys and the security audit.
-- Times are epoch milliseconds; booleans are INTEGER 0/1; @ID@ is the engine's id column.

CREATE TABLE accounts (
  id @ID@,
  organisation TEXT NOT NULL,
  contact_name TEXT NOT NULL DEFAULT '',
  postal_address TEXT NOT NULL DEFAULT '',
  contact_email TEXT NOT NULL,
  website TEXT NOT NULL DEFAULT '',
  privacy_contact TEXT NOT NULL DEFAULT '',
  email_verified_at BIGINT,
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  email_normalized TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  password_hash TEXT,
  email_verified_at BIGINT,
  totp_secret_sealed TEXT,
  totp_pending_sealed TEXT,
  totp_last_step BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX users_account ON users (account_id);

CREATE TABLE recovery_codes (
  id @ID@,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- stage: 'second_factor' while a password was accepted but the TOTP code is still due,
-- 'full' once signed in.
CREATE TABLE sessions (
  id @ID@,
  token_hash TEXT NOT NULL UNIQUE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  stage TEXT NOT NULL CHECK (stage IN ('second_factor', 'full')),
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE one_time_links (
  id @ID@,
  token_hash TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'invite')),
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX one_time_links_user ON one_time_links (user_id);

CREATE TABLE api_keys (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id);

-- The security audit: sign-ins, failures, resets, 2FA changes. It holds IP addresses and
-- user agents on purpose (the account holder sees "recent sign-ins"); it is a table with its
-- own retention, never an application log.
CREATE TABLE audit_events (
  id @ID@,
  account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  kind TEXT NOT NULL,
  ip_address TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX audit_events_account ON audit_events (account_id, created_at);
CREATE INDEX audit_events_kind ON audit_events (account_id, kind, created_at);
