#include <gtest/gtest.h>

#include "store/migrations.hpp"

namespace sm::store {
namespace {

using Statements = std::vector<std::string>;

TEST(SplitStatements, SplitsOnSemicolonAtLineEnd) {
  EXPECT_EQ(split_statements("CREATE TABLE a (x INT);\nCREATE TABLE b (\n  y INT\n);\n"),
            (Statements{"CREATE TABLE a (x INT)", "CREATE TABLE b (\n  y INT\n)"}));
}

TEST(SplitStatements, SemicolonInsideALineDoesNotSplit) {
  EXPECT_EQ(split_statements("INSERT INTO t VALUES ('a; b');\n"),
            (Statements{"INSERT INTO t VALUES ('a; b')"}));
}

TEST(SplitStatements, TrailingBlanksAndCarriageReturnsAreFine) {
  EXPECT_EQ(split_statements("SELECT 1;  \r\nSELECT 2;\t\n"), (Statements{"SELECT 1", "SELECT 2"}));
}

TEST(SplitStatements, KeepsALastStatementWithoutSemicolon) {
  EXPECT_EQ(split_statements("SELECT 1;\nSELECT 2"), (Statements{"SELECT 1", "SELECT 2"}));
}

TEST(SplitStatements, DropsCommentOnlyPieces) {
  EXPECT_EQ(split_statements("-- header\n\n-- about a\nCREATE TABLE a (x INT);\n-- trailer\n"),
            (Statements{"-- header\n\n-- about a\nCREATE TABLE a (x INT)"}));
  EXPECT_TRUE(split_statements("-- nothing\n\n").empty());
}

}  // namespace
}  // namespace sm::store
