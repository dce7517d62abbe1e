// GET /api/v1/account: the account the key belongs to, with its controller details.
#include <nlohmann/json.hpp>

#include "api/routes.hpp"
#include "http/status.hpp"
#include "services/accounts.hpp"
#include "services/api_keys.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

Response problem(const Error& e) {
  static const char* titles[] = {"Invalid input", "Not found",     "Conflict",
                                 "Unauthorized",  "Forbidden",     "Too many requests",
                                 "Unavailable",   "Internal error"};
  auto r = Response::problem(http::status_for(e), titles[static_cast<int>(e.code)], e.message);
  if (e.code == Errc::unauthorized) r.headers.set("WWW-Authenticate", "Bearer");
  return r;
}

// The account of the request's bearer key.
Result<std::int64_t> authenticate(services::App& app, const Request& req) {
  std::string_view auth = req.header("Authorization");
  std::string_view key = auth.starts_with("Bearer ") ? auth.substr(7) : std::string_view();
  return services::authenticate_api_key(app, key);
}

Response get_account(services::App& app, const Request& req) {
  auto account_id = authenticate(app, req);
  if (!account_id.ok()) return problem(account_id.error());
  auto account = services::find_account(app, *account_id);
  if (!account.ok()) return problem(account.error());

  const auto& d = account->details;
  json body = {
      {"id", account->id},
      {"organisation", d.organisation},
      {"contact_name", d.contact_name},
      {"postal_address", d.postal_address},
      {"contact_email", d.contact_email},
      {"website", d.website},
      {"privacy_contact", d.privacy_contact},
      {"email_verified", account->email_verified()},
      {"details_complete", account->details_complete()},
      {"privacy_notice_url", app.config.http_base_url + "/privacy/" + std::to_string(account->id)},
      {"created_at", account->created_at},
  };
  return Response::json(body.dump());
}

}  // namespace

void add_api_routes(http::Router& router, services::App& app) {
  router.get("/api/v1/account", [&app](Request& r) { return get_account(app, r); });
}

}  // namespace sm::api
