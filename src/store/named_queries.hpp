// Parsing of sql/queries/<resource>.sql files; query_text() (database.hpp) looks names up in
// the files compiled into the binary. A file holds blocks like
//
//   -- name: insert
//   -- One line saying what the query is for.
//   INSERT INTO ...;
//
// Comment lines before the first block (a file header) are allowed; other text there is not.
//
// Thread-safe: parse_query_file is pure; the table behind query_text() is built once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm::store {

struct NamedQuery {
  std::string name;    // "insert"
  std::string intent;  // the comment lines after the name, joined by spaces
  std::string sql;     // the statement, without its trailing `;`
};

// Errors are Errc::invalid_input with the line number in the message: SQL before the first
// block, a bad or repeated name, a block with no intent comment or no SQL.
Result<std::vector<NamedQuery>> parse_query_file(std::string_view text);

}  // namespace sm::store
