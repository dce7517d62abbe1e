// The SQLite backend, on the C API. Each connection runs in WAL mode with a 5 s busy timeout,
// foreign keys on and synchronous=FULL, and keeps its own cache of prepared statements.
//
// Thread safety: as for Database; each connection is used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "store/database.hpp"

namespace sm::store {

// Opens (creating it and its parent directories if needed) the database file at `path`.
Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path, int pool_size);

}  // namespace sm::store
