// POST /api/v1/inbound: one raw inbound message (a bounce, a feedback report, an unsubscribe
// request) from the operator's mail system, for set-ups where a pipe to `smartmessages bounce`
// is not possible. It is the operator's, not an account's: it authenticates with the
// inbound.token setting as a bearer token, and is off (404) while that setting is empty.
#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "core/crypto.hpp"
#include "http/form.hpp"
#include "services/bounces.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;

Response unauthorized() {
  return problem(make_error(Errc::unauthorized,
                            "Send the installation's inbound.token as 'Authorization: Bearer "
                            "TOKEN'; API keys of accounts are not accepted here."));
}

bool token_matches(const services::App& app, const Request& req) {
  std::string_view auth = req.header("Authorization");
  if (!auth.starts_with("Bearer ")) return false;
  return crypto::constant_time_equal(auth.substr(7), app.config.inbound_token);
}

Response receive(services::App& app, const Request& req) {
  if (app.config.inbound_token.empty()) {
    return problem(make_error(Errc::not_found,
                              "The inbound webhook is off on this installation; the operator "
                              "turns it on by setting inbound.token."));
  }
  if (!token_matches(app, req)) return unauthorized();
  if (!req.header("Content-Type").starts_with("message/rfc822")) {
    return Response::problem(415, "Unsupported media type",
                             "Send the message exactly as received, as the request body, with "
                             "'Content-Type: message/rfc822'.");
  }
  auto q = http::parse_query(req.query);
  if (!q.ok()) return problem(q.error());

  auto result = services::handle_inbound(app, req.body, q->get("recipient"));
  if (!result.ok()) {
    Response r = problem(result.error());
    if (result.error().code == Errc::unavailable) r.headers.set("Retry-After", "60");
    return r;
  }
  return json_reply({{"outcome", std::string(services::inbound_outcome_name(result->outcome))}});
}

}  // namespace

void add_inbound_api(http::Router& router, services::App& app) {
  http::RouteOptions options;
  options.max_body_bytes = services::kMaxInboundBytes;
  router.post(
      "/api/v1/inbound", [&app](Request& r) { return receive(app, r); }, options);
}

}  // namespace sm::api
