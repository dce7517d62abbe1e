// A fresh database per test, on the engine the test is instantiated for, with helpers that
// fail the test (showing the engine's detail) when a statement the test relies on fails.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/dialect.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_database.hpp"

namespace sm::store {

class StoreTest : public ::testing::TestWithParam<sm::testing::TestEngine> {
 protected:
  static constexpr int kPoolSize = 8;

  void SetUp() override {
    url_ = sm::testing::fresh_database_url(GetParam(), dir_);
    db_ = open_database();
  }

  std::unique_ptr<Database> open_database(int pool_size = kPoolSize) {
    auto opened = Database::open(url_, pool_size);
    if (!opened.ok()) {
      ADD_FAILURE() << "cannot open " << url_ << ": " << opened.error().detail;
      return nullptr;
    }
    return std::move(*opened);
  }

  // `sql` with @ID@ expanded for this engine, as migrations get it.
  std::string ddl(const std::string& sql) const { return expand_dialect(db_->engine(), sql); }

  Rows must(Connection& c, std::string_view sql, const std::vector<Value>& params = {}) {
    auto r = c.run(sql, params);
    if (!r.ok()) {
      ADD_FAILURE() << sql << "\n  failed: " << r.error().detail;
      return {};
    }
    return std::move(*r);
  }

  Rows must(std::string_view sql, const std::vector<Value>& params = {}) {
    auto lease = db_->acquire();
    if (!lease.ok()) {
      ADD_FAILURE() << "acquire failed: " << lease.error().detail;
      return {};
    }
    return must(**lease, sql, params);
  }

  // The error of a statement that should fail; fails the test when it succeeds.
  Error refused(std::string_view sql, const std::vector<Value>& params = {}) {
    auto lease = db_->acquire();
    if (!lease.ok()) return lease.take_error();
    auto r = (*lease)->run(sql, params);
    if (r.ok()) {
      ADD_FAILURE() << sql << "\n  succeeded but should have failed";
      return {};
    }
    return r.take_error();
  }

  std::int64_t count(const std::string& table) {
    Rows r = must("SELECT COUNT(*) FROM " + table);
    return r.empty() ? -1 : r.front().integer(0);
  }

  sm::testing::ScratchDir dir_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

}  // namespace sm::store
