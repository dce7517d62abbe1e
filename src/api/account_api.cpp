// GET /api/v1/account: the account the key belongs to, with its controller details.
#include <nlohmann/json.hpp>

#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "http/status.hpp"
#include "services/accounts.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

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

void add_account_api(http::Router& router, services::App& app) {
  router.get("/api/v1/account", [&app](Request& r) { return get_account(app, r); });
}

}  // namespace sm::api
