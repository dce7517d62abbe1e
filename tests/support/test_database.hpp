// A fresh, empty database for one test, on either engine, and the glue to run a GoogleTest
// suite once per engine.
//
// PostgreSQL tests need SMARTMESSAGES_TEST_PG_URL (set by CTest; the postgres.start fixture
// starts the server). When it is unset or the server does not answer, the test fails with a
// message saying so; it is never skipped.
//
// Thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "support/scratch_dir.hpp"

namespace sm::testing {

enum class TestEngine { sqlite, postgresql };

// The URL of the PostgreSQL server the tests use (SMARTMESSAGES_TEST_PG_URL, or the build's
// own fixture server).
std::string postgres_server_url();

// sqlite: "sqlite:<dir>/test.db". postgresql: creates database sm_test_<random> on the test
// server and returns its URL. Throws std::runtime_error (failing the test) when it cannot.
std::string fresh_database_url(TestEngine engine, const ScratchDir& dir);

// "sqlite" or "postgresql", for test names.
std::string engine_name(const ::testing::TestParamInfo<TestEngine>& info);

// So that GoogleTest prints the engine by name in failure messages.
void PrintTo(TestEngine engine, std::ostream* out);

}  // namespace sm::testing

// Runs every TEST_P of `suite` (a ::testing::TestWithParam<TestEngine>) on both engines, as
// Engines/<suite>.<test>/sqlite and .../postgresql.
#define SM_INSTANTIATE_FOR_ENGINES(suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(                                                                        \
      Engines, suite,                                                                              \
      ::testing::Values(::sm::testing::TestEngine::sqlite, ::sm::testing::TestEngine::postgresql), \
      ::sm::testing::engine_name)
