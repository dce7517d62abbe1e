// The security audit: sign-ins, failed sign-ins, resets, 2FA and team changes, with time, IP
// address and user agent. Shown to the account holder as "recent sign-ins"; kept in its own
// table with its own retention, never written to application logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/app.hpp"

namespace sm::services {

struct AuditEvent {
  std::int64_t id = 0;
  std::optional<std::int64_t> user_id;
  std::string kind;
  std::string ip_address;
  std::string user_agent;
  Millis created_at = 0;
};

// Writes one audit row. Failure to audit is logged but does not fail the user's action.
void audit(App& app, store::Connection& c, std::optional<std::int64_t> account_id,
           std::optional<std::int64_t> user_id, std::string_view kind, const Requester& who);
void audit(App& app, std::optional<std::int64_t> account_id, std::optional<std::int64_t> user_id,
           std::string_view kind, const Requester& who);

// The newest events of an account, newest first.
Result<std::vector<AuditEvent>> recent_audit_events(App& app, std::int64_t account_id, int limit);

// How many events of `kind` an account had since `since`; for the failed sign-in limit.
Result<std::int64_t> count_audit_events(App& app, std::int64_t account_id, std::string_view kind,
                                        Millis since);

}  // namespace sm::services
