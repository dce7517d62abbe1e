// Counts attempts per key in a sliding window, in memory. Used to throttle sign-in and other
// abuse-prone forms per IP address; keys are hashes, so no address is held in clear.
//
// Thread-safe. Process-local: with several serve nodes each keeps its own counts, which only
// loosens the limit by the number of nodes.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace sm::services {

class RateLimiter {
 public:
  RateLimiter(int max_events, Millis window) : max_(max_events), window_(window) {}

  // Records an attempt for `key` at `now`; false when the key is over its limit (the attempt
  // is then not counted, so a blocked client does not extend its own block).
  bool allow(const std::string& key, Millis now);
  // True when the key is over its limit, without recording anything.
  bool blocked(const std::string& key, Millis now);

 private:
  void prune(std::deque<Millis>& times, Millis now) const;

  int max_;
  Millis window_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Millis>> events_;
};

}  // namespace sm::services
