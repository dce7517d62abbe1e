#include "mail/inbound_message.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "core/text.hpp"
#include "mail/report_fields.hpp"

namespace sm::mail {
namespace {

// GObjects the parser hands us are owned by us and released with g_object_unref.
struct Unref {
  void operator()(void* object) const { g_object_unref(object); }
};
template <class T>
using Owned = std::unique_ptr<T, Unref>;

// Multiparts nest this deep at most before the search for the report gives up.
constexpr int kMaxDepth = 8;

// GMime's parser recurses once per nested part and runs out of stack on deeply nested input
// (some 100,000 levels on an 8 MiB stack; less on a server thread). Every level of nesting
// needs a Content-Type header line of its own, and a report has a handful, so a message with
// more of them than this is not read at all.
constexpr std::size_t kMaxContentTypeLines = 1000;

bool starts_with_content_type(std::string_view text, std::size_t at) {
  constexpr std::string_view kName = "content-type";
  if (text.size() - at < kName.size()) return false;
  for (std::size_t i = 0; i < kName.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != kName[i]) return false;
  }
  return true;
}

bool too_many_parts(std::string_view raw) {
  std::size_t seen = starts_with_content_type(raw, 0) ? 1 : 0;
  for (auto at = raw.find('\n'); at != std::string_view::npos; at = raw.find('\n', at + 1)) {
    if (starts_with_content_type(raw, at + 1) && ++seen > kMaxContentTypeLines) return true;
  }
  return false;
}

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string header(GMimeObject* object, const char* name) {
  const char* value = g_mime_object_get_header(object, name);
  return value == nullptr ? std::string() : std::string(trim_whitespace(value));
}

bool is_type(GMimeObject* object, const char* type, const char* subtype) {
  GMimeContentType* ct = g_mime_object_get_content_type(object);
  return ct != nullptr && g_mime_content_type_is_type(ct, type, subtype);
}

// A leaf part's content with its transfer encoding undone.
std::string part_text(GMimeObject* object) {
  if (!GMIME_IS_PART(object)) return "";
  GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
  if (content == nullptr) return "";
  Owned<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, out.get()) < 0) return "";
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

void add_unique(std::vector<std::string>& list, std::string address) {
  if (address.empty()) return;
  if (std::find(list.begin(), list.end(), address) == list.end()) list.push_back(address);
}

// Every mailbox address of an address header (groups opened), in order.
void add_mailboxes(std::vector<std::string>& out, InternetAddressList* list, int depth = 0) {
  if (list == nullptr || depth > 2) return;
  int n = internet_address_list_length(list);
  for (int i = 0; i < n && i < 50; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
      if (addr != nullptr) add_unique(out, report_address(addr));
    } else if (INTERNET_ADDRESS_IS_GROUP(a)) {
      add_mailboxes(out, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), depth + 1);
    }
  }
}

std::vector<std::string> envelope_recipients(GMimeMessage* message, std::string_view given) {
  std::vector<std::string> out;
  add_unique(out, report_address(given));
  GMimeObject* object = GMIME_OBJECT(message);
  GMimeHeaderList* headers = g_mime_object_get_header_list(object);
  int n = g_mime_header_list_get_count(headers);
  // Delivered-To is added at each delivery, newest on top: the first is ours.
  for (const char* name : {"Delivered-To", "X-Original-To"}) {
    for (int i = 0; i < n; ++i) {
      GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
      if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) != 0) continue;
      const char* value = g_mime_header_get_value(h);
      if (value != nullptr) add_unique(out, report_address(value));
    }
  }
  add_mailboxes(out, g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_TO));
  return out;
}

bool says_auto_reply(GMimeObject* message) {
  std::string submitted = lower(header(message, "Auto-Submitted"));
  std::string precedence = lower(header(message, "Precedence"));
  return (!submitted.empty() && submitted != "no") || !header(message, "X-Autoreply").empty() ||
         !header(message, "X-Autorespond").empty() || precedence == "auto_reply";
}

