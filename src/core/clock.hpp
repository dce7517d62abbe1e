// Time, injected. Every rule that depends on time (link expiry, idle sessions, retention)
// reads it from a Clock, so tests move the clock instead of waiting.
//
// Thread-safe: now_ms() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace sm {

using Millis = std::int64_t;  // milliseconds since the Unix epoch, as stored in the database

constexpr Millis kSecond = 1000;
constexpr Millis kMinute = 60 * kSecond;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;

// The first millisecond of the UTC day holding `t` (t >= 0).
constexpr Millis start_of_day(Millis t) { return t - t % kDay; }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now_ms() const = 0;
};

// The real time, optionally shifted by a fixed offset (the `testing.clock_offset_ms` setting,
// which lets integration tests run the real binary "seven days later").
class SystemClock final : public Clock {
 public:
  explicit SystemClock(Millis offset = 0) : offset_(offset) {}
  Millis now_ms() const override;

 private:
  Millis offset_;
};

// A clock that only moves when told to; for unit tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start) : now_(start) {}
  Millis now_ms() const override { return now_.load(); }
  void advance(Millis by) { now_ += by; }
  void set(Millis to) { now_ = to; }

 private:
  std::atomic<Millis> now_;
};

// "2026-12-03 14:05 UTC", for pages and emails.
std::string format_utc(Millis when);

}  // namespace sm
