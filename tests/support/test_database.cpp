#include "support/test_database.hpp"

#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

namespace sm::testing {
namespace {

constexpr const char* kUrlVariable = "SMARTMESSAGES_TEST_PG_URL";

// The environment wins; the build's own fixture URL (compiled in, because CTest cannot hand
// more than one variable to tests found by gtest_discover_tests) is the fallback.
std::string server_url() {
  const char* url = std::getenv(kUrlVariable);
  if (url == nullptr || *url == '\0') url = SM_TEST_PG_URL_DEFAULT;
  if (*url == '\0') {
    throw std::runtime_error(std::string(kUrlVariable) +
                             " is not set; run PostgreSQL tests through ctest, which starts "
                             "the server (fixture postgres.start)");
  }
  return url;
}

}  // namespace

std::string postgres_server_url() { return server_url(); }

namespace {

std::string random_suffix() {
  static const char kDigits[] = "0123456789abcdef";
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 16; ++i) s.push_back(kDigits[rd() % 16]);
  return s;
}

// The same URL naming a different database: the path after host[:port] is replaced and any
// ?options are kept.
std::string with_database(const std::string& url, const std::string& name) {
  auto scheme_end = url.find("://");
  auto path = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  auto query = url.find('?');
  std::string base = url.substr(0, path == std::string::npos ? query : path);
  std::string options = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + name + options;
}

std::string fresh_postgres_url() {
  std::string url = server_url();
  std::string name = "sm_test_" + random_suffix();
  try {
    pqxx::connection admin(url);
    pqxx::nontransaction tx(admin);  // CREATE DATABASE cannot run inside a transaction
    tx.exec0("CREATE DATABASE " + name);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot create a test database on the PostgreSQL at ") +
                             kUrlVariable +
                             " (is the postgres.start fixture running?): " + e.what());
  }
  return with_database(url, name);
}

}  // namespace

std::string fresh_database_url(TestEngine engine, const ScratchDir& dir) {
  if (engine == TestEngine::sqlite) return "sqlite:" + (dir.path() / "test.db").string();
  return fresh_postgres_url();
}

std::string engine_name(const ::testing::TestParamInfo<TestEngine>& info) {
  return info.param == TestEngine::sqlite ? "sqlite" : "postgresql";
}

void PrintTo(TestEngine engine, std::ostream* out) {
  *out << (engine == TestEngine::sqlite ? "sqlite" : "postgresql");
}

}  // namespace sm::testing
