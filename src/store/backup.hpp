// What backups and restores need from the storage layer: SQLite's online backup API, the
// list of tables and their row counts (to prove a restore complete), and the libpq settings
// of a PostgreSQL URL for pg_dump and pg_restore. services/backup builds the commands on these.
//
// Thread-safe: every function uses its own connections or the one it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/database.hpp"

namespace sm::store {

// The file of a "sqlite:PATH" URL; nothing for other engines.
std::optional<std::string> sqlite_path(std::string_view url);

// Copies the SQLite database at `source` into the file `dest` (created or overwritten) with
// the online backup API: one consistent snapshot, taken while other connections go on writing
// (WAL mode lets them), then checked with PRAGMA integrity_check. `dest` must not be in use.
Status sqlite_online_copy(const std::string& source, const std::string& dest);

// The tables of the installation's schema (without the engine's own), sorted by name.
Result<std::vector<std::string>> user_tables(Connection& c);

// How many rows `table` (a name from user_tables) holds.
Result<std::int64_t> count_rows(Connection& c, const std::string& table);

// The libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, ...) that
// names the same database as `url`, so pg_dump and pg_restore get the password without it
// appearing on a command line. invalid_input when libpq cannot read the URL.
Result<std::vector<std::pair<std::string, std::string>>> postgres_environment(
    const std::string& url);

}  // namespace sm::store
