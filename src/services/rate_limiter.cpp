#include "services/rate_limiter.hpp"

namespace sm::services {

void RateLimiter::prune(std::deque<Millis>& times, Millis now) const {
  while (!times.empty() && times.front() <= now - window_) times.pop_front();
}

bool RateLimiter::allow(const std::string& key, Millis now) {
  std::lock_guard lock(mu_);
  // Keep the table from growing without bound under a flood of distinct keys.
  if (events_.size() > 100000) events_.clear();
  auto& times = events_[key];
  prune(times, now);
  if (static_cast<int>(times.size()) >= max_) return false;
  times.push_back(now);
  return true;
}

bool RateLimiter::blocked(const std::string& key, Millis now) {
  std::lock_guard lock(mu_);
  auto it = events_.find(key);
  if (it == events_.end()) return false;
  prune(it->second, now);
  return static_cast<int>(it->second.size()) >= max_;
}

}  // namespace sm::services
