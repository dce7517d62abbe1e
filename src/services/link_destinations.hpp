// Where a click token leads: the destination stored for that link of that campaign when the
// campaign was compiled for sending, and nowhere else. Kept in memory for a minute per
// campaign, so a burst of clicks on a newsletter costs one query, not one per click.
//
// Thread-safe: one mutex guards the cache; the query runs outside it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/app.hpp"
#include "services/tracking_token.hpp"

namespace sm::services {

class LinkDestinations {
 public:
  static constexpr Millis kCacheLife = kMinute;
  static constexpr std::size_t kMaxCampaigns = 10000;

  // The destination of a click target, or nullopt when the campaign has no such link (or is
  // not the target's account's). Errors only when the database cannot answer.
  Result<std::optional<std::string>> find(App& app, const TrackingTarget& target);

 private:
  struct Entry {
    Millis loaded_at = 0;
    std::vector<std::string> urls;  // by link index - 1
  };
  using Key = std::pair<std::int64_t, std::int64_t>;  // account, campaign

  std::mutex mu_;
  std::map<Key, Entry> cache_;  // guarded by mu_
};

}  // namespace sm::services