// "<id@host>" → "id@host"; "" when what is inside is not one id.
std::string without_brackets(std::string_view id) {
  id = trim_whitespace(id);
  if (id.starts_with('<')) id.remove_prefix(1);
  if (auto close = id.find('>'); close != std::string_view::npos) id = id.substr(0, close);
  if (id.find_first_of("<> \t\r\n") != std::string_view::npos || id.size() > 998) return "";
  return std::string(id);
}

OriginalHeaders headers_of_message(GMimeMessage* original) {
  GMimeObject* o = GMIME_OBJECT(original);
  OriginalHeaders h;
  h.message_id = without_brackets(header(o, "Message-ID"));
  h.return_path = report_address(header(o, "Return-Path"));
  h.list_id = header(o, "List-Id");
  h.feedback_id = header(o, "Feedback-ID");
  // Microsoft's complaint reports name the original recipient in a header of their own.
  h.recipient = report_address(header(o, "X-HmXmrOriginalRecipient"));
  if (h.recipient.empty()) h.recipient = report_address(header(o, "To"));
  return h;
}

OriginalHeaders headers_of_text(std::string_view text) {
  FieldBlock block = parse_header_block(text);
  OriginalHeaders h;
  h.message_id = without_brackets(block.get("Message-ID"));
  h.return_path = report_address(block.get("Return-Path"));
  h.list_id = block.get("List-Id");
  h.feedback_id = block.get("Feedback-ID");
  h.recipient = report_address(block.get("X-HmXmrOriginalRecipient"));
  if (h.recipient.empty()) h.recipient = report_address(block.get("To"));
  return h;
}

// The first multipart/report in the message's MIME tree (not inside attached messages).
GMimeMultipart* find_report(GMimeObject* object, int depth) {
  if (object == nullptr || depth > kMaxDepth || !GMIME_IS_MULTIPART(object)) return nullptr;
  if (is_type(object, "multipart", "report")) return GMIME_MULTIPART(object);
  GMimeMultipart* multipart = GMIME_MULTIPART(object);
  int n = g_mime_multipart_get_count(multipart);
  for (int i = 0; i < n; ++i) {
    if (auto* found = find_report(g_mime_multipart_get_part(multipart, i), depth + 1)) {
      return found;
    }
  }
  return nullptr;
}

BounceSeverity classify(const RecipientReport& r) {
  char status_class = r.status.empty() ? '\0' : r.status.front();
  if (r.action == "delayed") return BounceSeverity::soft;
  if (r.action == "failed") {
    return status_class == '5' ? BounceSeverity::hard : BounceSeverity::soft;
  }
  if (r.action == "delivered" || r.action == "relayed" || r.action == "expanded") {
    return BounceSeverity::none;
  }
  // No Action, or one we do not know: only the status can say.
  if (status_class == '5') return BounceSeverity::hard;
  if (status_class == '4') return BounceSeverity::soft;
  return BounceSeverity::none;
}

RecipientReport recipient_of(const FieldBlock& block) {
  RecipientReport r;
  r.final_recipient = report_address(block.get("Final-Recipient"));
  r.original_recipient = report_address(block.get("Original-Recipient"));
  r.action = lower(trim_whitespace(block.get("Action")));
  if (auto space = r.action.find_first_of(" \t("); space != std::string::npos) {
    r.action.resize(space);  // "failed (bad destination mailbox)"
  }
  std::string diagnostic = block.get("Diagnostic-Code");
  std::string_view text = diagnostic;
  if (auto semi = text.find(';'); semi != std::string_view::npos) text = text.substr(semi + 1);
  r.diagnostic = std::string(trim_whitespace(text).substr(0, kMaxDiagnostic));
  auto status = enhanced_status(block.get("Status"));
  if (!status) status = status_from_diagnostic(diagnostic);
  r.status = status.value_or("");
  r.severity = classify(r);
  return r;
}

