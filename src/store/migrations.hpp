// How migration files are cut into statements; Database::migrate() is in migrations.cpp.
//
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sm::store {

// Splits migration text into statements. The rule is deliberately simple: a statement ends
// with a `;` that is the last non-blank character of a line. So a `;` in the middle of a line
// (inside a string literal, say) does not split, but one at the end of a line always does,
// even inside a literal or a trigger body; write such text so that the `;` is not last.
// Pieces that hold only blanks and `--` comments are dropped; the `;` itself is not kept.
std::vector<std::string> split_statements(std::string_view sql);

}  // namespace sm::store
