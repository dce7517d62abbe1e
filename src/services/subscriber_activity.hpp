// A subscriber's own named activity: the opens, clicks and outcomes recorded for their
// deliveries in the last six months (kEventRetention), newest first. Older activity is not
// shown even before the maintenance job deletes it, and anonymous events are never part of
// it (they name no one).
//
// Thread-safe: reads the database.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "services/app.hpp"

namespace sm::services {

constexpr std::int64_t kMaxActivityItems = 200;

struct ActivityItem {
  std::string kind;  // open, click, unsubscribe, bounce, complaint
  Millis at = 0;
  std::int64_t campaign_id = 0;
  std::string campaign_name;
  std::int64_t link_index = 0;  // for a click
  std::string url;              // for a click
  bool machine = false;         // a proxy or scanner, not the person
};

// An empty list for a subscriber of another account (their deliveries are not this account's).
Result<std::vector<ActivityItem>> subscriber_activity(App& app, std::int64_t account_id,
                                                      std::int64_t subscriber_id);

}  // namespace sm::services
