// Our own HTTP request and response types. Nothing outside src/http sees Boost; handlers in
// web/ and api/ take a Request and return a Response.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sm::http {

enum class Method { get, head, post, put, patch, del, options, other };

std::string_view method_name(Method m);
// The Method for a request-line token ("GET"); Method::other for anything we do not route.
Method method_from_name(std::string_view name);
// The standard reason phrase for `status` ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status);

// Header names compare case-insensitively.
class Headers {
 public:
  void add(std::string name, std::string value);
  void set(std::string name, std::string value);  // replaces any with the same name
  // The first value of `name`, or "" when absent.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  Method method = Method::get;
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path, no query
  std::string query;   // raw query string after '?', not decoded
  Headers headers;
  std::string body;
  std::string remote_ip;  // personal data: for audit and rate limits, never for logs
  std::map<std::string, std::string> params;  // path parameters filled by the router
  std::string route;  // the route pattern that matched, e.g. "/s/{id}"; for metrics/logs

  std::string_view header(std::string_view name) const { return headers.get(name); }
  std::string_view user_agent() const { return headers.get("User-Agent"); }
  std::string param(const std::string& name) const;
  // The value of cookie `name`, if the request carries it.
  std::optional<std::string> cookie(std::string_view name) const;
  // True when the browser asks not to be tracked (DNT: 1 or Sec-GPC: 1).
  bool do_not_track() const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response html(std::string body, int status = 200);
  static Response text(std::string body, int status = 200);
  static Response json(std::string body, int status = 200);
  // application/problem+json (RFC 9457) with title and a detail a person can act on.
  static Response problem(int status, std::string_view title, std::string_view detail);
  // 303 See Other: after a form POST, so a reload does not post again.
  static Response see_other(std::string_view location);
  static Response not_found_text();
  // A short plain-text page for an error status ("Not Found."), for answers the server gives
  // without a handler (400, 404, 405, 413, 431, 500).
  static Response status_text(int status);
};

// Builds a Set-Cookie value for a session cookie: HttpOnly, SameSite=Lax, Path=/, no Expires
// or Max-Age; Secure when `secure`. An empty value with clear=true expires the cookie.
std::string session_cookie(std::string_view name, std::string_view value, bool secure,
                           bool clear = false);

}  // namespace sm::http
