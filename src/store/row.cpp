#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "store/database.hpp"

namespace sm::store {
namespace {

const std::string kEmpty;

// Both engines hand integers over as decimal text. An aggregate such as SUM() may come back
// as a numeric with a fraction on PostgreSQL, so a finite decimal is accepted and truncated;
// anything else means the query and the caller disagree about the column, which is a bug.
std::int64_t parse_integer(const std::string& text, std::size_t column) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc() && p == end) return v;

  double d = 0;
  auto [dp, dec] = std::from_chars(text.data(), end, d);
  constexpr double kLimit = 9223372036854775807.0;
  if (dec == std::errc() && dp == end && std::isfinite(d) && std::fabs(d) < kLimit) {
    return static_cast<std::int64_t>(d);
  }
  // The value itself is left out: it may be personal data.
  std::fprintf(stderr, "store::Row: column %zu is not an integer\n", column);
  std::abort();
}

}  // namespace

const std::string& Row::text(std::size_t i) const {
  const auto& cell = cells_.at(i);
  return cell ? *cell : kEmpty;
}

std::int64_t Row::integer(std::size_t i) const {
  const auto& cell = cells_.at(i);
  return cell ? parse_integer(*cell, i) : 0;
}

std::optional<std::int64_t> Row::optional_integer(std::size_t i) const {
  const auto& cell = cells_.at(i);
  if (!cell) return std::nullopt;
  return parse_integer(*cell, i);
}

}  // namespace sm::store
