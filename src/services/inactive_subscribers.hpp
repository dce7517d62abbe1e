// Deleting inactive subscribers: an account holder may choose that subscribers who show no
// sign of life for N months are deleted, so that a list does not keep people who stopped
// reading long ago (data minimisation, GDPR article 5(1)(c)). Off by default.
//
// Inactive for N months means: added more than N months ago, sent at least one campaign with
// tracking on in those months, and in them no open or click by a person (opens by mail
// proxies and link scanners do not count), no subscription created and none confirmed. The
// rule needs tracking: without it there is no activity to judge, so it can be chosen only
// while tracking is on, and it does nothing while tracking is off. N is at most six because
// named opens and clicks are themselves kept six months (services/event_retention.hpp).
// People whose browser asks not to be tracked open anonymously and so cannot show activity;
// the account's settings page says so.
//
// What is deleted goes as an erasure does (field values, subscriptions, consent records and
// deliveries by cascade) but leaves no suppression: the person did not object, and may sign
// up again. The account holder sees a count per day, never who.
//
// Thread-safe: the state lives in the database. The deletion runs as a maintenance job.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.hpp"
#include "services/app.hpp"

namespace sm::services {

constexpr int kMaxInactiveMonths = 6;

struct InactiveSetting {
  int months = 0;         // 0: off
  bool tracking = false;  // the rule is in force only while tracking is on
  bool in_force() const { return months > 0 && tracking; }
};

// not_found for an unknown account.
Result<InactiveSetting> inactive_setting(App& app, std::int64_t account_id);

// Sets the number of months, 0 to turn it off. Errors: field error "inactive_months" when
// not 0 to kMaxInactiveMonths, or when tracking is off and months is not 0.
Status set_inactive_months(App& app, std::int64_t account_id, int months);

// How many subscribers of the account the rule with `months` would delete now.
Result<std::int64_t> count_inactive(App& app, std::int64_t account_id, int months);

// The maintenance job: deletes the inactive subscribers of every account whose rule is in
// force; returns how many it deleted.
Result<std::int64_t> delete_inactive_subscribers(App& app);

struct InactiveDeletionDay {
  Millis day = 0;  // the UTC day's first millisecond
  std::int64_t deleted = 0;
};
// The newest days with deletions, newest first, at most `limit`.
Result<std::vector<InactiveDeletionDay>> recent_inactive_deletions(App& app,
                                                                   std::int64_t account_id,
                                                                   int limit);

}  // namespace sm::services