void read_delivery_status(InboundMessage& m, std::string_view text) {
  for (const auto& block : parse_field_blocks(text)) {
    // The first block is about the message (Reporting-MTA); recipient blocks name one.
    bool recipient = !block.get("Final-Recipient").empty() || !block.get("Action").empty();
    if (!recipient) continue;
    if (m.recipients.size() == kMaxRecipients) break;
    m.recipients.push_back(recipient_of(block));
  }
}

void read_feedback_report(InboundMessage& m, std::string_view text) {
  auto blocks = parse_field_blocks(text);
  if (blocks.empty()) return;
  const FieldBlock& b = blocks.front();
  m.feedback_type = lower(trim_whitespace(b.get("Feedback-Type")));
  m.original_rcpt_to = report_address(b.get("Original-Rcpt-To"));
  m.original_mail_from = report_address(b.get("Original-Mail-From"));
}

// Reads the parts of a multipart/report: the machine-readable part decides the kind, the
// returned message (or its header) gives the original headers.
void read_report(InboundMessage& m, GMimeMultipart* report) {
  bool have_original = false;
  int n = g_mime_multipart_get_count(report);
  for (int i = 0; i < n; ++i) {
    GMimeObject* part = g_mime_multipart_get_part(report, i);
    bool dsn = is_type(part, "message", "delivery-status") ||
               is_type(part, "message", "global-delivery-status");
    if (dsn && m.kind == InboundKind::other) {
      m.kind = InboundKind::delivery_status;
      read_delivery_status(m, part_text(part));
    } else if (is_type(part, "message", "feedback-report") && m.kind == InboundKind::other) {
      m.kind = InboundKind::feedback_report;
      read_feedback_report(m, part_text(part));
    } else if (GMIME_IS_MESSAGE_PART(part) && !have_original) {
      GMimeMessage* original = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
      if (original != nullptr) m.original = headers_of_message(original);
      have_original = original != nullptr;
    } else if ((is_type(part, "text", "rfc822-headers") ||
                is_type(part, "message", "global-headers")) &&
               !have_original) {
      m.original = headers_of_text(part_text(part));
      have_original = true;
    }
  }
  if (m.kind == InboundKind::feedback_report && m.original_rcpt_to.empty()) {
    m.original_rcpt_to = m.original.recipient;
  }
}

}  // namespace

std::string_view inbound_kind_name(InboundKind kind) {
  switch (kind) {
    case InboundKind::delivery_status:
      return "delivery_status";
    case InboundKind::feedback_report:
      return "feedback_report";
    case InboundKind::other:
      return "other";
  }
  return "other";
}

std::string_view severity_name(BounceSeverity severity) {
  switch (severity) {
    case BounceSeverity::none:
      return "none";
    case BounceSeverity::soft:
      return "soft";
    case BounceSeverity::hard:
      return "hard";
  }
  return "none";
}

BounceSeverity InboundMessage::severity() const {
  BounceSeverity worst = BounceSeverity::none;
  for (const auto& r : recipients) worst = std::max(worst, r.severity);
  return worst;
}

bool InboundMessage::is_complaint() const {
  if (kind != InboundKind::feedback_report) return false;
  return feedback_type == "abuse" || feedback_type == "fraud" || feedback_type == "virus" ||
         feedback_type == "other";
}

InboundMessage parse_inbound(std::string_view raw, std::string_view envelope_recipient) {
  init_gmime();
  InboundMessage m;
  if (auto a = report_address(envelope_recipient); !a.empty()) m.envelope_recipients = {a};
  raw = raw.substr(0, std::min(raw.size(), kMaxInboundBytes));
  if (too_many_parts(raw)) return m;

  Owned<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Owned<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  Owned<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) return m;

  m.envelope_recipients = envelope_recipients(message.get(), envelope_recipient);
  GMimeMultipart* report = find_report(g_mime_message_get_mime_part(message.get()), 0);
  if (report != nullptr) read_report(m, report);
  if (m.kind == InboundKind::other) {
    m.auto_reply = says_auto_reply(GMIME_OBJECT(message.get()));
    m.original = OriginalHeaders{};
  }
  return m;
}

}  // namespace sm::mail
