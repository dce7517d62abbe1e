// Reading times people and programs write: RFC 3339 ("2026-12-03T14:05:00Z",
// "2026-12-03T15:05:00+01:00") for the API, and the value of an HTML datetime-local input
// ("2026-12-03T14:05"), which the pages read as UTC.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace sm {

// Milliseconds since the epoch, or nullopt when `text` is not an RFC 3339 date-time with a
// "Z" or a numeric offset (a lower-case "t" or "z" and a space for "T" are accepted).
std::optional<Millis> parse_rfc3339(std::string_view text);

// "YYYY-MM-DDTHH:MM" or with ":SS", as UTC; nullopt otherwise.
std::optional<Millis> parse_datetime_local(std::string_view text);

// "2026-12-03T14:05:00Z".
std::string format_rfc3339(Millis when);

// "2026-12-03T14:05", the value of a datetime-local input showing `when` in UTC.
std::string format_datetime_local(Millis when);

}  // namespace sm
