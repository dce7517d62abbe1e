-- Opt-in open and click tracking (services/tracking.hpp), its events and the rollups that
-- outlive them. Times are epoch milliseconds; booleans are INTEGER 0/1; an hour is the epoch
-- ms of its start. link_index counts a campaign's tracked links from 1; 0 means "no link"
-- (an open, an unsubscribe).
--
-- Privacy: no table here holds an IP address, a user agent or an address. Named events name
-- a delivery (and through it a subscriber) and are deleted after six months, once rolled up;
-- anonymous events, for people whose browser sends DNT: 1 or Sec-GPC: 1, are counts per
-- campaign, link, kind and hour that name no one.

-- Tracking is off until the account holder turns it on, for the account and per campaign.
ALTER TABLE accounts ADD COLUMN tracking_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN track_opens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN track_clicks INTEGER NOT NULL DEFAULT 0;
-- utm_campaign: when not empty, utm_source, utm_medium=email and utm_campaign are added to
-- the campaign's link destinations.
ALTER TABLE campaigns ADD COLUMN utm_campaign TEXT NOT NULL DEFAULT '';

-- The destinations of a campaign's tracked links, stored when it is compiled for sending. A
-- click token names one of these; the redirect goes only here.
CREATE TABLE campaign_links (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  link_index INTEGER NOT NULL CHECK (link_index > 0),
  url TEXT NOT NULL,
  PRIMARY KEY (campaign_id, link_index)
);

-- Named events: one delivery opened, clicked or unsubscribed (bounces and complaints are
-- bounce_events, services/bounces.hpp). machine: fetched by a mail-privacy proxy or a link
-- scanner, counted apart from people. Deleting the delivery (erasure of the subscriber)
-- deletes its events.
CREATE TABLE events (
  id @ID@,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  delivery_id BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('open', 'click', 'unsubscribe')),
  link_index INTEGER NOT NULL DEFAULT 0,
  occurred_at BIGINT NOT NULL,
  machine INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_campaign ON events (campaign_id, occurred_at);
CREATE INDEX events_delivery ON events (delivery_id);
CREATE INDEX events_time ON events (occurred_at);

-- Anonymous events: how many opens or clicks of one link of a campaign arrived in one hour
-- from browsers that asked not to be tracked. Nothing here leads to a person.
CREATE TABLE anonymous_events (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  link_index INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL CHECK (kind IN ('open', 'click')),
  hour BIGINT NOT NULL,
  machine INTEGER NOT NULL DEFAULT 0,
  total BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, link_index, kind, hour, machine)
);
CREATE INDEX anonymous_events_hour ON anonymous_events (hour);

-- A campaign's figures per hour, kept after the raw events are gone. unique_opens and
-- unique_clicks count the deliveries whose first opening (first click) by a person fell in
-- that hour, so the hours add up to the campaign's unique figure. opens and clicks are by
-- people, named and anonymous; anonymous_* is the anonymous share; machine_* is apart.
CREATE TABLE campaign_rollups (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  hour BIGINT NOT NULL,
  deliveries BIGINT NOT NULL DEFAULT 0,
  opens BIGINT NOT NULL DEFAULT 0,
  unique_opens BIGINT NOT NULL DEFAULT 0,
  anonymous_opens BIGINT NOT NULL DEFAULT 0,
  machine_opens BIGINT NOT NULL DEFAULT 0,
  clicks BIGINT NOT NULL DEFAULT 0,
  unique_clicks BIGINT NOT NULL DEFAULT 0,
  anonymous_clicks BIGINT NOT NULL DEFAULT 0,
  machine_clicks BIGINT NOT NULL DEFAULT 0,
  unsubscribes BIGINT NOT NULL DEFAULT 0,
  bounces BIGINT NOT NULL DEFAULT 0,
  complaints BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, hour)
);

-- Clicks per link and hour, kept like campaign_rollups.
CREATE TABLE link_rollups (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  link_index INTEGER NOT NULL,
  hour BIGINT NOT NULL,
  clicks BIGINT NOT NULL DEFAULT 0,
  anonymous_clicks BIGINT NOT NULL DEFAULT 0,
  machine_clicks BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, link_index, hour)
);

-- How far a campaign is rolled up: every hour before rolled_until is in the rollup tables and
-- its raw events may go; reports count the hours from rolled_until on from the raw events.
CREATE TABLE rollup_marks (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  campaign_id BIGINT NOT NULL PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
  rolled_until BIGINT NOT NULL
);
