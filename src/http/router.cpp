#include "http/router.hpp"

#include <algorithm>
#include <cassert>
#include <string_view>

namespace sm::http {
namespace {

// "/a/b" -> {"a", "b"}; "/" -> {}; "/a/" -> {"a", ""} so a trailing slash is a different path.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path == "/") return segments;
  path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool segment_matches(std::string_view pattern, std::string_view value) {
  if (!is_param(pattern)) return pattern == value;
  // Dot segments bound to a parameter would let "/static/{file}" name a parent directory.
  return !value.empty() && value != "." && value != "..";
}

bool path_matches(const std::vector<std::string>& pattern,
                  const std::vector<std::string_view>& path) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!segment_matches(pattern[i], path[i])) return false;
  }
  return true;
}

// True when `a` is more specific than `b`: at the first segment where one is a parameter and
// the other a literal, the literal wins.
bool more_specific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bool pa = is_param(a[i]);
    bool pb = is_param(b[i]);
    if (pa != pb) return pb;
  }
  return false;
}

bool method_matches(Method route, Method request) {
  return route == request || (route == Method::get && request == Method::head);
}

void add_allowed(std::vector<Method>& allowed, Method m) {
  if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) allowed.push_back(m);
}

}  // namespace

void Router::add(Method method, std::string pattern, Handler handler, RouteOptions options) {
  assert(!pattern.empty() && pattern.front() == '/');
  std::vector<std::string> segments;
  for (std::string_view s : split_path(pattern)) segments.emplace_back(s);
  routes_.push_back(
      Route{method, std::move(pattern), std::move(segments), std::move(handler), options});
}

Router::Match Router::match(Request& req) const {
  std::vector<std::string_view> path = split_path(req.path);
  const Route* best = nullptr;
  Match result;
  for (const Route& route : routes_) {
    if (!path_matches(route.segments, path)) continue;
    if (!method_matches(route.method, req.method)) {
      add_allowed(result.allowed, route.method);
      if (route.method == Method::get) add_allowed(result.allowed, Method::head);
      continue;
    }
    if (!best || more_specific(route.segments, best->segments)) best = &route;
  }
  if (!best) {
    result.method_not_allowed = !result.allowed.empty();
    return result;
  }

  req.params.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& segment = best->segments[i];
    if (is_param(segment)) {
      req.params[segment.substr(1, segment.size() - 2)] = std::string(path[i]);
    }
  }
  req.route = best->pattern;
  return Match{&best->handler, &best->options, best->pattern, false, {}};
}

}  // namespace sm::http
