#include "mail/rate_gate.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace sm::mail {
namespace {

using namespace std::chrono_literals;
using TimePoint = RateGate::TimePoint;

// How many starts the gate allows when asked every `step` over `span`, from `begin`.
int starts_over(RateGate& gate, TimePoint begin, std::chrono::nanoseconds span,
                std::chrono::nanoseconds step) {
  int starts = 0;
  for (auto t = begin; t < begin + span; t += step) {
    while (gate.try_take(t)) ++starts;
  }
  return starts;
}

TEST(RateGate, NoRateIsNoLimit) {
  RateGate gate(0);
  EXPECT_FALSE(gate.limited());
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(gate.try_take(TimePoint{}));
}

TEST(RateGate, SpacesStartsByTheInterval) {
  RateGate gate(10);  // one every 100 ms
  const TimePoint t0 = TimePoint{} + 1h;
  EXPECT_TRUE(gate.try_take(t0));
  EXPECT_FALSE(gate.try_take(t0 + 50ms));
  EXPECT_TRUE(gate.try_take(t0 + 100ms));
  EXPECT_FALSE(gate.try_take(t0 + 150ms));
  EXPECT_EQ(gate.next_start(), t0 + 200ms);
}

TEST(RateGate, HoldsTheRateWhenAskedOftenOrSeldom) {
  const TimePoint t0 = TimePoint{} + 1h;
  for (auto step : {1ms, 7ms, 30ms, 45ms}) {
    RateGate gate(20);
    const int starts = starts_over(gate, t0, 10s, step);
    // 20 a second for 10 s, whether the loop asks on time or a little late.
    EXPECT_GE(starts, 195) << "step " << step.count();
    EXPECT_LE(starts, 201) << "step " << step.count();
  }
}

TEST(RateGate, ALateLoopCatchesUp) {
  RateGate gate(100);  // one every 10 ms
  const TimePoint t0 = TimePoint{} + 1h;
  EXPECT_TRUE(gate.try_take(t0));
  // Back 25 ms later: the slots at 10 and 20 ms are still owed, the one at 30 ms is not.
  EXPECT_TRUE(gate.try_take(t0 + 25ms));
  EXPECT_TRUE(gate.try_take(t0 + 25ms));
  EXPECT_FALSE(gate.try_take(t0 + 25ms));
  EXPECT_TRUE(gate.try_take(t0 + 30ms));
}

TEST(RateGate, AnIdleSpellBuildsNoBurst) {
  RateGate gate(5);
  const TimePoint t0 = TimePoint{} + 1h;
  EXPECT_TRUE(gate.try_take(t0));
  // A minute of silence, then everyone at once: one goes, the next an interval later.
  int burst = 0;
  while (gate.try_take(t0 + 60s)) ++burst;
  EXPECT_EQ(burst, 1);
  EXPECT_FALSE(gate.try_take(t0 + 60s + 100ms));
  EXPECT_TRUE(gate.try_take(t0 + 60s + 200ms));
}

}  // namespace
}  // namespace sm::mail
