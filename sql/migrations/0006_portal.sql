-- The subscriber data access portal: the emailed links, the portal sessions, and per-account
-- counts of erasures. Times are epoch milliseconds; @ID@ is the engine's id column.
--
-- No table here holds an address in clear. address_hmac is an HMAC of the normalised address
-- under the installation key (domain "portal:", so it matches nothing in other tables);
-- address_sealed is the normalised address encrypted (XSalsa20-Poly1305, base64url) under a key
-- derived from the link's or session's own token, which only the person's mailbox or browser
-- holds. A copy of the database alone cannot say whose links or sessions these are.

-- Links emailed by /portal. Single use (used_at), valid for one hour (expires_at). A row is
-- written for every request, whether or not the address is held, so both cost the same; the
-- link is emailed only when it is.
CREATE TABLE portal_links (
  id @ID@,
  token_hash TEXT NOT NULL UNIQUE,
  address_hmac TEXT NOT NULL,
  address_sealed TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX portal_links_address ON portal_links (address_hmac);
CREATE INDEX portal_links_expiry ON portal_links (expires_at);

-- A portal session, opened by a link: the browser holds the token in a first-party cookie.
-- It ends after 30 minutes idle or 2 hours in all.
CREATE TABLE portal_sessions (
  id @ID@,
  token_hash TEXT NOT NULL UNIQUE,
  address_hmac TEXT NOT NULL,
  address_sealed TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX portal_sessions_seen ON portal_sessions (last_seen_at);

-- How many subscribers an account had erased on one day (the UTC day's first millisecond),
-- through the portal or by the account holder for a request received directly. Never which.
CREATE TABLE erasures (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  erased_on BIGINT NOT NULL,
  requested_via TEXT NOT NULL CHECK (requested_via IN ('portal', 'account')),
  erased BIGINT NOT NULL DEFAULT 0,
  UNIQUE (account_id, erased_on, requested_via)
);

-- The portal's look-up of an address across accounts (sql/queries/portal.sql) needs these:
-- the existing unique indexes start with account_id.
CREATE INDEX subscribers_email ON subscribers (email_normalized);
CREATE INDEX suppressions_hmac ON suppressions (address_hmac);
CREATE INDEX suppressions_sha256 ON suppressions (address_sha256);
