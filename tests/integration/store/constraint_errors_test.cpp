// Each kind of constraint violation reaches the caller as the same Errc and Constraint on
// both engines, with a sentence for the person and the engine's text in detail only.
#include "store_fixture.hpp"

namespace sm::store {
namespace {

constexpr const char* kSecret = "someone@example.com";

class ConstraintErrors : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    must(
        ddl("CREATE TABLE parent (id @ID@, code TEXT NOT NULL UNIQUE, "
            "qty INTEGER NOT NULL CHECK (qty >= 0))"));
    must(ddl("CREATE TABLE child (id @ID@, parent_id BIGINT NOT NULL REFERENCES parent (id))"));
    Rows r =
        must("INSERT INTO parent (code, qty) VALUES ($1, 1) RETURNING id", {std::string(kSecret)});
    parent_id_ = r.empty() ? 0 : r.front().integer(0);
  }

  // What every constraint error must look like to a caller.
  void expect_refusal(const Error& e, Constraint which) {
    EXPECT_EQ(e.code, Errc::conflict);
    EXPECT_EQ(e.constraint, which);
    EXPECT_FALSE(e.detail.empty()) << "the engine's text belongs in detail";
    ASSERT_FALSE(e.message.empty());
    EXPECT_TRUE(e.message.ends_with(".")) << e.message;
    for (const char* engine_word : {"parent", "child", "constraint", "violat", "SQLITE"}) {
      EXPECT_EQ(e.message.find(engine_word), std::string::npos) << e.message;
    }
    // Detail goes to the log, which must never hold an address.
    EXPECT_EQ(e.detail.find(kSecret), std::string::npos) << e.detail;
  }

  std::int64_t parent_id_ = 0;
};

TEST_P(ConstraintErrors, DuplicateValueIsUnique) {
  Error e = refused("INSERT INTO parent (code, qty) VALUES ($1, 1)", {std::string(kSecret)});
  expect_refusal(e, Constraint::unique);
  EXPECT_EQ(e.message, "That value is already in use.");
}

TEST_P(ConstraintErrors, DuplicatePrimaryKeyIsUnique) {
  Error e = refused("INSERT INTO parent (id, code, qty) VALUES ($1, 'other', 1)", {parent_id_});
  expect_refusal(e, Constraint::unique);
}

TEST_P(ConstraintErrors, MissingParentIsForeignKey) {
  Error e = refused("INSERT INTO child (parent_id) VALUES ($1)", {parent_id_ + 1000});
  expect_refusal(e, Constraint::foreign_key);
}

TEST_P(ConstraintErrors, DeletingAReferencedParentIsForeignKey) {
  must("INSERT INTO child (parent_id) VALUES ($1)", {parent_id_});
  Error e = refused("DELETE FROM parent WHERE id = $1", {parent_id_});
  expect_refusal(e, Constraint::foreign_key);
  EXPECT_EQ(count("parent"), 1);
}

TEST_P(ConstraintErrors, NullInRequiredColumnIsNotNull) {
  Error e = refused("INSERT INTO parent (code, qty) VALUES ($1, $2)", {Null{}, std::int64_t{1}});
  expect_refusal(e, Constraint::not_null);
}

TEST_P(ConstraintErrors, FailedCheckIsCheck) {
  Error e = refused("UPDATE parent SET qty = $1 WHERE id = $2", {std::int64_t{-1}, parent_id_});
  expect_refusal(e, Constraint::check);
}

TEST_P(ConstraintErrors, RefusedWriteChangesNothing) {
  (void)refused("INSERT INTO parent (code, qty) VALUES ($1, 1)", {std::string(kSecret)});
  EXPECT_EQ(count("parent"), 1);
}

SM_INSTANTIATE_FOR_ENGINES(ConstraintErrors);

}  // namespace
}  // namespace sm::store
