// parse_inbound on arbitrary bytes seeded with feedback reports (RFC 5965): no crash; a
// complaint is always a feedback report, feedback fields appear only in one, and every address
// it gives back is an address.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mail/inbound_message.hpp"

namespace {

bool address_or_empty(const std::string& a) { return a.empty() || a.find('@') != a.npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto m = sm::mail::parse_inbound(raw);
  bool report = m.kind == sm::mail::InboundKind::feedback_report;
  if (m.is_complaint() && !report) std::abort();
  if (!report && (!m.feedback_type.empty() || !m.original_rcpt_to.empty())) std::abort();
  if (m.kind == sm::mail::InboundKind::other && !m.original.message_id.empty()) std::abort();
  for (const auto* a : {&m.original_rcpt_to, &m.original_mail_from, &m.original.return_path,
                        &m.original.recipient}) {
    if (!address_or_empty(*a)) std::abort();
  }
  for (const auto& a : m.envelope_recipients) {
    if (a.find('@') == std::string::npos) std::abort();
  }
  if (m.original.message_id.find('<') != std::string::npos) std::abort();
  return 0;
}
