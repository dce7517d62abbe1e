#include "api/api_support.hpp"

#include "core/text.hpp"
#include "http/status.hpp"
#include "services/api_keys.hpp"

namespace sm::api {

http::Response problem(const Error& e) {
  static const char* titles[] = {"Invalid input", "Not found",     "Conflict",
                                 "Unauthorized",  "Forbidden",     "Too many requests",
                                 "Unavailable",   "Internal error"};
  auto r =
      http::Response::problem(http::status_for(e), titles[static_cast<int>(e.code)], e.message);
  if (e.code == Errc::unauthorized) r.headers.set("WWW-Authenticate", "Bearer");
  if (!e.field.empty()) {
    // The JSON member the problem is about, so that a client can show it by its input.
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_object()) {
      body["field"] = e.field;
      r.body = body.dump();
    }
  }
  return r;
}

Result<std::int64_t> authenticate(services::App& app, const http::Request& req) {
  std::string_view auth = req.header("Authorization");
  std::string_view key = auth.starts_with("Bearer ") ? auth.substr(7) : std::string_view();
  return services::authenticate_api_key(app, key);
}

Result<nlohmann::json> json_body(const http::Request& req) {
  if (!req.header("Content-Type").starts_with("application/json")) {
    return make_error(Errc::invalid_input,
                      "Send the request body as JSON with Content-Type: application/json.");
  }
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return make_error(Errc::invalid_input,
                      "The request body is not a JSON object; check its syntax and send {...}.");
  }
  return body;
}

std::optional<std::int64_t> path_id(const http::Request& req, const std::string& name) {
  return parse_id(req.param(name));
}

http::Response json_reply(const nlohmann::json& body, int status) {
  return http::Response::json(body.dump(), status);
}

}  // namespace sm::api
