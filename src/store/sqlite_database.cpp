#include "store/sqlite_database.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <unordered_map>
#include <utility>

#include "store/connection_pool.hpp"
#include "store/database_error.hpp"
#include "store/dialect.hpp"

namespace sm::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// Named queries are a fixed set, but ad hoc SQL is not; past this the cache starts over.
constexpr std::size_t kMaxCachedStatements = 256;

constexpr const char* kPragmas =
    "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;";

Error sqlite_error(sqlite3* db, int rc) {
  std::string detail = std::string("sqlite: ") + sqlite3_errstr(rc);
  if (db != nullptr) detail += std::string(": ") + sqlite3_errmsg(db);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return constraint_error(Constraint::unique, std::move(detail));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return constraint_error(Constraint::foreign_key, std::move(detail));
    case SQLITE_CONSTRAINT_NOTNULL:
      return constraint_error(Constraint::not_null, std::move(detail));
    case SQLITE_CONSTRAINT_CHECK:
      return constraint_error(Constraint::check, std::move(detail));
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return constraint_error(Constraint::none, std::move(detail));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
      return unavailable_error(std::move(detail));
  }
  return internal_error(std::move(detail));
}

// Leaves a statement ready for its next use even when a step failed part-way, so that it
// does not hold a read snapshot open in the cache.
class StatementReset {
 public:
  explicit StatementReset(sqlite3_stmt* s) : s_(s) {}
  ~StatementReset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;

 private:
  sqlite3_stmt* s_;
};

std::optional<std::string> column_text(sqlite3_stmt* s, int i) {
  int type = sqlite3_column_type(s, i);
  if (type == SQLITE_NULL) return std::nullopt;
  const void* data = type == SQLITE_BLOB ? sqlite3_column_blob(s, i) : sqlite3_column_text(s, i);
  int size = sqlite3_column_bytes(s, i);
  if (data == nullptr) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

Row read_row(sqlite3_stmt* s) {
  int n = sqlite3_column_count(s);
  std::vector<std::optional<std::string>> cells;
  cells.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) cells.push_back(column_text(s, i));
  return Row(std::move(cells));
}

class SqliteConnection final : public PooledConnection {
 public:
  static Result<std::unique_ptr<PooledConnection>> open(const std::string& path);
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Engine engine() const override { return Engine::sqlite; }
  Result<Rows> run(std::string_view sql, const std::vector<Value>& params) override;
  Status begin() override { return exec("BEGIN IMMEDIATE"); }
  Status commit() override { return exec("COMMIT"); }
  void rollback() override;

  bool reusable() const override { return true; }
  void reset() override;

 private:
  Status exec(const char* sql);
  Result<sqlite3_stmt*> prepare(std::string_view sql);
  Result<sqlite3_stmt*> compile(std::string_view sql);
  Status bind(sqlite3_stmt* s, const std::vector<Value>& params);
  void clear_cache();

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;  // keyed by the caller's SQL text
};

Result<std::unique_ptr<PooledConnection>> SqliteConnection::open(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return unavailable_error("sqlite: cannot create directory: " + ec.message());

  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  auto conn = std::make_unique<SqliteConnection>(db);  // closes db on every path below
  if (rc != SQLITE_OK) return sqlite_error(db, rc);

  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (auto s = conn->exec(kPragmas); !s.ok()) return s.take_error();
  return std::unique_ptr<PooledConnection>(std::move(conn));
}

SqliteConnection::~SqliteConnection() {
  clear_cache();
  sqlite3_close_v2(db_);
}

void SqliteConnection::clear_cache() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
}

Status SqliteConnection::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc);
  return {};
}

void SqliteConnection::rollback() {
  // Some errors (a full disk, an interrupted write) end the transaction themselves.
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteConnection::reset() { rollback(); }

Result<sqlite3_stmt*> SqliteConnection::prepare(std::string_view sql) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  auto compiled = compile(sql);
  if (!compiled.ok() || *compiled == nullptr) return compiled;
  if (cache_.size() >= kMaxCachedStatements) clear_cache();
  cache_.emplace(std::move(key), *compiled);
  return compiled;
}

// A null statement (only comments or blanks) is not an error; more than one statement is,
// because PostgreSQL refuses that for parameterised SQL and the two engines must agree.
Result<sqlite3_stmt*> SqliteConnection::compile(std::string_view sql) {
  std::string text = sqlite_placeholders(sql);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, text.data(), static_cast<int>(text.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc);

  const char* end = text.data() + text.size();
  while (tail != nullptr && tail < end) {
    sqlite3_stmt* extra = nullptr;
    rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &extra, &tail);
    if (extra == nullptr && rc == SQLITE_OK) continue;
    sqlite3_finalize(extra);
    sqlite3_finalize(stmt);
    return internal_error("sqlite: one statement per call to run()");
  }
  return stmt;
}

Status SqliteConnection::bind(sqlite3_stmt* s, const std::vector<Value>& params) {
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(s)) {
    return internal_error("sqlite: parameter count does not match the statement");
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    int at = static_cast<int>(i) + 1;
    int rc = std::visit(
        [&](const auto& v) -> int {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, Null>) {
            return sqlite3_bind_null(s, at);
          } else if constexpr (std::is_same_v<V, std::int64_t>) {
            return sqlite3_bind_int64(s, at, v);
          } else if constexpr (std::is_same_v<V, double>) {
            return sqlite3_bind_double(s, at, v);
          } else {
            // STATIC is safe: params outlive the statement's use, and bindings are cleared.
            return sqlite3_bind_text64(s, at, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc);
  }
  return {};
}

Result<Rows> SqliteConnection::run(std::string_view sql, const std::vector<Value>& params) {
  auto prepared = prepare(sql);
  if (!prepared.ok()) return prepared.take_error();
  sqlite3_stmt* s = *prepared;
  Rows out;
  if (s == nullptr) return out;

  StatementReset guard(s);
  if (auto b = bind(s, params); !b.ok()) return b.take_error();
  for (;;) {
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
      out.rows.push_back(read_row(s));
    } else if (rc == SQLITE_DONE) {
      break;
    } else {
      return sqlite_error(db_, rc);
    }
  }
  if (sqlite3_stmt_readonly(s) == 0) out.affected = sqlite3_changes64(db_);
  return out;
}

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path, int pool_size) {
  auto db = std::make_unique<PooledDatabase>(Engine::sqlite, pool_size,
                                             [path] { return SqliteConnection::open(path); });
  if (auto s = db->open_first(); !s.ok()) return s.take_error();
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace sm::store
