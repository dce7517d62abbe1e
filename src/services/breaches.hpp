// The breach register: the operator's record of personal data breaches that GDPR Article 33(5)
// asks a processor to keep (what happened, when it was found, what data, which account
// holders), and the notices that tell each affected account holder at once.
//
// Operator data: no account can see it. The register is kept; no retention job removes it.
//
// Thread-safe: every function may be called from any thread; state lives in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/app.hpp"

namespace sm::services {

struct BreachReport {
  std::string summary;             // what happened
  std::optional<Millis> found_at;  // when it was found; now when not given
  std::string data_affected;       // what personal data; may be unknown yet
  std::vector<std::int64_t> accounts;
  bool all_accounts = false;  // every account of the installation instead
};

struct BreachAccount {
  std::int64_t account_id = 0;
  std::string organisation;  // as it was when the breach was recorded
  std::optional<Millis> notified_at;
  std::string notified_to;   // the contact address the notice went to
  std::string notify_error;  // why the last attempt failed
};

struct Breach {
  std::int64_t id = 0;
  std::string summary;
  std::string data_affected;
  Millis found_at = 0;
  Millis recorded_at = 0;
  bool all_accounts = false;
  std::vector<BreachAccount> accounts;

  std::size_t notified_count() const;
};

// Records a breach; returns its id. Errors name the field ("summary", "found_at",
// "accounts"): an empty summary, a time in the future, an account that does not exist, or
// no account at all.
Result<std::int64_t> record_breach(App& app, const BreachReport& report);

Result<Breach> find_breach(App& app, std::int64_t breach_id);

// The whole register, newest first, with the accounts of each.
Result<std::vector<Breach>> list_breaches(App& app);

struct NotifyOutcome {
  int sent = 0;
  int already = 0;  // notified before; not sent again
  int failed = 0;   // the reason is kept on the account's row; run notify again
};

// Emails the notice (templates/emails/breach_notice) to the contact address of each affected
// account not yet notified, now, and records when and to whom.
Result<NotifyOutcome> notify_breach(App& app, std::int64_t breach_id);

}  // namespace sm::services
