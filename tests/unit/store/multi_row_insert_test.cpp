// The multi-row statement a one-row named query becomes.
#include "store/multi_row_insert.hpp"

#include <gtest/gtest.h>

namespace sm::store {
namespace {

TEST(MultiRowInsert, RepeatsTheTupleWithRenumberedPlaceholders) {
  auto sql = repeat_values("INSERT INTO t (a, b) VALUES ($1, $2)", 3);
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(*sql, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6)");
}

TEST(MultiRowInsert, KeepsWhatFollowsAndNestedParentheses) {
  auto sql = repeat_values(
      "INSERT INTO t SELECT v.column1 FROM (VALUES (CAST($1 AS BIGINT), '($9)')) AS v "
      "WHERE v.column1 > 0",
      2);
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(*sql,
            "INSERT INTO t SELECT v.column1 FROM (VALUES (CAST($1 AS BIGINT), '($9)'), "
            "(CAST($2 AS BIGINT), '($9)')) AS v WHERE v.column1 > 0");
}

TEST(MultiRowInsert, RefusesQueriesOfAnotherShape) {
  EXPECT_FALSE(repeat_values("DELETE FROM t WHERE a = $1", 2).ok());
  EXPECT_FALSE(repeat_values("INSERT INTO t VALUES ($1) RETURNING $2", 2).ok());
  EXPECT_FALSE(repeat_values("INSERT INTO t VALUES (1)", 2).ok());
  EXPECT_FALSE(repeat_values("INSERT INTO t VALUES ($1", 2).ok());
}

}  // namespace
}  // namespace sm::store
