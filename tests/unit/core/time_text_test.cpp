#include "core/time_text.hpp"

#include <gtest/gtest.h>

namespace sm {
namespace {

constexpr Millis kChristmas9 = 1798189200000;  // 2026-12-25T09:00:00Z

TEST(TimeText, Rfc3339WithZoneOrOffset) {
  EXPECT_EQ(parse_rfc3339("2026-12-25T09:00:00Z"), kChristmas9);
  EXPECT_EQ(parse_rfc3339("2026-12-25t09:00:00z"), kChristmas9);
  EXPECT_EQ(parse_rfc3339("2026-12-25 09:00:00Z"), kChristmas9);
  EXPECT_EQ(parse_rfc3339("2026-12-25T10:30:00+01:30"), kChristmas9);
  EXPECT_EQ(parse_rfc3339("2026-12-25T04:00:00-05:00"), kChristmas9);
  EXPECT_EQ(parse_rfc3339("2026-12-25T09:00:00.250Z"), kChristmas9 + 250);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2028-02-29T00:00:00Z"), 1835395200000);
}

TEST(TimeText, Rfc3339RefusesWhatIsNotOne) {
  for (const char* bad :
       {"", "tomorrow", "2026-12-25", "2026-12-25T09:00Z", "2026-12-25T09:00:00",
        "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-12-32T00:00:00Z",
        "2026-12-25T24:00:00Z", "2026-12-25T09:60:00Z", "2026-12-25T09:00:00+1:00",
        "2026-12-25T09:00:00Z trailing", "2026-12-25T09:00:00.Z", "+2026-12-25T09:00:00Z"}) {
    EXPECT_EQ(parse_rfc3339(bad), std::nullopt) << bad;
  }
}

TEST(TimeText, DatetimeLocalIsReadAsUtc) {
  EXPECT_EQ(parse_datetime_local("2026-12-25T09:00"), kChristmas9);
  EXPECT_EQ(parse_datetime_local("2026-12-25T09:00:30"), kChristmas9 + 30000);
  EXPECT_EQ(parse_datetime_local("2026-12-25T09:00Z"), std::nullopt);
  EXPECT_EQ(parse_datetime_local("soon"), std::nullopt);
  EXPECT_EQ(format_datetime_local(kChristmas9), "2026-12-25T09:00");
  EXPECT_EQ(format_rfc3339(kChristmas9 + 999), "2026-12-25T09:00:00Z");
  EXPECT_EQ(parse_rfc3339(format_rfc3339(kChristmas9)), kChristmas9);
}

}  // namespace
}  // namespace sm
