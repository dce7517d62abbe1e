#include <gtest/gtest.h>

#include <limits>

#include "store/database.hpp"

namespace sm::store {
namespace {

Row row(std::vector<std::optional<std::string>> cells) { return Row(std::move(cells)); }

TEST(Row, ReadsTextAndIntegers) {
  Row r = row({"hello", "-42", "9223372036854775807"});
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.text(0), "hello");
  EXPECT_EQ(r.integer(1), -42);
  EXPECT_EQ(r.integer(2), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(r.optional_integer(1), -42);
}

TEST(Row, NullReadsAsEmptyOrZeroOrNothing) {
  Row r = row({std::nullopt});
  EXPECT_TRUE(r.is_null(0));
  EXPECT_EQ(r.text(0), "");
  EXPECT_EQ(r.integer(0), 0);
  EXPECT_EQ(r.optional_integer(0), std::nullopt);
  EXPECT_EQ(r.optional_text(0), std::nullopt);
}

TEST(Row, NumericWithFractionIsTruncated) {
  // PostgreSQL's SUM() and AVG() answer in numeric.
  EXPECT_EQ(row({"12.0000"}).integer(0), 12);
  EXPECT_EQ(row({"-3.75"}).integer(0), -3);
}

TEST(Row, OutOfRangeColumnThrows) { EXPECT_THROW((void)row({"x"}).text(1), std::out_of_range); }

TEST(RowDeathTest, NonIntegerTextIsABug) {
  EXPECT_DEATH((void)row({"someone@example.com"}).integer(0), "column 0 is not an integer");
}

}  // namespace
}  // namespace sm::store
