-- Sending domains: the domains an account sends from, each with its two DKIM keys. The private
-- keys are sealed with the installation's secrets key (XSalsa20-Poly1305, base64url); the
-- public halves are kept as the TXT values to publish. Times are epoch milliseconds.
-- last_check_result: empty until checked, then a sentence saying what the DNS check found.

CREATE TABLE sending_domains (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  ed25519_selector TEXT NOT NULL,
  ed25519_private_sealed TEXT NOT NULL,
  ed25519_record TEXT NOT NULL,
  rsa_selector TEXT NOT NULL,
  rsa_private_sealed TEXT NOT NULL,
  rsa_record TEXT NOT NULL,
  verified_at BIGINT,
  last_checked_at BIGINT,
  last_check_result TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  UNIQUE (account_id, domain)
);
