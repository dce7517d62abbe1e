// Bounces and complaints: what an inbound message (mail/inbound_message) means for the
// delivery it names, and what the account pages show of it.
//
// The delivery is named by its VERP address (services/campaign_message.hpp), found as the
// envelope recipient, as a feedback report's Original-Mail-From, or as the Return-Path of the
// original message a report quotes; failing those, by our Message-ID in the quoted headers.
// Each carries a MAC, so a forged one names nothing. Then, in one transaction:
//
//   hard bounce (5.x.x failed)  the delivery is 'bounced', the subscriber's subscriptions in
//                               the account are marked (subscriptions.bounced_at) and the
//                               address is suppressed for the account;
//   soft bounce (4.x.x, delay)  counted; the bounce.soft_limit-th soft-bouncing delivery of
//                               the address within bounce.soft_window_days counts as hard;
//   complaint (feedback report) every subscription of the address in the account ends, with
//                               an unsubscribe in each consent record, and it is suppressed;
//   mail to an unsubscribe      the List-Unsubscribe mailto address of one subscription:
//   mailbox                     that subscription ends, as by its unsubscribe link;
//   anything else               counted and dropped.
//
// Each bounce and complaint is kept as an event (kind, status code, the server's words cut
// short, time); nothing else of the message is. Every message is counted per day by outcome
// for the operator (inbound_tallies). Logs carry outcomes and ids, never addresses.
//
// Thread-safe: the state lives in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "mail/inbound_message.hpp"
#include "services/app.hpp"

namespace sm::services {

enum class InboundOutcome {
  hard_bounce,
  soft_bounce,
  complaint,
  unsubscribe_request,
  no_effect,  // a report that changes nothing: a delivery notice, a not-spam report
  unmatched,  // a report naming no delivery of ours (or a forged one)
  auto_reply,
  not_a_report,
};
std::string_view inbound_outcome_name(InboundOutcome outcome);

// Only this much of a message is read (the report parts come before the returned message);
// the pipe and the webhook take no more.
constexpr std::size_t kMaxInboundBytes = mail::kMaxInboundBytes;

struct InboundResult {
  InboundOutcome outcome = InboundOutcome::not_a_report;
  std::int64_t delivery_id = 0;  // the delivery the message named, when one was found
  bool counted_as_hard = false;  // a soft bounce that reached the limit
};

// Handles one raw message (as the mail system delivered it; only its first
// kMaxInboundBytes are read). envelope_recipient: the address it was delivered to, when
// the mail system says (the Postfix pipe's argument); empty otherwise. Errc::unavailable when
// the database cannot be reached, so the caller can ask the mail system to try again later.
Result<InboundResult> handle_inbound(App& app, std::string_view raw,
                                     std::string_view envelope_recipient = {});

enum class BounceKind { hard, soft, complaint };
std::string_view bounce_kind_name(BounceKind kind);

struct BounceEvent {
  std::int64_t id = 0;
  std::int64_t campaign_id = 0;
  std::string campaign_name;
  std::int64_t delivery_id = 0;
  BounceKind kind = BounceKind::hard;
  std::string status_code;  // "5.1.1"; empty for complaints
  std::string diagnostic;   // the receiving server's words, cut short
  bool counted_as_hard = false;
  Millis occurred_at = 0;
};

// For the campaign report: deliveries of the campaign that bounced hard (soft ones that
// reached the limit included), that bounced soft and not hard, and that drew a complaint.
struct BounceCounts {
  std::int64_t hard = 0;
  std::int64_t soft = 0;
  std::int64_t complaints = 0;
};
Result<BounceCounts> campaign_bounce_counts(App& app, std::int64_t account_id,
                                            std::int64_t campaign_id);

// For the subscriber's page: the newest bounces and complaints (at most `limit`), and when
// the address last bounced hard.
struct SubscriberBounces {
  std::vector<BounceEvent> events;
  std::optional<Millis> bounced_at;
};
Result<SubscriberBounces> subscriber_bounces(App& app, std::int64_t account_id,
                                             std::int64_t subscriber_id, std::int64_t limit = 50);

// For the operator: inbound messages by outcome name since the day that holds `since`.
struct InboundTally {
  std::string outcome;
  std::int64_t count = 0;
};
Result<std::vector<InboundTally>> inbound_tallies(App& app, Millis since);

}  // namespace sm::services
