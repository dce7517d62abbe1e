// parse_inbound on arbitrary bytes seeded with delivery status notifications (and mail that is
// none): no crash, and what it returns keeps its promises: recipients only in a DSN, at most
// kMaxRecipients of them, statuses that are enhanced status codes, diagnostics within their
// limit, severities that follow from action and status. The field-block reader the DSN part
// goes through sees the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mail/inbound_message.hpp"
#include "mail/report_fields.hpp"

namespace {

using sm::mail::BounceSeverity;

void check_recipient(const sm::mail::RecipientReport& r) {
  if (r.diagnostic.size() > sm::mail::kMaxDiagnostic) std::abort();
  if (!r.status.empty() && sm::mail::enhanced_status(r.status) != r.status) std::abort();
  if (!r.final_recipient.empty() && r.final_recipient.find('@') == std::string::npos) {
    std::abort();
  }
  // A hard bounce always has a permanent status; a success never bounces.
  if (r.severity == BounceSeverity::hard && !r.status.starts_with('5')) std::abort();
  if ((r.action == "delivered" || r.action == "relayed") && r.severity != BounceSeverity::none) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto m = sm::mail::parse_inbound(raw, "bounces+1042.aG7kLq2ZpX@bounces.example.org");
  if (m.kind != sm::mail::InboundKind::delivery_status && !m.recipients.empty()) std::abort();
  if (m.recipients.size() > sm::mail::kMaxRecipients) std::abort();
  for (const auto& r : m.recipients) check_recipient(r);
  if (m.envelope_recipients.empty()) std::abort();  // the given address is always first
  for (const auto& a : m.envelope_recipients) {
    if (a.find('@') == std::string::npos) std::abort();
  }

  auto blocks = sm::mail::parse_field_blocks(raw);
  if (blocks.size() > sm::mail::kMaxFieldBlocks) std::abort();
  for (const auto& b : blocks) {
    if (b.empty() || b.fields().size() > sm::mail::kMaxFieldsPerBlock) std::abort();
    for (const auto& f : b.fields()) {
      if (f.name.empty() || f.name.find(':') != std::string::npos) std::abort();
    }
  }
  return 0;
}
