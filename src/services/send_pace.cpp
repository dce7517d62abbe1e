#include "services/send_pace.hpp"

#include <algorithm>
#include <cmath>

namespace sm::services {

SendPace::SendPace(double per_minute, std::size_t burst, TimePoint now)
    : per_minute_(per_minute),
      burst_(static_cast<double>(std::max<std::size_t>(burst, 1))),
      tokens_(burst_),
      last_(now) {}

void SendPace::refill(TimePoint now) {
  if (now <= last_) return;
  const double minutes = std::chrono::duration<double, std::ratio<60>>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + minutes * per_minute_);
  last_ = now;
}

std::size_t SendPace::take(std::size_t wanted, TimePoint now) {
  if (!limited()) return wanted;
  refill(now);
  const auto whole = static_cast<std::size_t>(std::floor(tokens_));
  const std::size_t granted = std::min(wanted, whole);
  tokens_ -= static_cast<double>(granted);
  return granted;
}

void SendPace::give_back(std::size_t unused) {
  if (!limited()) return;
  tokens_ = std::min(burst_, tokens_ + static_cast<double>(unused));
}

std::chrono::milliseconds SendPace::wait_for_one(TimePoint now) {
  if (!limited()) return std::chrono::milliseconds(0);
  refill(now);
  if (tokens_ >= 1) return std::chrono::milliseconds(0);
  const double minutes = (1 - tokens_) / per_minute_;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(minutes * 60'000)));
}

std::size_t pace_burst(double per_minute, std::size_t batch_size) {
  if (per_minute <= 0) return batch_size;
  const auto two_seconds = static_cast<std::size_t>(per_minute / 30);
  return std::clamp<std::size_t>(two_seconds, 1, std::max<std::size_t>(batch_size, 1));
}

}  // namespace sm::services
