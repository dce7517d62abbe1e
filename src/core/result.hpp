// Errors as values at module boundaries.
//
// An Error carries two messages: `message` is for the person (what was wrong and what to do
// next) and may be shown in a page or an API reply; `detail` is for the log and never leaves
// the process. Database text, file paths and library messages belong in `detail` only.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sm {

enum class Errc {
  invalid_input,  // the caller sent something we cannot accept; message says what
  not_found,      // no such thing, or not visible to this account
  conflict,       // would break a uniqueness or state rule
  unauthorized,   // not signed in, or credentials wrong
  forbidden,      // signed in but the role does not allow it
  rate_limited,   // too many attempts; try later
  unavailable,    // a dependency (database, relay) is down; try later
  internal,       // a bug or an unexpected failure
};

// Which database constraint refused a write, so callers never match error text.
enum class Constraint { none, unique, foreign_key, not_null, check };

struct Error {
  Errc code = Errc::internal;
  std::string message;  // for the person
  std::string detail;   // for the log only
  std::string field;    // the form or JSON field the message is about, when there is one
  Constraint constraint = Constraint::none;
};

inline Error make_error(Errc code, std::string message, std::string detail = {}) {
  return Error{code, std::move(message), std::move(detail), {}, Constraint::none};
}

inline Error field_error(std::string field, std::string message) {
  return Error{Errc::invalid_input, std::move(message), {}, std::move(field), Constraint::none};
}

// A value or an Error. Accessing the wrong side is a bug and asserts.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& take_error() {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(failed_);
    return error_;
  }
  Error&& take_error() {
    assert(failed_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace sm

// Returns the error of `expr` from the enclosing function when it failed.
#define SM_TRY(expr)                                              \
  do {                                                            \
    auto sm_try_result_ = (expr);                                 \
    if (!sm_try_result_.ok()) return sm_try_result_.take_error(); \
  } while (0)
