// Decoding of application/x-www-form-urlencoded bodies and of query strings.
//
// Stricter than the WHATWG URL standard on purpose: an invalid percent-escape or a value that
// is not UTF-8 refuses the whole form, so no handler ever sees mangled text.
//
// Pure functions; FormFields is a value type (const use from several threads is safe).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace sm::http {

// Form fields in the order they were sent; a name may occur more than once (checkboxes,
// multi-selects).
class FormFields {
 public:
  void add(std::string name, std::string value);
  // The first value of `name`, or "" when absent.
  std::string get(std::string_view name) const;
  // Every value of `name`, in order.
  std::vector<std::string> get_all(std::string_view name) const;
  bool has(std::string_view name) const;

  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct FormLimits {
  std::size_t max_fields = 1000;  // a form with more is refused, not truncated
};

// Parses a request body sent as application/x-www-form-urlencoded. '+' is a space. Empty
// pieces ("a=1&&b=2") are skipped; a piece without '=' is a field with an empty value.
// Errors are Errc::invalid_input with a sentence for the person.
Result<FormFields> parse_form(std::string_view body, FormLimits limits = {});

// Parses the query string of a URL (Request::query, without the '?') with the same rules.
Result<FormFields> parse_query(std::string_view query, FormLimits limits = {});

// The inverse of parse_form: "name=value&..." with every field percent-encoded.
std::string encode_form(const FormFields& fields);

}  // namespace sm::http
