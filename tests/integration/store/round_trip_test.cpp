// Values written come back unchanged on both engines: NULL, int64 extremes, doubles, UTF-8.
#include <cstdint>
#include <limits>

#include "store_fixture.hpp"

namespace sm::store {
namespace {

class RoundTrip : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    must(ddl("CREATE TABLE item (id @ID@, n BIGINT, x DOUBLE PRECISION, s TEXT)"));
  }

  // Inserts one row and reads it back by the id RETURNING gave.
  Row insert_and_read(const Value& n, const Value& x, const Value& s) {
    Rows ins = must("INSERT INTO item (n, x, s) VALUES ($1, $2, $3) RETURNING id", {n, x, s});
    EXPECT_EQ(ins.size(), 1u);
    EXPECT_EQ(ins.affected, 1);
    if (ins.empty()) return Row(std::vector<std::optional<std::string>>{});
    Rows got = must("SELECT n, x, s FROM item WHERE id = $1", {ins.front().integer(0)});
    EXPECT_EQ(got.size(), 1u);
    return got.empty() ? Row(std::vector<std::optional<std::string>>{}) : got.front();
  }
};

TEST_P(RoundTrip, NullsComeBackAsNull) {
  Row r = insert_and_read(Null{}, Null{}, Null{});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r.is_null(0));
  EXPECT_TRUE(r.is_null(1));
  EXPECT_TRUE(r.is_null(2));
  EXPECT_EQ(r.optional_integer(0), std::nullopt);
  EXPECT_EQ(r.optional_text(2), std::nullopt);
  EXPECT_EQ(r.integer(0), 0);
  EXPECT_EQ(r.text(2), "");
}

TEST_P(RoundTrip, EmptyTextIsNotNull) {
  Row r = insert_and_read(std::int64_t{0}, 0.0, std::string());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_FALSE(r.is_null(2));
  EXPECT_EQ(r.optional_text(2), std::string());
}

TEST_P(RoundTrip, Int64ExtremesSurvive) {
  for (std::int64_t v :
       {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
        std::int64_t{-1}, std::int64_t{0}}) {
    Row r = insert_and_read(v, Null{}, Null{});
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r.integer(0), v);
    EXPECT_EQ(r.optional_integer(0), v);
  }
}

TEST_P(RoundTrip, DoublesSurvive) {
  Row r = insert_and_read(Null{}, 0.1, Null{});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_DOUBLE_EQ(std::stod(r.text(1)), 0.1);
}

TEST_P(RoundTrip, Utf8TextSurvivesByteForByte) {
  const std::string text = "Zoë — 東京 🚀 \"quoted\" 'single' \\ back";
  Row r = insert_and_read(Null{}, Null{}, text);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.text(2), text);
}

TEST_P(RoundTrip, AutoNumberedIdsIncrease) {
  Rows a = must("INSERT INTO item (n) VALUES (1) RETURNING id");
  Rows b = must("INSERT INTO item (n) VALUES (2) RETURNING id");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_GT(b.front().integer(0), a.front().integer(0));
}

TEST_P(RoundTrip, AffectedCountsChangedRowsOnly) {
  must("INSERT INTO item (n) VALUES (1)");
  must("INSERT INTO item (n) VALUES (1)");
  must("INSERT INTO item (n) VALUES (2)");
  EXPECT_EQ(must("UPDATE item SET s = 'x' WHERE n = $1", {std::int64_t{1}}).affected, 2);
  EXPECT_EQ(must("DELETE FROM item WHERE n = $1", {std::int64_t{9}}).affected, 0);
  Rows sel = must("SELECT id FROM item");
  EXPECT_EQ(sel.size(), 3u);
  EXPECT_EQ(sel.affected, 0);
}

TEST_P(RoundTrip, PlaceholderInsideStringLiteralIsLeftAlone) {
  Rows r = must("SELECT '$1 off', $1 || ' on'", {std::string("price")});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.front().text(0), "$1 off");
  EXPECT_EQ(r.front().text(1), "price on");
}

TEST_P(RoundTrip, PlaceholdersMayRepeatAndComeInAnyOrder) {
  Rows r = must("SELECT $2 || $1 || $2", {std::string("a"), std::string("b")});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.front().text(0), "bab");
}

TEST_P(RoundTrip, WrongParameterCountIsRefused) {
  Error e = refused("SELECT n FROM item WHERE n = $1", {std::int64_t{1}, std::int64_t{2}});
  EXPECT_EQ(e.code, Errc::internal) << e.detail;
  EXPECT_FALSE(e.detail.empty());
}

TEST_P(RoundTrip, TwoStatementsInOneCallAreRefused) {
  Error e = refused("INSERT INTO item (n) VALUES ($1); DELETE FROM item", {std::int64_t{1}});
  EXPECT_EQ(e.code, Errc::internal);
  EXPECT_EQ(count("item"), 0);
}

TEST_P(RoundTrip, BadSqlIsInternalWithEngineTextInDetailOnly) {
  Error e = refused("SELEC 1");
  EXPECT_EQ(e.code, Errc::internal);
  EXPECT_EQ(e.constraint, Constraint::none);
  EXPECT_FALSE(e.detail.empty());
  EXPECT_EQ(e.message.find("SELEC"), std::string::npos);
}

SM_INSTANTIATE_FOR_ENGINES(RoundTrip);

}  // namespace
}  // namespace sm::store
