// The PostgreSQL backend, on libpqxx 6.4. Statements outside begin()/commit() run in
// autocommit; inside, they share one pqxx transaction. A connection whose link broke is
// closed by the pool and a fresh one opened for the next borrower.
//
// Thread safety: as for Database; each connection is used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "store/database.hpp"

namespace sm::store {

// `url` is a libpq connection URI ("postgresql://user@host:port/dbname").
Result<std::unique_ptr<Database>> open_postgres_database(const std::string& url, int pool_size);

}  // namespace sm::store
