// Fuzzes parse_email_address: it must never crash, and every address it accepts must parse
// again, from each of its three forms, to the same normalized form (so stored addresses stay
// stable and comparisons never depend on which form was kept).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/email_address.hpp"

namespace {

void require_same_mailbox(const sm::EmailAddress& first, const std::string& form) {
  auto again = sm::parse_email_address(form);
  if (!again.ok() || again->normalized() != first.normalized()) std::abort();
  if (again->ascii().size() > sm::kMaxEmailAddressOctets) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto address = sm::parse_email_address(input);
  if (!address.ok()) {
    if (address.error().message.empty() || address.error().field != "email") std::abort();
    return 0;
  }
  require_same_mailbox(*address, address->display());
  require_same_mailbox(*address, address->ascii());
  require_same_mailbox(*address, address->normalized());
  return 0;
}
