// Suppressions: addresses an account must never add back, because their owner unsubscribed
// (or, later, bounced or complained). Kept as an HMAC of the normalised address under the
// installation key, so the suppression list does not itself hold addresses. Only the owner of
// the address lifts a suppression, by subscribing again through a form and confirming.
//
// Hash lists (SHA-256 of the lowercased address, one per line) carry suppressions between
// providers; an imported entry is kept as that SHA-256, the only thing such a list gives.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>

#include "core/email_address.hpp"
#include "services/app.hpp"
#include "store/database.hpp"

namespace sm::services {

enum class SuppressionReason { unsubscribed, imported, bounced, complained };

// Hex HMAC-SHA-256 of address.normalized() under the installation's HMAC key.
std::string suppression_hmac(const App& app, const EmailAddress& address);
// Hex SHA-256 of address.normalized(), the form hash lists use.
std::string suppression_sha256(const EmailAddress& address);

// True when the account suppresses the address. When it does, the attempt is counted on the
// suppression (an attempt to add it back), inside the caller's transaction.
Result<bool> check_suppressed(App& app, store::Connection& c, std::int64_t account_id,
                              const EmailAddress& address);

// Adds the address to the account's suppressions; already suppressed is fine.
Status suppress(App& app, store::Connection& c, std::int64_t account_id,
                const EmailAddress& address, SuppressionReason reason);

// The owner confirmed a new subscription through a form: the suppression goes.
Status lift_suppression(App& app, store::Connection& c, std::int64_t account_id,
                        const EmailAddress& address);

struct SuppressionSummary {
  std::int64_t entries = 0;
  std::int64_t refused_attempts = 0;
};
Result<SuppressionSummary> suppression_summary(App& app, std::int64_t account_id);

// Writes the account's suppressions as a hash list: SHA-256 of the lowercased address, one
// per line. Entries whose address is no longer held (only the HMAC is left) cannot be turned
// into SHA-256 and are counted in the returned number of entries left out.
Result<std::int64_t> export_suppression_hashes(App& app, std::int64_t account_id,
                                               std::ostream& out);

struct HashImportReport {
  std::int64_t added = 0;
  std::int64_t already = 0;
  std::int64_t invalid_lines = 0;
};
// Reads a hash list (64 hex digits per line, blank lines ignored) into the suppressions.
Result<HashImportReport> import_suppression_hashes(App& app, std::int64_t account_id,
                                                   std::istream& in);

}  // namespace sm::services
