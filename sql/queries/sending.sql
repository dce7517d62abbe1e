-- The sending state of campaigns: scheduled, sending, paused, sent, cancelled, and the note
-- the service leaves when it changes one by itself. Each change names the states it may
-- start from, so two requests (or two workers) racing each other change it once. None of
-- them touches updated_at, which says when the content was last edited.

-- name: state
-- One campaign's sending state.
SELECT status, scheduled_at, started_at, finished_at, rate_per_minute, status_note
FROM campaigns WHERE account_id = $1 AND id = $2;

-- name: list_count
-- How many lists a campaign goes to.
SELECT COUNT(*) FROM campaign_lists WHERE account_id = $1 AND campaign_id = $2;

-- name: schedule
-- Sets a draft (or a scheduled campaign) to go at $3.
UPDATE campaigns SET status = 'scheduled', scheduled_at = $3, status_note = ''
WHERE account_id = $1 AND id = $2 AND status IN ('draft', 'scheduled');

-- name: begin_now
-- The account holder sends a draft or a scheduled campaign now.
UPDATE campaigns SET status = 'sending', started_at = $3, finished_at = NULL, status_note = ''
WHERE account_id = $1 AND id = $2 AND status IN ('draft', 'scheduled')
RETURNING id;

-- name: begin_scheduled
-- A worker starts a scheduled campaign whose time has come; no row when another did first.
UPDATE campaigns SET status = 'sending', started_at = $3, finished_at = NULL, status_note = ''
WHERE account_id = $1 AND id = $2 AND status = 'scheduled' AND scheduled_at <= $3
RETURNING id;

-- name: back_to_draft
-- A scheduled campaign that could not start goes back to draft, with the reason.
UPDATE campaigns SET status = 'draft', status_note = $3
WHERE account_id = $1 AND id = $2 AND status = 'scheduled';

-- name: pause
-- Pauses a campaign that is sending; $3 is the service's reason, or '' when the account
-- holder asked.
UPDATE campaigns SET status = 'paused', status_note = $3
WHERE account_id = $1 AND id = $2 AND status = 'sending';

-- name: resume
-- Resumes a paused campaign.
UPDATE campaigns SET status = 'sending', status_note = ''
WHERE account_id = $1 AND id = $2 AND status = 'paused';

-- name: cancel
-- Cancels a campaign that has not finished; what was sent stays sent, the rest is not sent.
UPDATE campaigns SET status = 'cancelled', finished_at = $3
WHERE account_id = $1 AND id = $2 AND status IN ('scheduled', 'sending', 'paused');

-- name: finish
-- A sending campaign with nothing queued or in flight is sent.
UPDATE campaigns SET status = 'sent', finished_at = $3
WHERE account_id = $1 AND id = $2 AND status = 'sending'
  AND NOT EXISTS (SELECT 1 FROM deliveries d
                  WHERE d.account_id = $1 AND d.campaign_id = $2
                    AND d.status IN ('queued', 'sending'));

-- name: reopen
-- A sent campaign whose unknown deliveries were queued again is sending again.
UPDATE campaigns SET status = 'sending', finished_at = NULL
WHERE account_id = $1 AND id = $2 AND status = 'sent';

-- name: due
-- Workers: scheduled campaigns whose time has come, across accounts, oldest first.
SELECT account_id, id FROM campaigns
WHERE status = 'scheduled' AND scheduled_at <= $1
ORDER BY scheduled_at, id LIMIT 50;

-- name: sending
-- Workers: every campaign that is sending, across accounts, in the order they started.
SELECT account_id, id, rate_per_minute, COALESCE(started_at, 0) FROM campaigns
WHERE status = 'sending'
ORDER BY started_at, id;
