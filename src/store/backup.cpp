#include "store/backup.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store/database_error.hpp"

namespace sm::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr int kBusyRetries = 100;  // 50 ms apart: at most 5 s more when the source is locked

// An sqlite3 handle closed on every path.
class Handle {
 public:
  ~Handle() { sqlite3_close_v2(db_); }
  Status open(const std::string& path, int flags) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) return failed("open " + path);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    return {};
  }
  sqlite3* get() const { return db_; }
  Error failed(const std::string& what) const {
    return unavailable_error("sqlite backup: " + what + ": " +
                             (db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }

 private:
  sqlite3* db_ = nullptr;
};

// Copies every page in one step, so the copy is one snapshot; retried while the source is
// locked (a checkpoint or a writer starting up).
Status copy_pages(Handle& from, Handle& to) {
  sqlite3_backup* b = sqlite3_backup_init(to.get(), "main", from.get(), "main");
  if (b == nullptr) return to.failed("backup_init");
  int rc = SQLITE_OK;
  for (int tries = 0; tries < kBusyRetries; ++tries) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    return unavailable_error(std::string("sqlite backup: step: ") + sqlite3_errstr(rc));
  }
  return {};
}

Status integrity_check(Handle& db) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db.get(), "PRAGMA integrity_check", -1, &s, nullptr) != SQLITE_OK) {
    return db.failed("integrity_check");
  }
  std::string verdict;
  if (sqlite3_step(s) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(s, 0);
    verdict = text ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(s);
  if (verdict != "ok") return internal_error("sqlite backup: integrity_check: " + verdict);
  return {};
}

// SQL identifiers from user_tables are plain names, but quote them anyway.
std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char ch : name) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string env_name(const std::string& keyword) {
  static const std::pair<const char*, const char*> names[] = {
      {"host", "PGHOST"},
      {"hostaddr", "PGHOSTADDR"},
      {"port", "PGPORT"},
      {"dbname", "PGDATABASE"},
      {"user", "PGUSER"},
      {"password", "PGPASSWORD"},
      {"passfile", "PGPASSFILE"},
      {"sslmode", "PGSSLMODE"},
      {"sslrootcert", "PGSSLROOTCERT"},
      {"sslcert", "PGSSLCERT"},
      {"sslkey", "PGSSLKEY"},
      {"connect_timeout", "PGCONNECT_TIMEOUT"},
      {"options", "PGOPTIONS"},
      {"target_session_attrs", "PGTARGETSESSIONATTRS"},
  };
  for (const auto& [k, env] : names) {
    if (keyword == k) return env;
  }
  return {};
}

}  // namespace

std::optional<std::string> sqlite_path(std::string_view url) {
  if (!url.starts_with("sqlite:")) return std::nullopt;
  return std::string(url.substr(7));
}

Status sqlite_online_copy(const std::string& source, const std::string& dest) {
  Handle from;
  Handle to;
  SM_TRY(from.open(source, SQLITE_OPEN_READONLY));
  SM_TRY(to.open(dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  SM_TRY(copy_pages(from, to));
  return integrity_check(to);
}

Result<std::vector<std::string>> user_tables(Connection& c) {
  const char* sql = c.engine() == Engine::sqlite
                        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                          "LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
                        : "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                          "ORDER BY tablename";
  auto rows = c.run(sql);
  if (!rows.ok()) return rows.take_error();
  std::vector<std::string> out;
  for (const auto& row : rows->rows) out.push_back(row.text(0));
  return out;
}

Result<std::int64_t> count_rows(Connection& c, const std::string& table) {
  auto rows = c.run("SELECT COUNT(*) FROM " + quoted(table));
  if (!rows.ok()) return rows.take_error();
  return rows->front().integer(0);
}

Result<std::vector<std::pair<std::string, std::string>>> postgres_environment(
    const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    return make_error(Errc::invalid_input, "database.url is not a PostgreSQL URL libpq can read.",
                      why);
  }
  std::vector<std::pair<std::string, std::string>> env;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    std::string name = env_name(o->keyword);
    if (!name.empty() && o->val != nullptr && *o->val != '\0') env.emplace_back(name, o->val);
  }
  PQconninfoFree(options);
  return env;
}

}  // namespace sm::store
