// The few places where SQLite and PostgreSQL need different SQL text. Everything else in
// sql/ is written once and runs unchanged on both.
//
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "store/database.hpp"

namespace sm::store {

// Replaces the migration token `@ID@` with the engine's auto-numbered primary key column type.
std::string expand_dialect(Engine engine, std::string_view sql);

// Rewrites `$N` placeholders to SQLite's `?N`, leaving string literals, quoted identifiers and
// comments untouched so that text such as '$1 off' survives.
std::string sqlite_placeholders(std::string_view sql);

}  // namespace sm::store
