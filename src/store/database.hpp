// The storage interface every service uses: SQLite (default) or PostgreSQL behind one API.
//
// SQL text is written once, with $1..$N placeholders, and runs unchanged on both engines
// (the SQLite backend rewrites $N to ?N). Named queries live in sql/queries/*.sql and are
// fetched with query_text(); migrations live in sql/migrations/.
//
// Thread safety: a Database is shared by all threads; each Connection is used by one thread at
// a time (acquire() hands one out from a pool and takes it back when the Lease goes).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace sm::store {

enum class Engine { sqlite, postgresql };

// A bound parameter or a column value.
struct Null {};
using Value = std::variant<Null, std::int64_t, double, std::string>;

class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}

  std::size_t size() const { return cells_.size(); }
  bool is_null(std::size_t i) const { return !cells_.at(i).has_value(); }
  // Text of the column; "" when NULL.
  const std::string& text(std::size_t i) const;
  // Integer value of the column; 0 when NULL. Booleans are stored as 0/1.
  std::int64_t integer(std::size_t i) const;
  std::optional<std::string> optional_text(std::size_t i) const { return cells_.at(i); }
  std::optional<std::int64_t> optional_integer(std::size_t i) const;

 private:
  std::vector<std::optional<std::string>> cells_;
};

struct Rows {
  std::vector<Row> rows;
  std::int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE

  bool empty() const { return rows.empty(); }
  std::size_t size() const { return rows.size(); }
  const Row& operator[](std::size_t i) const { return rows.at(i); }
  const Row& front() const { return rows.at(0); }
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Engine engine() const = 0;

  // Runs one statement. Errors: Errc::conflict with a Constraint for constraint violations,
  // Errc::unavailable when the database cannot be reached, Errc::internal otherwise; the
  // engine's message is in Error::detail only.
  virtual Result<Rows> run(std::string_view sql, const std::vector<Value>& params = {}) = 0;

  // Transactions. begin() on SQLite is BEGIN IMMEDIATE so writers queue instead of failing.
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() = 0;
};

class Database;

// One schema change: `version` is the file name without ".sql" ("0001_accounts"), `sql` its
// text (statements end with `;` at the end of a line; `@ID@` as in store/dialect.hpp).
struct Migration {
  std::string version;
  std::string sql;
};

// The migrations compiled in from sql/migrations/*.sql, in name order.
std::vector<Migration> embedded_migrations();

// A connection borrowed from the pool; goes back when destroyed.
class Lease {
 public:
  Lease(Database* db, std::unique_ptr<Connection> conn) : db_(db), conn_(std::move(conn)) {}
  Lease(Lease&&) = default;
  // Returns the connection held now, if any, before taking the other's.
  Lease& operator=(Lease&&);
  ~Lease();
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  Database* db_;
  std::unique_ptr<Connection> conn_;
};

class Database {
 public:
  // url: "sqlite:PATH" or "postgresql://..." / "postgres://...". pool_size connections at most.
  static Result<std::unique_ptr<Database>> open(const std::string& url, int pool_size);
  virtual ~Database() = default;

  virtual Engine engine() const = 0;

  // Waits for a free connection (opening one if the pool is not full).
  virtual Result<Lease> acquire() = 0;

  // Runs fn inside a transaction on one connection: commits when fn succeeds, rolls back when
  // it returns an error (the error is passed on).
  template <class T>
  Result<T> transact(const std::function<Result<T>(Connection&)>& fn);

  // Applies pending migrations from sql/migrations in order; returns how many ran.
  Result<int> migrate();
  // The same for a given list, in the order given (tests and tools). Each migration runs in
  // its own transaction and is recorded in schema_migrations; on PostgreSQL an advisory lock
  // is held throughout, so nodes starting together apply each migration once.
  Result<int> migrate(const std::vector<Migration>& migrations);

  // True when a trivial query answers; for /healthz.
  bool healthy();

 protected:
  friend class Lease;
  virtual void release(std::unique_ptr<Connection> conn) = 0;
};

// The SQL of a named query: "accounts.insert" is the block "-- name: insert" in
// sql/queries/accounts.sql. Aborts (a bug) when the name is unknown, so a typo fails the
// first test that runs it.
std::string_view query_text(std::string_view name);

// Runs a named query on a connection.
inline Result<Rows> run_named(Connection& c, std::string_view name,
                              const std::vector<Value>& params = {}) {
  return c.run(query_text(name), params);
}

template <class T>
Result<T> Database::transact(const std::function<Result<T>(Connection&)>& fn) {
  auto lease = acquire();
  if (!lease.ok()) return lease.take_error();
  Connection& c = **lease;
  if (auto s = c.begin(); !s.ok()) return s.take_error();
  Result<T> r = fn(c);
  if (!r.ok()) {
    c.rollback();
    return r;
  }
  if (auto s = c.commit(); !s.ok()) return s.take_error();
  return r;
}

}  // namespace sm::store
