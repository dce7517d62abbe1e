// Many rows in one statement: a named query written for one row is run for a batch of rows
// by repeating its VALUES tuple, so a batch costs a few round trips instead of one per row.
//
// The named query holds exactly one `VALUES (...)` tuple, and every placeholder of the
// statement is inside it, numbered $1..$K in the tuple. It may be a plain INSERT ... VALUES,
// or an INSERT ... SELECT ... FROM (VALUES (...)) AS v JOIN ... that checks each row against
// other tables (columns of a VALUES list are column1, column2, ... on both engines). Rows are
// sent in statements of at most kRowsPerStatement rows, split into power-of-two sizes so
// that each query has only a few distinct texts (SQLite caches prepared statements by text).
//
// This is what the event writer uses on both engines. PostgreSQL's COPY (libpqxx stream_to)
// would be faster still, but it needs the pqxx connection, which the store layer does not
// expose; see docs/operator-guide.md.
//
// Thread-safe: pure apart from the connection, which is the caller's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace sm::store {

constexpr std::size_t kRowsPerStatement = 64;

// The statement for `rows` rows: the VALUES tuple of `sql` repeated with its placeholders
// renumbered. Errc::internal (a bug in the query file) when `sql` does not have the shape
// described above. REQUIRES: rows >= 1.
Result<std::string> repeat_values(std::string_view sql, std::size_t rows);

// Runs the named query once per row of `rows`, in as few statements as the sizes allow.
// Every row has as many values as the tuple has placeholders. Returns the rows affected.
// Not atomic by itself: run it inside Database::transact for all or nothing.
Result<std::int64_t> run_named_rows(Connection& c, std::string_view name,
                                    const std::vector<std::vector<Value>>& rows);

}  // namespace sm::store
