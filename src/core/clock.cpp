#include "core/clock.hpp"

#include <chrono>
#include <ctime>

namespace sm {

Millis SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() + offset_;
}

std::string format_utc(Millis when) {
  std::time_t secs = static_cast<std::time_t>(when / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

}  // namespace sm
