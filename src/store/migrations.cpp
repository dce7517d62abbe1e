#include "store/migrations.hpp"

#include <chrono>
#include <utility>

#include "core/assets.hpp"
#include "core/text.hpp"
#include "store/database.hpp"
#include "store/dialect.hpp"

namespace sm::store {
namespace {

constexpr std::string_view kMigrationsDir = "sql/migrations/";

// Any fixed number will do, as long as nothing else in the installation uses it.
constexpr const char* kLockSql = "SELECT pg_advisory_lock(7461535032151045)";
constexpr const char* kUnlockSql = "SELECT pg_advisory_unlock(7461535032151045)";

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";

bool only_comments(std::string_view piece) {
  while (!piece.empty()) {
    auto eol = piece.find('\n');
    std::string_view line = trim_whitespace(piece.substr(0, eol));
    if (!line.empty() && !line.starts_with("--")) return false;
    if (eol == std::string_view::npos) break;
    piece.remove_prefix(eol + 1);
  }
  return true;
}

void add_statement(std::vector<std::string>& out, std::string_view piece) {
  piece = trim_whitespace(piece);
  if (!only_comments(piece)) out.emplace_back(piece);
}

// Serialises migrate() across nodes on PostgreSQL; SQLite's BEGIN IMMEDIATE already does.
class MigrationLock {
 public:
  explicit MigrationLock(Connection& c) : c_(c) {}
  Status lock() {
    if (c_.engine() != Engine::postgresql) return {};
    auto r = c_.run(kLockSql);
    if (!r.ok()) return r.take_error();
    held_ = true;
    return {};
  }
  ~MigrationLock() {
    if (held_) (void)c_.run(kUnlockSql);
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Connection& c_;
  bool held_ = false;
};

std::int64_t unix_seconds() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now).count();
}

Error in_migration(Error e, const Migration& m) {
  e.detail = "migration " + m.version + ": " + e.detail;
  return e;
}

// The body of one migration's transaction; the caller rolls back when it fails.
Result<bool> apply_in_transaction(Connection& c, const Migration& m) {
  auto seen = c.run("SELECT 1 FROM schema_migrations WHERE version = $1", {m.version});
  if (!seen.ok()) return seen.take_error();
  if (!seen->empty()) return false;  // another node got here first

  for (const auto& statement : split_statements(expand_dialect(c.engine(), m.sql))) {
    auto r = c.run(statement);
    if (!r.ok()) return r.take_error();
  }
  auto recorded = c.run("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                        {m.version, unix_seconds()});
  if (!recorded.ok()) return recorded.take_error();
  return true;
}

Result<bool> apply(Connection& c, const Migration& m) {
  if (auto s = c.begin(); !s.ok()) return in_migration(s.take_error(), m);
  auto applied = apply_in_transaction(c, m);
  if (!applied.ok()) {
    c.rollback();
    return in_migration(applied.take_error(), m);
  }
  if (auto s = c.commit(); !s.ok()) return in_migration(s.take_error(), m);
  return applied;
}

}  // namespace

std::vector<std::string> split_statements(std::string_view sql) {
  std::vector<std::string> out;
  std::size_t start = 0;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    std::size_t eol = sql.find('\n', pos);
    if (eol == std::string_view::npos) eol = sql.size();
    std::string_view line = trim_whitespace(sql.substr(pos, eol - pos));
    if (line.ends_with(';')) {
      std::size_t semicolon = sql.rfind(';', eol - 1);
      add_statement(out, sql.substr(start, semicolon - start));
      start = eol;
    }
    pos = eol + 1;
  }
  if (start < sql.size()) add_statement(out, sql.substr(start));
  return out;
}

std::vector<Migration> embedded_migrations() {
  std::vector<Migration> out;
  for (const auto& asset : assets::under(kMigrationsDir)) {
    std::string_view name = asset.path.substr(kMigrationsDir.size());
    if (!name.ends_with(".sql") || name.find('/') != std::string_view::npos) continue;
    name.remove_suffix(4);
    out.push_back(Migration{std::string(name), std::string(asset.content)});
  }
  return out;
}

Result<int> Database::migrate() { return migrate(embedded_migrations()); }

Result<int> Database::migrate(const std::vector<Migration>& migrations) {
  auto lease = acquire();
  if (!lease.ok()) return lease.take_error();
  Connection& c = **lease;

  MigrationLock lock(c);
  if (auto s = lock.lock(); !s.ok()) return s.take_error();
  if (auto r = c.run(kCreateTable); !r.ok()) return r.take_error();

  int count = 0;
  for (const auto& m : migrations) {
    auto applied = apply(c, m);
    if (!applied.ok()) return applied.take_error();
    if (*applied) ++count;
  }
  return count;
}

}  // namespace sm::store
