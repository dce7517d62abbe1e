// Reading the Cookie request header (RFC 6265 section 5.4 syntax: "a=1; b=2").
//
// Pure functions; thread-safe. Setting cookies is session_cookie() in message.hpp.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace sm::http {

// The name/value pairs of one Cookie header, in order, with surrounding spaces and one pair
// of double quotes around a value removed. Pieces without '=' or with an empty name are
// skipped. The views point into `header`.
std::vector<std::pair<std::string_view, std::string_view>> parse_cookie_header(
    std::string_view header);

// The value of the first cookie called `name` in `header`.
std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name);

}  // namespace sm::http
