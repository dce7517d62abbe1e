// migrate(): applies each migration once, in order, all or nothing, and records it, also when
// several processes start at once.
#include <atomic>
#include <thread>

#include "store_fixture.hpp"

namespace sm::store {
namespace {

std::vector<Migration> two_migrations() {
  return {
      {"0001_widgets",
       "-- Widgets, the first table.\n"
       "CREATE TABLE widget (\n  id @ID@,\n  name TEXT NOT NULL\n);\n"
       "CREATE INDEX widget_name ON widget (name);\n"},
      {"0002_gadgets",
       "CREATE TABLE gadget (id @ID@, widget_id BIGINT REFERENCES widget (id));\n"
       "INSERT INTO widget (name) VALUES ('a; b');\n"},
  };
}

class Migrations : public StoreTest {};

TEST_P(Migrations, AppliesInOrderAndRecordsEachVersion) {
  auto r = db_->migrate(two_migrations());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, 2);

  Rows v = must("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].text(0), "0001_widgets");
  EXPECT_EQ(v[1].text(0), "0002_gadgets");
  EXPECT_GT(v[0].integer(1), 1'600'000'000);

  Rows w = must("SELECT id, name FROM widget");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w.front().text(1), "a; b") << "a ; inside a line does not split";
  must("INSERT INTO gadget (widget_id) VALUES ($1)", {w.front().integer(0)});
}

TEST_P(Migrations, IsIdempotent) {
  ASSERT_TRUE(db_->migrate(two_migrations()).ok());
  auto again = db_->migrate(two_migrations());
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(count("widget"), 1) << "the data migration ran once";
  EXPECT_EQ(count("schema_migrations"), 2);
}

TEST_P(Migrations, AppliesOnlyTheNewOnes) {
  auto all = two_migrations();
  ASSERT_TRUE(db_->migrate({all[0]}).ok());
  auto r = db_->migrate(all);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, 1);
}

TEST_P(Migrations, AFailingMigrationLeavesNoTraceAndStopsTheRest) {
  std::vector<Migration> list = {
      {"0001_ok", "CREATE TABLE fine (id @ID@);\n"},
      {"0002_broken", "CREATE TABLE half (id @ID@);\nCREATE TABLE nope (;\n"},
      {"0003_later", "CREATE TABLE later (id @ID@);\n"},
  };
  auto r = db_->migrate(list);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("0002_broken"), std::string::npos) << r.error().detail;

  Rows v = must("SELECT version FROM schema_migrations");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v.front().text(0), "0001_ok");
  EXPECT_EQ(refused("SELECT * FROM half").code, Errc::internal) << "DDL rolled back";
  EXPECT_EQ(refused("SELECT * FROM later").code, Errc::internal);
}

TEST_P(Migrations, NodesStartingTogetherApplyEachMigrationOnce) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<Database>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(open_database(2));
  std::atomic<int> applied{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (auto& node : nodes) {
    threads.emplace_back([&, db = node.get()] {
      auto r = db->migrate(two_migrations());
      if (r.ok()) {
        applied += *r;
      } else {
        ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(applied.load(), 2);
  EXPECT_EQ(count("widget"), 1);
}

TEST_P(Migrations, EmbeddedMigrationsApplyAndAreIdempotent) {
  auto first = db_->migrate();
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_EQ(*first, static_cast<int>(embedded_migrations().size()));
  auto second = db_->migrate();
  ASSERT_TRUE(second.ok()) << second.error().detail;
  EXPECT_EQ(*second, 0);
}

SM_INSTANTIATE_FOR_ENGINES(Migrations);

}  // namespace
}  // namespace sm::store
