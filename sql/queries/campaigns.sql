-- Campaigns of an account and the lists each goes to. Status changes made by sending
-- (scheduled, sending, paused, sent, cancelled) are services/sending's; these queries only
-- create, edit, read and delete.

-- name: insert
-- Stores a new draft campaign; the public id (its web version's URL) is random.
INSERT INTO campaigns
  (account_id, public_id, name, subject, preheader, from_name, from_email, reply_to,
   sending_domain_id, body_format, body_source, text_body, text_edited, web_version,
   rate_per_minute, status, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'draft', $16, $16)
RETURNING id;

-- name: update
-- Saves the composer's fields of one campaign of an account, only while it may be edited
-- (a draft, or scheduled and not yet started); affects no row otherwise.
UPDATE campaigns
SET name = $3, subject = $4, preheader = $5, from_name = $6, from_email = $7, reply_to = $8,
    sending_domain_id = $9, body_format = $10, body_source = $11, text_body = $12,
    text_edited = $13, web_version = $14, rate_per_minute = $15, updated_at = $16
WHERE account_id = $1 AND id = $2 AND status IN ('draft', 'scheduled');

-- name: find
-- One campaign of an account.
SELECT id, account_id, public_id, name, subject, preheader, from_name, from_email, reply_to,
       sending_domain_id, body_format, body_source, text_body, text_edited, web_version,
       rate_per_minute, status, scheduled_at, started_at, finished_at, created_at, updated_at
FROM campaigns WHERE account_id = $1 AND id = $2;

-- name: for_account
-- Every campaign of an account, newest first.
SELECT id, account_id, public_id, name, subject, preheader, from_name, from_email, reply_to,
       sending_domain_id, body_format, body_source, text_body, text_edited, web_version,
       rate_per_minute, status, scheduled_at, started_at, finished_at, created_at, updated_at
FROM campaigns WHERE account_id = $1 ORDER BY created_at DESC, id DESC;

-- name: find_web_version
-- The public web version (/w/{public_id}): the one look-up without an account, where the
-- public id is the capability; only a campaign that has been sent with the flag set answers.
SELECT id, account_id, public_id, name, subject, preheader, from_name, from_email, reply_to,
       sending_domain_id, body_format, body_source, text_body, text_edited, web_version,
       rate_per_minute, status, scheduled_at, started_at, finished_at, created_at, updated_at
FROM campaigns
WHERE public_id = $1 AND web_version = 1 AND status IN ('sending', 'paused', 'sent');

-- name: delete_draft
-- Deletes one campaign of an account while it is a draft; its list choices go with it.
DELETE FROM campaigns WHERE account_id = $1 AND id = $2 AND status = 'draft';

-- name: lists
-- The lists a campaign of an account goes to, by name.
SELECT l.id, l.name, l.public_id FROM campaign_lists cl JOIN lists l ON l.id = cl.list_id
WHERE cl.account_id = $1 AND cl.campaign_id = $2 AND l.account_id = $1
ORDER BY l.name, l.id;

-- name: clear_lists
-- Forgets the list choices of a campaign of an account, before they are stored again.
DELETE FROM campaign_lists WHERE account_id = $1 AND campaign_id = $2;

-- name: add_list
-- Adds one list of the same account to a campaign; the list is checked to be the account's.
-- (The casts type the parameters on PostgreSQL, which cannot infer them from a select list.)
INSERT INTO campaign_lists (account_id, campaign_id, list_id)
SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), id FROM lists WHERE account_id = $1 AND id = $3;
