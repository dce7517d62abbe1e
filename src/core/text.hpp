// Small text helpers shared by the layers.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sm {

// `s` without leading and trailing spaces, tabs, CRs and LFs.
inline std::string_view trim_whitespace(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// A row id as written in a URL or a form: a positive decimal number and nothing else.
inline std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

}  // namespace sm
