// Opening, health checks, and what happens when the link to PostgreSQL breaks.
#include <cstdlib>
#include <pqxx/pqxx>

#include "store_fixture.hpp"

namespace sm::store {
namespace {

class Connections : public StoreTest {};

TEST_P(Connections, HealthyWhenTheDatabaseAnswers) { EXPECT_TRUE(db_->healthy()); }

TEST_P(Connections, ReportsItsEngine) {
  Engine want = GetParam() == sm::testing::TestEngine::sqlite ? Engine::sqlite : Engine::postgresql;
  EXPECT_EQ(db_->engine(), want);
  auto lease = db_->acquire();
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ((*lease)->engine(), want);
}

TEST_P(Connections, PoolHandsOutAtMostPoolSizeAndReusesReturnedOnes) {
  std::vector<Lease> held;
  for (int i = 0; i < kPoolSize; ++i) {
    auto lease = db_->acquire();
    ASSERT_TRUE(lease.ok()) << lease.error().detail;
    held.push_back(std::move(*lease));
  }
  Connection* first = &*held.front();
  held.erase(held.begin());
  auto again = db_->acquire();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(&**again, first) << "the returned connection is handed out again";
}

SM_INSTANTIATE_FOR_ENGINES(Connections);

TEST(SqliteOpen, CreatesMissingParentDirectories) {
  sm::testing::ScratchDir dir;
  auto path = dir.path() / "a" / "b" / "store.db";
  auto db = Database::open("sqlite:" + path.string(), 2);
  ASSERT_TRUE(db.ok()) << db.error().detail;
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE((*db)->healthy());
}

TEST(SqliteOpen, UsesWalAndForeignKeys) {
  sm::testing::ScratchDir dir;
  auto db = Database::open("sqlite:" + (dir.path() / "x.db").string(), 1);
  ASSERT_TRUE(db.ok()) << db.error().detail;
  auto lease = (*db)->acquire();
  ASSERT_TRUE(lease.ok());
  auto mode = (*lease)->run("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(mode->front().text(0), "wal");
  auto fk = (*lease)->run("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.ok());
  EXPECT_EQ(fk->front().integer(0), 1);
  auto sync = (*lease)->run("PRAGMA synchronous");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(sync->front().integer(0), 2) << "FULL";
}

TEST(DatabaseOpen, UnknownSchemeIsInvalidInputWithoutEchoingTheUrl) {
  auto db = Database::open("mysql://root:hunter2@localhost/x", 1);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, Errc::invalid_input);
  EXPECT_EQ(db.error().message.find("hunter2"), std::string::npos);
}

TEST(PostgresOpen, ServerThatDoesNotAnswerIsUnavailable) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  auto db = Database::open("postgresql://smartmessages@127.0.0.1:1/postgres", 1);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, Errc::unavailable);
  EXPECT_FALSE(db.error().detail.empty());
}

// The server ends every session of the test database, as a restart or failover would.
void terminate_sessions(const std::string& url) {
  pqxx::connection admin(sm::testing::postgres_server_url());
  pqxx::nontransaction tx(admin);
  std::string name = url.substr(url.rfind('/') + 1);
  tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name);
}

TEST(PostgresLostConnection, IsUnavailableThenTheConnectionIsReplaced) {
  sm::testing::ScratchDir dir;
  std::string url = sm::testing::fresh_database_url(sm::testing::TestEngine::postgresql, dir);
  auto opened = Database::open(url, 1);
  ASSERT_TRUE(opened.ok()) << opened.error().detail;
  Database& db = **opened;
  ASSERT_TRUE(db.healthy());

  terminate_sessions(url);
  {
    auto lease = db.acquire();
    ASSERT_TRUE(lease.ok());
    auto r = (*lease)->run("SELECT 1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::unavailable) << r.error().detail;
  }
  EXPECT_TRUE(db.healthy()) << "the broken connection was dropped and a new one opened";
}

TEST(PostgresLostConnection, HealthyIsFalseWhileSessionsAreCut) {
  sm::testing::ScratchDir dir;
  std::string url = sm::testing::fresh_database_url(sm::testing::TestEngine::postgresql, dir);
  auto opened = Database::open(url, 1);
  ASSERT_TRUE(opened.ok()) << opened.error().detail;
  terminate_sessions(url);
  EXPECT_FALSE((*opened)->healthy()) << "the pooled connection was cut";
}

}  // namespace
}  // namespace sm::store
