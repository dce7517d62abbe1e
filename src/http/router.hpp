// Maps method and path to a handler. Patterns are literal segments and {name} segments that
// match one non-empty path segment ("/s/{list}", "/static/{file}"). When several patterns
// match, the one with a literal segment where the others have a parameter wins, comparing
// from the left ("/s/new" beats "/s/{id}"); a parameter never matches "." or "..".
//
// Thread safety: routes are added before the server starts; match() is then read-only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace sm::http {

using Handler = std::function<Response(Request&)>;

struct RouteOptions {
  std::size_t max_body_bytes = 64 * 1024;  // larger bodies get 413 before the handler runs
  // Run the handler on the I/O thread instead of the worker pool: only for handlers that never
  // block and finish in microseconds (a tracking pixel, a health check).
  bool run_inline = false;
};

class Router {
 public:
  void add(Method method, std::string pattern, Handler handler, RouteOptions options = {});
  void get(std::string pattern, Handler h, RouteOptions o = {}) {
    add(Method::get, std::move(pattern), std::move(h), o);
  }
  void post(std::string pattern, Handler h, RouteOptions o = {}) {
    add(Method::post, std::move(pattern), std::move(h), o);
  }

  struct Match {
    const Handler* handler = nullptr;  // null: no route
    const RouteOptions* options = nullptr;
    std::string pattern;
    bool method_not_allowed = false;  // the path exists under another method
    std::vector<Method> allowed;      // when method_not_allowed: for the Allow header
  };
  // Matches req.method and req.path (already percent-decoded). Fills req.params and
  // req.route on success. HEAD matches GET routes.
  Match match(Request& req) const;

 private:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    RouteOptions options;
  };
  std::vector<Route> routes_;
};

}  // namespace sm::http
