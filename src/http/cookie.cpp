#include "http/cookie.hpp"

namespace sm::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view unquote(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> parse_cookie_header(
    std::string_view header) {
  std::vector<std::pair<std::string_view, std::string_view>> cookies;
  while (!header.empty()) {
    std::size_t semi = header.find(';');
    std::string_view piece = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);

    std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = trim(piece.substr(0, eq));
    if (name.empty()) continue;
    cookies.emplace_back(name, unquote(trim(piece.substr(eq + 1))));
  }
  return cookies;
}

std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name) {
  for (const auto& [n, v] : parse_cookie_header(header)) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace sm::http
