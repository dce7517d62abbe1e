#include "services/bounces.hpp"

#include <algorithm>

#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "mail/inbound_message.hpp"
#include "services/campaign_message.hpp"
#include "services/consent_record.hpp"
#include "services/subscriptions.hpp"
#include "services/suppression.hpp"

namespace sm::services {
namespace {

using mail::BounceSeverity;
using mail::InboundKind;
using mail::InboundMessage;

// What the consent record says ended a subscription, in the account holder's words.
constexpr std::string_view kComplaintSource =
    "Complaint: the recipient's mailbox provider reported this message as unwanted (feedback "
    "report)";
constexpr std::string_view kMailtoSource =
    "Unsubscribe request by email to the list's unsubscribe address";

struct Delivery {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::int64_t campaign_id = 0;
  std::int64_t subscriber_id = 0;
  std::int64_t subscription_id = 0;
  std::string email;
};

// Our Message-ID is "<delivery.campaign.MAC@domain>", written by campaign_message.cpp's
// message_id() with the MAC over "message-id/<delivery>"; this reads it back. It is only the
// last way to name a delivery, for reports that quote no return path; the tests send a real
// campaign and complain with nothing but its Message-ID, so a change of format shows there.
std::optional<std::int64_t> delivery_from_message_id(const App& app, std::string_view id) {
  id = id.substr(0, id.find('@'));
  auto first = id.find('.');
  auto second = first == std::string_view::npos ? first : id.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto delivery = parse_id(id.substr(0, first));
  if (!delivery || !parse_id(id.substr(first + 1, second - first - 1))) return std::nullopt;
  std::string mac =
      crypto::hmac_hex(app.keys->hmac_key(), "message-id/" + std::to_string(*delivery))
          .substr(0, 16);
  if (!crypto::constant_time_equal(mac, id.substr(second + 1))) return std::nullopt;
  return delivery;
}

// The delivery a report names: a VERP address where the report puts one, else our
// Message-ID in the quoted headers.
std::optional<std::int64_t> named_delivery(const App& app, const InboundMessage& m) {
  std::vector<std::string> candidates = m.envelope_recipients;
  candidates.push_back(m.original_mail_from);
  candidates.push_back(m.original.return_path);
  for (const auto& address : candidates) {
    if (address.empty()) continue;
    if (auto id = delivery_from_verp(app, address)) return id;
  }
  if (m.original.message_id.empty()) return std::nullopt;
  return delivery_from_message_id(app, m.original.message_id);
}

std::optional<std::int64_t> named_unsubscribe_mailbox(const App& app, const InboundMessage& m) {
  for (const auto& address : m.envelope_recipients) {
    if (auto id = subscription_from_unsubscribe_mailbox(app, address)) return id;
  }
  return std::nullopt;
}

Result<std::optional<Delivery>> load_delivery(store::Connection& c, std::int64_t id) {
  auto rows = store::run_named(c, "bounces.delivery", {id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return std::optional<Delivery>();
  const auto& r = rows->front();
  return std::optional<Delivery>(
      Delivery{r.integer(0), r.integer(1), r.integer(2), r.integer(3), r.integer(4), r.text(5)});
}

Status tally(store::Connection& c, Millis now, InboundOutcome outcome) {
  auto r = store::run_named(c, "bounces.tally",
                            {now / kDay, std::string(inbound_outcome_name(outcome))});
  if (!r.ok()) return r.take_error();
  return {};
}

Result<bool> has_event(store::Connection& c, const Delivery& d, BounceKind kind) {
  auto rows = store::run_named(c, "bounces.has_event",
                               {d.account_id, d.id, std::string(bounce_kind_name(kind))});
  if (!rows.ok()) return rows.take_error();
  return !rows->empty();
}

// False when the event was there already (a hard bounce or complaint is kept once).
Result<bool> record_event(App& app, store::Connection& c, const Delivery& d, BounceKind kind,
                          const std::string& status, const std::string& diagnostic,
                          bool counted_as_hard) {
  auto r = store::run_named(
      c, "bounces.insert_event",
      {d.account_id, d.campaign_id, d.id, d.subscriber_id, std::string(bounce_kind_name(kind)),
       status, diagnostic, std::int64_t{counted_as_hard ? 1 : 0}, app.now()});
  if (!r.ok()) return r.take_error();
  return !r->empty();
}

Status suppress_delivery_address(App& app, store::Connection& c, const Delivery& d,
                                 SuppressionReason reason) {
  auto address = parse_email_address(d.email);
  if (!address.ok()) {
    // Snapshots hold addresses that were valid when taken; this is not expected.
    log::warn("bounce address not parseable delivery={}", d.id);
    return {};
  }
  return suppress(app, c, d.account_id, *address, reason);
}

// A hard bounce, or the soft bounce that reached the limit: the address no longer takes mail.
Status apply_hard(App& app, store::Connection& c, const Delivery& d, const std::string& status) {
  std::string why = "The receiving mail server returned the message for good";
  why += status.empty() ? "." : " (status " + status + ").";
  SM_TRY(store::run_named(c, "bounces.mark_delivery_bounced", {d.account_id, d.id, why}));
  SM_TRY(store::run_named(c, "bounces.mark_subscriptions_bounced",
                          {d.account_id, d.subscriber_id, app.now()}));
  return suppress_delivery_address(app, c, d, SuppressionReason::bounced);
}

// Whether this soft bounce is the one that reaches bounce.soft_limit: the deliveries to the
// address that bounced soft within the window, this one included.
Result<bool> reaches_soft_limit(App& app, store::Connection& c, const Delivery& d) {
  Millis cutoff = app.now() - app.config.bounce_soft_window_days * kDay;
  auto rows = store::run_named(c, "bounces.count_recent_soft",
                               {d.account_id, d.subscriber_id, cutoff, d.id});
  if (!rows.ok()) return rows.take_error();
  return rows->front().integer(0) + 1 >= app.config.bounce_soft_limit;
}

// The recipient block that matters: the worst one (a VERP address names one delivery, so
// there is normally just one).
const mail::RecipientReport& worst_recipient(const InboundMessage& m) {
  return *std::max_element(m.recipients.begin(), m.recipients.end(),
                           [](const auto& a, const auto& b) { return a.severity < b.severity; });
}

Result<InboundResult> on_bounce(App& app, store::Connection& c, const Delivery& d,
                                const InboundMessage& m) {
  const auto& r = worst_recipient(m);
  InboundResult result{InboundOutcome::hard_bounce, d.id, false};
  auto already = has_event(c, d, BounceKind::hard);
  if (!already.ok()) return already.take_error();
  // A delivery that bounced hard already: a second report (or a late delay notice) changes
  // nothing more.
  if (*already) {
    if (r.severity == BounceSeverity::soft) result.outcome = InboundOutcome::soft_bounce;
    return result;
  }

  if (r.severity == BounceSeverity::hard) {
    auto recorded = record_event(app, c, d, BounceKind::hard, r.status, r.diagnostic, false);
    if (!recorded.ok()) return recorded.take_error();
    if (*recorded) SM_TRY(apply_hard(app, c, d, r.status));
    return result;
  }
  result.outcome = InboundOutcome::soft_bounce;
  auto limit = reaches_soft_limit(app, c, d);
  if (!limit.ok()) return limit.take_error();
  result.counted_as_hard = *limit;
  auto recorded = record_event(app, c, d, BounceKind::soft, r.status, r.diagnostic, *limit);
  if (!recorded.ok()) return recorded.take_error();
  if (*limit) SM_TRY(apply_hard(app, c, d, r.status));
  return result;
}

// Ends one subscription as its unsubscribe link would, with `source` in the consent record
// saying why. Already left changes nothing.
Status end_subscription(App& app, store::Connection& c, std::int64_t account_id,
                        std::int64_t subscription_id, std::string_view source) {
  auto done =
      store::run_named(c, "subscriptions.unsubscribe", {account_id, subscription_id, app.now()});
  if (!done.ok()) return done.take_error();
  if (done->affected == 0) return {};
  ConsentEvent e;
  e.kind = ConsentKind::unsubscribe;
  e.occurred_at = app.now();
  e.source = std::string(source);
  auto recorded = record_consent_event(c, account_id, subscription_id, e);
  if (!recorded.ok()) return recorded.take_error();
  return {};
}

Result<InboundResult> on_complaint(App& app, store::Connection& c, const Delivery& d) {
  InboundResult result{InboundOutcome::complaint, d.id, false};
  auto already = has_event(c, d, BounceKind::complaint);
  if (!already.ok()) return already.take_error();
  if (*already) return result;

  auto recorded = record_event(app, c, d, BounceKind::complaint, "", "", false);
  if (!recorded.ok()) return recorded.take_error();
  if (!*recorded) return result;  // a copy of the same report, handled at the same moment
  auto open = store::run_named(c, "bounces.open_subscriptions", {d.account_id, d.subscriber_id});
  if (!open.ok()) return open.take_error();
  for (const auto& row : open->rows) {
    SM_TRY(end_subscription(app, c, d.account_id, row.integer(0), kComplaintSource));
  }
  SM_TRY(suppress_delivery_address(app, c, d, SuppressionReason::complained));
  return result;
}

// Mail to a subscription's List-Unsubscribe mailto address (RFC 2369): the request is the
// message itself, whatever it says.
Result<InboundResult> on_unsubscribe_request(App& app, store::Connection& c,
                                             std::int64_t subscription_id) {
  auto rows = store::run_named(c, "subscriptions.find_by_id_for_token", {subscription_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return InboundResult{InboundOutcome::unmatched, 0, false};
  Subscription s = subscription_from_row(rows->front());
  SM_TRY(end_subscription(app, c, s.account_id, s.id, kMailtoSource));
  auto address = store::run_named(c, "subscribers.find", {s.account_id, s.subscriber_id});
  if (!address.ok()) return address.take_error();
  if (!address->empty()) {
    if (auto a = parse_email_address(address->front().text(1)); a.ok()) {
      SM_TRY(suppress(app, c, s.account_id, *a, SuppressionReason::unsubscribed));
    }
  }
  return InboundResult{InboundOutcome::unsubscribe_request, 0, false};
}

bool is_report(const InboundMessage& m) { return m.kind != InboundKind::other; }

Result<InboundResult> handle_parsed(App& app, store::Connection& c, const InboundMessage& m) {
  if (!is_report(m)) {
    if (auto s = named_unsubscribe_mailbox(app, m)) return on_unsubscribe_request(app, c, *s);
    return InboundResult{m.auto_reply ? InboundOutcome::auto_reply : InboundOutcome::not_a_report,
                         0, false};
  }
  auto id = named_delivery(app, m);
  if (!id) return InboundResult{InboundOutcome::unmatched, 0, false};
  auto d = load_delivery(c, *id);
  if (!d.ok()) return d.take_error();
  if (!*d) return InboundResult{InboundOutcome::unmatched, *id, false};

  bool bounce = m.kind == InboundKind::delivery_status && m.severity() != BounceSeverity::none;
  if (bounce) return on_bounce(app, c, **d, m);
  if (m.is_complaint()) return on_complaint(app, c, **d);
  return InboundResult{InboundOutcome::no_effect, *id, false};
}

BounceKind parse_kind(std::string_view name) {
  if (name == "soft") return BounceKind::soft;
  if (name == "complaint") return BounceKind::complaint;
  return BounceKind::hard;
}

}  // namespace

std::string_view inbound_outcome_name(InboundOutcome outcome) {
  switch (outcome) {
    case InboundOutcome::hard_bounce:
      return "hard_bounce";
    case InboundOutcome::soft_bounce:
      return "soft_bounce";
    case InboundOutcome::complaint:
      return "complaint";
    case InboundOutcome::unsubscribe_request:
      return "unsubscribe_request";
    case InboundOutcome::no_effect:
      return "no_effect";
    case InboundOutcome::unmatched:
      return "unmatched";
    case InboundOutcome::auto_reply:
      return "auto_reply";
    case InboundOutcome::not_a_report:
      return "not_a_report";
  }
  return "not_a_report";
}

std::string_view bounce_kind_name(BounceKind kind) {
  switch (kind) {
    case BounceKind::hard:
      return "hard";
    case BounceKind::soft:
      return "soft";
    case BounceKind::complaint:
      return "complaint";
  }
  return "hard";
}

Result<InboundResult> handle_inbound(App& app, std::string_view raw,
                                     std::string_view envelope_recipient) {
  InboundMessage m = mail::parse_inbound(raw, envelope_recipient);
  auto result = app.db->transact<InboundResult>([&](store::Connection& c) -> Result<InboundResult> {
    auto r = handle_parsed(app, c, m);
    if (!r.ok()) return r;
    SM_TRY(tally(c, app.now(), r->outcome));
    return r;
  });
  // One line per message: rate-limited, since a mailbox provider may send thousands at once.
  if (!result.ok()) {
    if (log::allow("inbound-failed", 30)) {
      log::error("inbound message not handled kind={} detail={}", mail::inbound_kind_name(m.kind),
                 result.error().detail);
    }
    return result;
  }
  if (log::allow("inbound-outcome", 120)) {
    log::info("inbound message outcome={} delivery={} counted_as_hard={}",
              inbound_outcome_name(result->outcome), result->delivery_id,
              result->counted_as_hard ? 1 : 0);
  }
  return result;
}

Result<BounceCounts> campaign_bounce_counts(App& app, std::int64_t account_id,
                                            std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "bounces.campaign_counts", {account_id, campaign_id});
  if (!rows.ok()) return rows.take_error();
  const auto& r = rows->front();
  return BounceCounts{r.integer(0), r.integer(1), r.integer(2)};
}

Result<SubscriberBounces> subscriber_bounces(App& app, std::int64_t account_id,
                                             std::int64_t subscriber_id, std::int64_t limit) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "bounces.for_subscriber",
                               {account_id, subscriber_id, std::max<std::int64_t>(limit, 1)});
  if (!rows.ok()) return rows.take_error();
  SubscriberBounces out;
  for (const auto& r : rows->rows) {
    out.events.push_back(BounceEvent{r.integer(0), r.integer(1), r.text(2), r.integer(3),
                                     parse_kind(r.text(4)), r.text(5), r.text(6), r.integer(7) == 1,
                                     r.integer(8)});
  }
  auto when =
      store::run_named(**lease, "bounces.subscriber_bounced_at", {account_id, subscriber_id});
  if (!when.ok()) return when.take_error();
  if (!when->empty()) out.bounced_at = when->front().optional_integer(0);
  return out;
}

Result<std::vector<InboundTally>> inbound_tallies(App& app, Millis since) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "bounces.tallies_since", {since / kDay});
  if (!rows.ok()) return rows.take_error();
  std::vector<InboundTally> out;
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.integer(1)});
  return out;
}

}  // namespace sm::services
