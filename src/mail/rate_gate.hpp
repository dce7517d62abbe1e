// Paces message starts to at most a given number per second: the per-relay sending rate.
//
// The gate hands out one start every 1/rate seconds. A start that comes a little later than
// its slot (the sending loop was busy for up to the longer of one interval and 20 ms) keeps to
// the schedule, so the next starts catch up and a busy loop still reaches the rate; a start
// later than that begins a new schedule, so time spent idle earns no burst. In any span of t
// seconds at most rate * (t + 0.02) + 2 messages start.
//
// Time is passed in, so the gate is tested without sleeping; the sender uses steady_clock,
// since a relay's limit is about real elapsed time, not the application's clock.
//
// Not thread-safe: one sending loop owns it.
#pragma once

#include <chrono>

namespace sm::mail {

class RateGate {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `per_second` <= 0 means no limit.
  explicit RateGate(double per_second);

  bool limited() const { return interval_.count() > 0; }

  // True when a message may start at `now`, and counts it; false when it must wait.
  bool try_take(TimePoint now);

  // When the next start will be allowed; any time at or before now when it already is.
  TimePoint next_start() const { return next_; }

 private:
  std::chrono::nanoseconds interval_{0};
  std::chrono::nanoseconds catch_up_{0};
  TimePoint next_{};
};

}  // namespace sm::mail
