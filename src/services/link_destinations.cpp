#include "services/link_destinations.hpp"

namespace sm::services {
namespace {

Result<std::vector<std::string>> load(App& app, std::int64_t account_id, std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "tracking.campaign_links", {account_id, campaign_id});
  if (!r.ok()) return r.take_error();
  std::vector<std::string> urls;
  for (const auto& row : r->rows) {
    // Indices are 1..n without gaps (stored together); a gap would be a bug, so stop there.
    if (row.integer(0) != static_cast<std::int64_t>(urls.size()) + 1) break;
    urls.push_back(row.text(1));
  }
  return urls;
}

std::optional<std::string> pick(const std::vector<std::string>& urls, std::int64_t index) {
  if (index < 1 || static_cast<std::size_t>(index) > urls.size()) return std::nullopt;
  return urls[static_cast<std::size_t>(index) - 1];
}

}  // namespace

Result<std::optional<std::string>> LinkDestinations::find(App& app, const TrackingTarget& t) {
  Key key{t.account_id, t.campaign_id};
  Millis now = app.now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now - it->second.loaded_at < kCacheLife) {
      return pick(it->second.urls, t.link_index);
    }
  }

  auto urls = load(app, t.account_id, t.campaign_id);
  if (!urls.ok()) return urls.take_error();
  std::optional<std::string> found = pick(*urls, t.link_index);
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCampaigns) cache_.clear();
  cache_[key] = Entry{now, std::move(*urls)};
  return found;
}

}  // namespace sm::services
