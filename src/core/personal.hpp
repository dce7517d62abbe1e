// Personal data that must never reach a log line: email addresses, IP addresses, names,
// tokens. A Personal<T> has no stream operator and no fmt formatter, so passing one to the
// logger fails to compile; code that needs the value says so with reveal().
#pragma once

#include <string>
#include <utility>

namespace sm {

template <class T>
class Personal {
 public:
  Personal() = default;
  explicit Personal(T value) : value_(std::move(value)) {}

  // The value itself, for storage, comparison or sending; never for logging.
  const T& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend bool operator==(const Personal& a, const Personal& b) { return a.value_ == b.value_; }

 private:
  T value_{};
};

using PersonalText = Personal<std::string>;

}  // namespace sm
