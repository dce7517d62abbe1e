-- name: find_form_version
-- The stored wording of a form with this digest, if it was shown before.
SELECT id FROM form_versions WHERE account_id = $1 AND list_id = $2 AND digest = $3;

-- name: insert_form_version
-- Keeps the wording a form showed, the first time it is shown with that digest.
INSERT INTO form_versions (account_id, list_id, digest, wording, created_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: form_version
-- The wording a consent event's form showed.
SELECT digest, wording FROM form_versions WHERE account_id = $1 AND id = $2;

-- name: insert_event
-- Appends one event to a subscription's consent record (no query ever updates one).
INSERT INTO consent_events
  (account_id, subscription_id, kind, occurred_at, ip_address, user_agent, referrer, form_url,
   form_version_id, import_id, source, basis, message, digest)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING id;

-- name: events
-- A subscription's consent record, oldest first, with the form wording's digest.
SELECT e.id, e.kind, e.occurred_at, e.ip_address, e.user_agent, e.referrer, e.form_url,
       e.form_version_id, e.import_id, e.source, e.basis, e.message, e.digest,
       COALESCE(f.digest, ''), COALESCE(f.wording, '')
FROM consent_events e LEFT JOIN form_versions f ON f.id = e.form_version_id
WHERE e.account_id = $1 AND e.subscription_id = $2
ORDER BY e.occurred_at, e.id;

-- name: insert_receipt
-- Stores a signed consent receipt.
INSERT INTO consent_receipts (account_id, subscription_id, payload, signature, issued_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: receipts
-- The receipts of a subscription, oldest first.
SELECT id, subscription_id, payload, signature, issued_at FROM consent_receipts
WHERE account_id = $1 AND subscription_id = $2
ORDER BY issued_at, id;

-- name: receipt_of_subscriber
-- One receipt, if it belongs to a subscription of this subscriber in this account.
SELECT r.id, r.subscription_id, r.payload, r.signature, r.issued_at
FROM consent_receipts r JOIN subscriptions s ON s.id = r.subscription_id
WHERE r.account_id = $1 AND s.subscriber_id = $2 AND r.id = $3;

-- name: count_confirmation_sends
-- Confirmation emails sent to one address (HMAC) since the cut-off, across accounts.
SELECT COUNT(*) FROM confirmation_sends WHERE address_hmac = $1 AND sent_at > $2;

-- name: insert_confirmation_send
-- Counts one confirmation email to an address.
INSERT INTO confirmation_sends (address_hmac, sent_at) VALUES ($1, $2);

-- name: delete_old_confirmation_sends
-- Maintenance: forgets confirmation emails sent before the cut-off.
DELETE FROM confirmation_sends WHERE sent_at < $1;
