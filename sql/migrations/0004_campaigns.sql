-- Campaigns: one message an account sends to one or more of its lists. Times are epoch ms.
-- status: draft → scheduled (scheduled_at) → sending → sent, with paused and cancelled.
-- body_source is what the author wrote (body_format says how to read it); text_body is the
-- plain-text part, generated from the HTML unless text_edited says the author changed it.
-- public_id names the public web version (/w/{public_id}), shown only when web_version is 1.
-- rate_per_minute: 0 means as fast as the relay allows.
CREATE TABLE campaigns (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  public_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  preheader TEXT NOT NULL DEFAULT '',
  from_name TEXT NOT NULL DEFAULT '',
  from_email TEXT NOT NULL DEFAULT '',
  reply_to TEXT NOT NULL DEFAULT '',
  sending_domain_id BIGINT REFERENCES sending_domains (id) ON DELETE SET NULL,
  body_format TEXT NOT NULL DEFAULT 'markdown' CHECK (body_format IN ('markdown', 'html')),
  body_source TEXT NOT NULL DEFAULT '',
  text_body TEXT NOT NULL DEFAULT '',
  text_edited INTEGER NOT NULL DEFAULT 0,
  web_version INTEGER NOT NULL DEFAULT 0,
  rate_per_minute INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled')),
  scheduled_at BIGINT,
  started_at BIGINT,
  finished_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX campaigns_account ON campaigns (account_id, created_at);
CREATE INDEX campaigns_status ON campaigns (status, scheduled_at);

-- The lists a campaign goes to.
CREATE TABLE campaign_lists (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  PRIMARY KEY (campaign_id, list_id)
);
