// Percent-encoding (RFC 3986 section 2.1) for paths, query strings and form bodies.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sm::http {

enum class PlusIs { literal, space };

// Decodes %XX escapes; with PlusIs::space a '+' becomes ' ' (form and query encoding).
// Returns nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, PlusIs plus = PlusIs::literal);

// Encodes every byte outside the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), so the result
// is safe in a path segment, a query value or a form value.
std::string percent_encode(std::string_view text);

// True when `text` is well-formed UTF-8: no overlong forms, surrogates or code points past
// U+10FFFF.
bool valid_utf8(std::string_view text);

}  // namespace sm::http
