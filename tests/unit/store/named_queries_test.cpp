#include "store/named_queries.hpp"

#include <gtest/gtest.h>

#include "core/assets.hpp"
#include "store/database.hpp"

namespace sm::store {
namespace {

TEST(ParseQueryFile, ReadsBlocksWithIntentAndStripsTheSemicolon) {
  auto r = parse_query_file(
      "-- Queries about widgets.\n"
      "\n"
      "-- name: insert\n"
      "-- Adds a widget and returns its id.\n"
      "INSERT INTO widget (name)\n"
      "VALUES ($1) RETURNING id;\n"
      "\n"
      "-- name: by_id\n"
      "-- Finds one widget;\n"
      "-- the account check is the caller's.\n"
      "SELECT id, name FROM widget WHERE id = $1\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "insert");
  EXPECT_EQ((*r)[0].intent, "Adds a widget and returns its id.");
  EXPECT_EQ((*r)[0].sql, "INSERT INTO widget (name)\nVALUES ($1) RETURNING id");
  EXPECT_EQ((*r)[1].name, "by_id");
  EXPECT_EQ((*r)[1].intent, "Finds one widget; the account check is the caller's.");
  EXPECT_EQ((*r)[1].sql, "SELECT id, name FROM widget WHERE id = $1");
}

TEST(ParseQueryFile, KeepsCommentsInsideTheSql) {
  auto r = parse_query_file("-- name: q\n-- Why.\nSELECT 1\n-- because\nFROM t;\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->front().sql, "SELECT 1\n-- because\nFROM t");
}

void expect_error(std::string_view text, std::string_view fragment) {
  auto r = parse_query_file(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
}

TEST(ParseQueryFile, RefusesSqlBeforeTheFirstName) {
  expect_error("SELECT 1;\n-- name: q\n-- Why.\nSELECT 2;\n", "line 1");
}

TEST(ParseQueryFile, RefusesABlockWithoutIntent) {
  expect_error("-- name: q\nSELECT 1;\n", "no intent");
}

TEST(ParseQueryFile, RefusesABlockWithoutSql) {
  expect_error("-- name: q\n-- Why.\n\n-- name: r\n-- Why.\nSELECT 1;\n", "no SQL");
}

TEST(ParseQueryFile, RefusesARepeatedName) {
  expect_error("-- name: q\n-- Why.\nSELECT 1;\n-- name: q\n-- Again.\nSELECT 2;\n", "line 4");
}

TEST(ParseQueryFile, RefusesABadName) {
  expect_error("-- name: Select-All\n-- Why.\nSELECT 1;\n", "name");
}

// query_text() aborts on the first use if any of these is malformed, so check them here.
TEST(EmbeddedQueryFiles, AllParse) {
  for (const auto& asset : assets::under("sql/queries/")) {
    auto r = parse_query_file(asset.content);
    EXPECT_TRUE(r.ok()) << asset.path << ": " << (r.ok() ? "" : r.error().message);
  }
}

TEST(EmbeddedQueryFiles, EveryQueryIsReachableByName) {
  for (const auto& asset : assets::under("sql/queries/")) {
    auto r = parse_query_file(asset.content);
    if (!r.ok()) continue;
    std::string resource(asset.path.substr(12, asset.path.size() - 12 - 4));
    for (const auto& q : *r) EXPECT_EQ(query_text(resource + "." + q.name), q.sql);
  }
}

TEST(QueryTextDeathTest, UnknownNameAbortsNamingIt) {
  EXPECT_DEATH((void)query_text("nosuch.query"), "nosuch\\.query");
}

}  // namespace
}  // namespace sm::store
