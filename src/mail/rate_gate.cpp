#include "mail/rate_gate.hpp"

#include <algorithm>

namespace sm::mail {
namespace {

// How late a start may come and still keep to the schedule (see the header).
constexpr std::chrono::nanoseconds kCatchUp = std::chrono::milliseconds(20);

}  // namespace

RateGate::RateGate(double per_second) {
  if (per_second > 0) {
    interval_ = std::chrono::nanoseconds(static_cast<long long>(1e9 / per_second));
    // Rates above a billion a second are no limit at all.
    interval_ = std::max(interval_, std::chrono::nanoseconds(1));
    catch_up_ = std::max(interval_, kCatchUp);
  }
}

bool RateGate::try_take(TimePoint now) {
  if (!limited()) return true;
  if (now < next_) return false;

  // A little late (the loop was busy): keep to the schedule, so the next starts catch up.
  // Later than that (nothing was waiting): a new schedule from now, with no credit.
  next_ = now - next_ <= catch_up_ ? next_ + interval_ : now + interval_;
  return true;
}

}  // namespace sm::mail
