#include "store/database.hpp"

#include "store/database_error.hpp"
#include "store/postgres_database.hpp"
#include "store/sqlite_database.hpp"

namespace sm::store {

Lease::~Lease() {
  if (conn_) db_->release(std::move(conn_));
}

Lease& Lease::operator=(Lease&& other) {
  if (this != &other) {
    if (conn_) db_->release(std::move(conn_));
    db_ = other.db_;
    conn_ = std::move(other.conn_);
  }
  return *this;
}

Result<std::unique_ptr<Database>> Database::open(const std::string& url, int pool_size) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    std::string path = url.substr(kSqlite.size());
    if (path.empty()) return internal_error("database url: sqlite: needs a file path");
    return open_sqlite_database(path, pool_size);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return open_postgres_database(url, pool_size);
  }
  // The URL may hold a password, so it is not repeated here.
  return make_error(Errc::invalid_input,
                    "The database URL must start with sqlite:, postgresql:// or postgres://.");
}

bool Database::healthy() {
  auto lease = acquire();
  if (!lease.ok()) return false;
  auto r = (*lease)->run("SELECT 1");
  return r.ok() && r->size() == 1 && r->front().integer(0) == 1;
}

}  // namespace sm::store
