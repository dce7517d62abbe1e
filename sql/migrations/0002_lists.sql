-- Lists, subscriber fields, subscribers and their subscriptions, the consent record, signed
-- consent receipts, suppressions and imports. Every tenant table carries account_id, and every
-- query on it names the account. Times are epoch milliseconds; booleans are INTEGER 0/1.

CREATE TABLE lists (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  public_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  confirm_subject TEXT NOT NULL,
  confirm_body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX lists_account ON lists (account_id);

-- Fields an account declares for its subscribers. choices: one allowed value per line.
CREATE TABLE subscriber_fields (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  field_key TEXT NOT NULL,
  label TEXT NOT NULL,
  field_type TEXT NOT NULL
    CHECK (field_type IN ('text', 'number', 'date', 'boolean', 'choice')),
  choices TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  UNIQUE (account_id, field_key)
);

-- One address within one account. fields: a JSON object of declared field keys to values.
CREATE TABLE subscribers (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  email_normalized TEXT NOT NULL,
  fields TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (account_id, email_normalized)
);

-- A subscriber on a list. token_salt is random per subscription and goes into its signed
-- unsubscribe token, so a token never outlives the subscription it was made for.
-- confirm_token_hash: SHA-256 of the pending confirmation link's token.
CREATE TABLE subscriptions (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
  token_salt TEXT NOT NULL,
  confirm_token_hash TEXT UNIQUE,
  created_at BIGINT NOT NULL,
  confirmed_at BIGINT,
  unsubscribed_at BIGINT,
  UNIQUE (list_id, subscriber_id)
);
CREATE INDEX subscriptions_account ON subscriptions (account_id, list_id, status);
CREATE INDEX subscriptions_subscriber ON subscriptions (subscriber_id);
CREATE INDEX subscriptions_pending ON subscriptions (status, created_at);

-- The wording a sign-up form showed, kept per version so a consent record can show exactly
-- what the person agreed to.
CREATE TABLE form_versions (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  wording TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (list_id, digest)
);

CREATE TABLE imports (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  basis TEXT NOT NULL CHECK (basis IN ('consent', 'contract', 'legitimate-interest')),
  send_confirmation INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  rows_seen BIGINT NOT NULL DEFAULT 0,
  rows_imported BIGINT NOT NULL DEFAULT 0,
  rows_refused BIGINT NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX imports_account ON imports (account_id, created_at);

-- Rows an import refused, for its downloadable report. line: the CSV record number.
CREATE TABLE import_refusals (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  import_id BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  line BIGINT NOT NULL,
  reason TEXT NOT NULL,
  value TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_refusals_import ON import_refusals (import_id, line);

-- The consent record: append-only (no query updates it), one row per subscription event.
-- kind: signup, confirmation, confirmation_email (message: the email exactly as sent),
-- import (source, basis, import_id), unsubscribe.
CREATE TABLE consent_events (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  kind TEXT NOT NULL
    CHECK (kind IN ('signup', 'confirmation', 'confirmation_email', 'import', 'unsubscribe')),
  occurred_at BIGINT NOT NULL,
  ip_address TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  referrer TEXT NOT NULL DEFAULT '',
  form_url TEXT NOT NULL DEFAULT '',
  form_version_id BIGINT REFERENCES form_versions (id) ON DELETE SET NULL,
  import_id BIGINT REFERENCES imports (id) ON DELETE SET NULL,
  source TEXT NOT NULL DEFAULT '',
  basis TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  digest TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consent_events_subscription ON consent_events (subscription_id, occurred_at);

-- Signed consent receipts: payload is the compact JSON that was signed, signature the
-- Ed25519 signature in base64url.
CREATE TABLE consent_receipts (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  payload TEXT NOT NULL,
  signature TEXT NOT NULL,
  issued_at BIGINT NOT NULL
);
CREATE INDEX consent_receipts_subscription ON consent_receipts (subscription_id);

-- Addresses an account must never add back, as an HMAC of the normalised address under the
-- installation key (the address itself is not kept for this). address_sha256 is set instead
-- for entries imported from another provider's hash list (SHA-256 of the lowercased address),
-- which is all such a list gives. refused: attempts to add the address back.
CREATE TABLE suppressions (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  address_hmac TEXT,
  address_sha256 TEXT,
  reason TEXT NOT NULL CHECK (reason IN ('unsubscribed', 'imported', 'bounced', 'complained')),
  refused BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (account_id, address_hmac),
  UNIQUE (account_id, address_sha256)
);

-- Confirmation emails sent per address (HMAC of the normalised address), across accounts,
-- so one address gets at most 3 in 24 hours whoever asks. Rows older than a day are removed.
CREATE TABLE confirmation_sends (
  id @ID@,
  address_hmac TEXT NOT NULL,
  sent_at BIGINT NOT NULL
);
CREATE INDEX confirmation_sends_address ON confirmation_sends (address_hmac, sent_at);
