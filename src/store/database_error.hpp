// The errors both backends return, so that callers see the same code, Constraint and
// person-facing sentence whichever engine refused; the engine's own text goes in detail.
//
// Thread-safe: pure functions.
#pragma once

#include <string>

#include "core/result.hpp"

namespace sm::store {

// A write refused by a constraint: Errc::conflict carrying `which`.
Error constraint_error(Constraint which, std::string detail);

// The database cannot be reached, or is too busy to answer in time: Errc::unavailable.
Error unavailable_error(std::string detail);

// Anything else (bad SQL, wrong parameter count): Errc::internal.
Error internal_error(std::string detail);

}  // namespace sm::store
