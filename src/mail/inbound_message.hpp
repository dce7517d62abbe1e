// One message that came back to the bounce domain, read with GMime and classified: a delivery
// status notification (RFC 3464), a feedback report (RFC 5965, a complaint), or neither
// (auto-replies, junk). Alongside, what can name the delivery the message is about: the
// envelope recipient (the VERP address the message was sent to) and the headers of the
// original message that reports quote, whose return path is that VERP address again when a
// report went to a feedback address instead.
//
// Nothing here knows about deliveries or accounts; services/bounces decides what a message
// means for them. Parsing never fails: what cannot be read is InboundKind::other.
//
// Thread-safe: parse_inbound() may run on many threads (GMime is initialised once).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sm::mail {

enum class InboundKind { delivery_status, feedback_report, other };
std::string_view inbound_kind_name(InboundKind kind);

// soft: a temporary failure (4.x.x, or a delay); hard: a permanent one (5.x.x failed).
enum class BounceSeverity { none, soft, hard };
std::string_view severity_name(BounceSeverity severity);

// One per-recipient block of a DSN.
struct RecipientReport {
  std::string final_recipient;     // the address, type and brackets taken off
  std::string original_recipient;  // the same, when the report gives it
  std::string action;              // lower case: failed, delayed, delivered, relayed, expanded
  std::string status;              // "5.1.1"; from Diagnostic-Code when Status is missing
  std::string diagnostic;          // Diagnostic-Code without its type, at most kMaxDiagnostic
  BounceSeverity severity = BounceSeverity::none;
};

// Longest diagnostic text kept (the remote server's words, for the account holder).
constexpr std::size_t kMaxDiagnostic = 300;
// At most this many recipient blocks of one DSN are read.
constexpr std::size_t kMaxRecipients = 100;
// Only this much of a message is read: the report parts come before the returned message.
constexpr std::size_t kMaxInboundBytes = 10 * 1024 * 1024;

// Header fields of the message a report is about (its message/rfc822 part or its
// text/rfc822-headers part); empty strings when absent.
struct OriginalHeaders {
  std::string message_id;   // without angle brackets
  std::string return_path;  // the address: the VERP envelope sender as the receiver saw it
  std::string list_id;
  std::string feedback_id;
  std::string recipient;  // To, or a provider's own original-recipient header
};

struct InboundMessage {
  InboundKind kind = InboundKind::other;

  // Where the message was delivered, most trusted first: the pipe's argument, then
  // Delivered-To, X-Original-To and To. Each is an address; there may be none.
  std::vector<std::string> envelope_recipients;

  // delivery_status: the recipients the report speaks of.
  std::vector<RecipientReport> recipients;

  // feedback_report: Feedback-Type in lower case ("abuse"), Original-Rcpt-To, and
  // Original-Mail-From (our VERP address, when the provider includes it).
  std::string feedback_type;
  std::string original_rcpt_to;
  std::string original_mail_from;

  OriginalHeaders original;

  // other: the message says a machine wrote it (Auto-Submitted, X-Autoreply, Precedence).
  bool auto_reply = false;

  // The worst severity among the recipients (delivery_status); none otherwise.
  BounceSeverity severity() const;
  // A feedback report whose type is a complaint (abuse, fraud, virus, other); "not-spam" and
  // "auth-failure" reports are not.
  bool is_complaint() const;
};

// Reads one raw message (CRLF or LF). envelope_recipient: the address the mail system says it
// was delivered to (the Postfix pipe's ${original_recipient}); empty when not known.
InboundMessage parse_inbound(std::string_view raw, std::string_view envelope_recipient = {});

}  // namespace sm::mail
