// transact() and begin/commit/rollback: all or nothing, and a connection goes back to the
// pool clean whatever its borrower left behind.
#include "store_fixture.hpp"

namespace sm::store {
namespace {

class Transactions : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    must(ddl("CREATE TABLE note (id @ID@, body TEXT NOT NULL UNIQUE)"));
  }

  static Result<int> insert(Connection& c, const std::string& body) {
    auto r = c.run("INSERT INTO note (body) VALUES ($1)", {body});
    if (!r.ok()) return r.take_error();
    return static_cast<int>(r->affected);
  }
};

TEST_P(Transactions, CommitsWhenTheFunctionSucceeds) {
  auto r = db_->transact<int>([](Connection& c) -> Result<int> {
    auto a = insert(c, "one");
    if (!a.ok()) return a;
    return insert(c, "two");
  });
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(count("note"), 2);
}

TEST_P(Transactions, RollsBackWhenTheFunctionReturnsAnError) {
  auto r = db_->transact<int>([](Connection& c) -> Result<int> {
    auto a = insert(c, "one");
    if (!a.ok()) return a;
    return make_error(Errc::invalid_input, "Changed my mind.");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_EQ(r.error().message, "Changed my mind.");
  EXPECT_EQ(count("note"), 0);
}

TEST_P(Transactions, RollsBackEarlierWritesWhenALaterOneViolatesAConstraint) {
  auto r = db_->transact<int>([](Connection& c) -> Result<int> {
    auto a = insert(c, "one");
    if (!a.ok()) return a;
    return insert(c, "one");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().constraint, Constraint::unique);
  EXPECT_EQ(count("note"), 0);
}

TEST_P(Transactions, WritesAreInvisibleToOthersUntilCommit) {
  auto lease = db_->acquire();
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE((*lease)->begin().ok());
  must(**lease, "INSERT INTO note (body) VALUES ('pending')");
  EXPECT_EQ(count("note"), 0);
  ASSERT_TRUE((*lease)->commit().ok());
  EXPECT_EQ(count("note"), 1);
}

TEST_P(Transactions, ExplicitRollbackDiscards) {
  auto lease = db_->acquire();
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE((*lease)->begin().ok());
  must(**lease, "INSERT INTO note (body) VALUES ('gone')");
  (*lease)->rollback();
  EXPECT_EQ(count("note"), 0);
  EXPECT_EQ(must(**lease, "SELECT 1").size(), 1u) << "connection usable after rollback";
}

TEST_P(Transactions, ALeaseDroppedMidTransactionIsRolledBackBeforeReuse) {
  db_.reset();
  db_ = open_database(1);  // one connection, so the next borrower gets the same one
  ASSERT_TRUE(db_);
  {
    auto lease = db_->acquire();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE((*lease)->begin().ok());
    must(**lease, "INSERT INTO note (body) VALUES ('abandoned')");
  }
  EXPECT_EQ(count("note"), 0);
  auto again = db_->transact<int>([](Connection& c) { return insert(c, "next"); });
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(count("note"), 1);
}

SM_INSTANTIATE_FOR_ENGINES(Transactions);

}  // namespace
}  // namespace sm::store
