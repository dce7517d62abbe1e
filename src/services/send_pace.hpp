// Paces one campaign to its messages-per-minute limit (campaigns.rate_per_minute), as a
// token bucket: tokens come at the rate and at most `burst` wait, so in any span of t
// minutes at most rate * t + burst deliveries start. A worker asks how many it may claim
// before claiming, so nothing it holds in flight is waiting for the rate.
//
// Time is passed in (the worker uses steady_clock: a limit is about real elapsed time, not
// the application's clock), so the pace is tested without sleeping.
//
// Not thread-safe: one worker loop owns it.
#pragma once

#include <chrono>
#include <cstddef>

namespace sm::services {

class SendPace {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `per_minute` <= 0: no limit. The bucket starts full.
  SendPace(double per_minute, std::size_t burst, TimePoint now);

  bool limited() const { return per_minute_ > 0; }
  double per_minute() const { return per_minute_; }

  // How many of `wanted` may start at `now`; they are counted as started.
  std::size_t take(std::size_t wanted, TimePoint now);

  // Returns tokens taken but not used (fewer deliveries were due than allowed).
  void give_back(std::size_t unused);

  // How long from `now` until one more may start (zero when one may now).
  std::chrono::milliseconds wait_for_one(TimePoint now);

 private:
  void refill(TimePoint now);

  double per_minute_;
  double burst_;
  double tokens_;
  TimePoint last_;
};

// The burst a campaign limited to `per_minute` gets: two seconds' worth, at least one and at
// most one batch.
std::size_t pace_burst(double per_minute, std::size_t batch_size);

}  // namespace sm::services
