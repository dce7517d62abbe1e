-- CSV exports of subscriptions with their consent fields, a page at a time (keyset on the
-- subscription id) so an export of any size is streamed. The first sign-up or import event
-- gives the consent source; the last confirmation event the confirmation time and IP; the
-- newest consent receipt travels with the row so proof survives a move to another provider.

-- name: list_page
-- One page of a list's subscriptions after subscription id $3, at most $4 rows.
SELECT sub.id, sb.email, sub.status, l.name, sb.fields, sub.created_at, sub.confirmed_at,
       sub.unsubscribed_at, ev.kind, ev.occurred_at, ev.ip_address, ev.user_agent, ev.form_url,
       ev.source, ev.basis, cf.occurred_at, cf.ip_address, cr.payload, cr.signature
FROM subscriptions sub
JOIN subscribers sb ON sb.id = sub.subscriber_id AND sb.account_id = $1
JOIN lists l ON l.id = sub.list_id AND l.account_id = $1
LEFT JOIN consent_events ev ON ev.id =
  (SELECT MIN(e.id) FROM consent_events e
   WHERE e.account_id = $1 AND e.subscription_id = sub.id AND e.kind IN ('signup', 'import'))
LEFT JOIN consent_events cf ON cf.id =
  (SELECT MAX(e.id) FROM consent_events e
   WHERE e.account_id = $1 AND e.subscription_id = sub.id AND e.kind = 'confirmation')
LEFT JOIN consent_receipts cr ON cr.id =
  (SELECT MAX(r.id) FROM consent_receipts r
   WHERE r.account_id = $1 AND r.subscription_id = sub.id)
WHERE sub.account_id = $1 AND sub.list_id = $2 AND sub.id > $3
ORDER BY sub.id LIMIT $4;

-- name: account_page
-- One page of all the account's subscriptions, every list, after subscription id $2.
SELECT sub.id, sb.email, sub.status, l.name, sb.fields, sub.created_at, sub.confirmed_at,
       sub.unsubscribed_at, ev.kind, ev.occurred_at, ev.ip_address, ev.user_agent, ev.form_url,
       ev.source, ev.basis, cf.occurred_at, cf.ip_address, cr.payload, cr.signature
FROM subscriptions sub
JOIN subscribers sb ON sb.id = sub.subscriber_id AND sb.account_id = $1
JOIN lists l ON l.id = sub.list_id AND l.account_id = $1
LEFT JOIN consent_events ev ON ev.id =
  (SELECT MIN(e.id) FROM consent_events e
   WHERE e.account_id = $1 AND e.subscription_id = sub.id AND e.kind IN ('signup', 'import'))
LEFT JOIN consent_events cf ON cf.id =
  (SELECT MAX(e.id) FROM consent_events e
   WHERE e.account_id = $1 AND e.subscription_id = sub.id AND e.kind = 'confirmation')
LEFT JOIN consent_receipts cr ON cr.id =
  (SELECT MAX(r.id) FROM consent_receipts r
   WHERE r.account_id = $1 AND r.subscription_id = sub.id)
WHERE sub.account_id = $1 AND sub.id > $2
ORDER BY sub.id LIMIT $3;
