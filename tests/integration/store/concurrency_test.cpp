// Many threads writing through one Database all succeed: SQLite writers queue on the busy
// timeout behind BEGIN IMMEDIATE, PostgreSQL ones run side by side.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "store_fixture.hpp"

namespace sm::store {
namespace {

constexpr int kThreads = 8;
constexpr int kTransactionsPerThread = 25;

class ConcurrentWriters : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    must(ddl("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)"));
    must("INSERT INTO counter (id, n) VALUES (1, 0)");
    must(ddl("CREATE TABLE entry (id @ID@, thread BIGINT NOT NULL, seq BIGINT NOT NULL)"));
  }
};

// Read-modify-write, so a lost update or an unserialised writer shows in the total.
Result<int> bump(Connection& c, std::int64_t thread, std::int64_t seq) {
  std::string lock = c.engine() == Engine::postgresql ? " FOR UPDATE" : "";
  auto cur = c.run("SELECT n FROM counter WHERE id = 1" + lock);
  if (!cur.ok()) return cur.take_error();
  auto set = c.run("UPDATE counter SET n = $1 WHERE id = 1", {cur->front().integer(0) + 1});
  if (!set.ok()) return set.take_error();
  auto ins = c.run("INSERT INTO entry (thread, seq) VALUES ($1, $2)", {thread, seq});
  if (!ins.ok()) return ins.take_error();
  return 1;
}

TEST_P(ConcurrentWriters, EightThreadsAllSucceed) {
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex error_mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kTransactionsPerThread; ++i) {
        auto r = db_->transact<int>([&](Connection& c) { return bump(c, t, i); });
        auto plain = db_->acquire();
        bool ok = r.ok() && plain.ok() &&
                  (*plain)
                      ->run("INSERT INTO entry (thread, seq) VALUES ($1, -1)", {std::int64_t{t}})
                      .ok();
        if (!ok && failures++ == 0) {
          std::lock_guard lock(error_mu);
          first_error = r.ok() ? "autocommit insert failed" : r.error().detail;
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(failures.load(), 0) << first_error;
  Rows n = must("SELECT n FROM counter WHERE id = 1");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n.front().integer(0), kThreads * kTransactionsPerThread);
  EXPECT_EQ(count("entry"), 2 * kThreads * kTransactionsPerThread);
}

SM_INSTANTIATE_FOR_ENGINES(ConcurrentWriters);

}  // namespace
}  // namespace sm::store
