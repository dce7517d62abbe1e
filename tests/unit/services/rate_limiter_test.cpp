#include "services/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace sm::services {
namespace {

TEST(RateLimiter, RefusesPastTheLimitWithinTheWindow) {
  RateLimiter limiter(3, kMinute);
  EXPECT_TRUE(limiter.allow("ip", 0));
  EXPECT_TRUE(limiter.allow("ip", 1));
  EXPECT_TRUE(limiter.allow("ip", 2));
  EXPECT_FALSE(limiter.allow("ip", 3));
  EXPECT_TRUE(limiter.blocked("ip", 3));
  EXPECT_TRUE(limiter.allow("other", 3)) << "keys are counted apart";
}

TEST(RateLimiter, WindowSlides) {
  RateLimiter limiter(2, kMinute);
  EXPECT_TRUE(limiter.allow("k", 0));
  EXPECT_TRUE(limiter.allow("k", 30 * kSecond));
  EXPECT_FALSE(limiter.allow("k", 59 * kSecond));
  EXPECT_TRUE(limiter.allow("k", kMinute + 1)) << "the first attempt left the window";
  EXPECT_FALSE(limiter.blocked("fresh", 0));
}

}  // namespace
}  // namespace sm::services
