-- Operations: the page each account names to prove that it controls its web site (phishing
-- defence), the breach register, and operators. Times are epoch milliseconds; booleans are
-- INTEGER 0/1.

-- The web page an account says links to {base_url}/verify/{account id}. verified_since: when
-- the unbroken run of successful checks that still holds began; NULL when the last check
-- failed or none has run. last_result: a sentence saying what the last check found.
CREATE TABLE site_verifications (
  id @ID@,
  account_id BIGINT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
  page_url TEXT NOT NULL,
  verified_since BIGINT,
  last_checked_at BIGINT,
  last_result TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL
);
CREATE INDEX site_verifications_due ON site_verifications (last_checked_at);

-- The register of personal data breaches (GDPR Article 33(5)): what happened, when it was
-- found, what data, which accounts. Kept: no retention job removes it.
CREATE TABLE breaches (
  id @ID@,
  summary TEXT NOT NULL,
  data_affected TEXT NOT NULL DEFAULT '',
  found_at BIGINT NOT NULL,
  recorded_at BIGINT NOT NULL,
  all_accounts INTEGER NOT NULL DEFAULT 0
);

-- The accounts one breach affects. No foreign key to accounts: the register outlives an
-- account that is closed later, so organisation keeps the name it had when recorded.
-- notified_at: when the notice was emailed; notified_to: the address it went to;
-- notify_error: why the last attempt failed.
CREATE TABLE breach_accounts (
  id @ID@,
  breach_id BIGINT NOT NULL REFERENCES breaches (id) ON DELETE CASCADE,
  account_id BIGINT NOT NULL,
  organisation TEXT NOT NULL,
  notified_at BIGINT,
  notified_to TEXT NOT NULL DEFAULT '',
  notify_error TEXT NOT NULL DEFAULT '',
  UNIQUE (breach_id, account_id)
);

-- Users the operator has made operators (`smartmessages operator grant`): they see the
-- operator pages.
ALTER TABLE users ADD COLUMN is_operator INTEGER NOT NULL DEFAULT 0;
