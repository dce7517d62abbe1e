#include "store/database_error.hpp"

#include <utility>

namespace sm::store {
namespace {

const char* constraint_message(Constraint which) {
  switch (which) {
    case Constraint::unique:
      return "That value is already in use.";
    case Constraint::foreign_key:
      return "That refers to something that does not exist, or that something else still "
             "depends on.";
    case Constraint::not_null:
      return "A required value is missing.";
    case Constraint::check:
      return "That value is not allowed.";
    case Constraint::none:
      break;
  }
  return "That change conflicts with data already saved.";
}

}  // namespace

Error constraint_error(Constraint which, std::string detail) {
  Error e = make_error(Errc::conflict, constraint_message(which), std::move(detail));
  e.constraint = which;
  return e;
}

Error unavailable_error(std::string detail) {
  return make_error(Errc::unavailable,
                    "The database is busy or cannot be reached. Please try again shortly.",
                    std::move(detail));
}

Error internal_error(std::string detail) {
  return make_error(Errc::internal, "Something went wrong while reading or saving data.",
                    std::move(detail));
}

}  // namespace sm::store
