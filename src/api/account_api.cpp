// GET /api/v1/account: the account the key belongs to, with its controller details and its
// verification page. PATCH /api/v1/account: changes controller details and names (and checks
// at once) the verification page; {"tracking_enabled": true|false} switches open and click
// tracking for the account, and {"inactive_months": 0..6} the deletion of inactive
// subscribers (services/inactive_subscribers.hpp).
#include <nlohmann/json.hpp>

#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "http/status.hpp"
#include "services/accounts.hpp"
#include "services/inactive_subscribers.hpp"
#include "services/site_verification.hpp"
#include "services/tracking.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

json optional_time(const std::optional<Millis>& t) { return t ? json(*t) : json(nullptr); }

json verification_json(services::App& app, const services::SiteVerification& v) {
  return {
      {"page_url", v.page_url.empty() ? json(nullptr) : json(v.page_url)},
      {"link", services::verification_link(app, v.account_id)},
      {"public_url", app.config.http_base_url + "/verify/" + std::to_string(v.account_id)},
      {"verified", v.verified()},
      {"verified_since", optional_time(v.verified_since)},
      {"last_checked_at", optional_time(v.last_checked_at)},
      {"last_result", v.last_result},
  };
}

Response account_reply(services::App& app, std::int64_t account_id) {
  auto account = services::find_account(app, account_id);
  if (!account.ok()) return problem(account.error());
  auto verification = services::find_site_verification(app, account_id);
  if (!verification.ok()) return problem(verification.error());
  auto tracking = services::account_tracking_enabled(app, account_id);
  if (!tracking.ok()) return problem(tracking.error());
  auto inactive = services::inactive_setting(app, account_id);
  if (!inactive.ok()) return problem(inactive.error());

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
      {"verification", verification_json(app, *verification)},
      {"tracking_enabled", *tracking},
      {"inactive_months", inactive->months},
      {"created_at", account->created_at},
  };
  return Response::json(body.dump());
}

Response get_account(services::App& app, const Request& req) {
  auto account_id = authenticate(app, req);
  if (!account_id.ok()) return problem(account_id.error());
  return account_reply(app, *account_id);
}

// Copies the detail fields present in `body` over `d`; each must be a string.
Status read_details(const json& body, services::ControllerDetails* d) {
  const std::pair<const char*, std::string*> fields[] = {
      {"organisation", &d->organisation},
      {"contact_name", &d->contact_name},
      {"postal_address", &d->postal_address},
      {"contact_email", &d->contact_email},
      {"website", &d->website},
      {"privacy_contact", &d->privacy_contact},
  };
  for (const auto& [name, target] : fields) {
    if (!body.contains(name)) continue;
    if (!body[name].is_string()) return field_error(name, std::string(name) + " must be text.");
    *target = body[name].get<std::string>();
  }
  return {};
}

bool changes_details(const json& body) {
  for (const char* name : {"organisation", "contact_name", "postal_address", "contact_email",
                           "website", "privacy_contact"}) {
    if (body.contains(name)) return true;
  }
  return false;
}

Response patch_account(services::App& app, const Request& req) {
  auto account_id = authenticate(app, req);
  if (!account_id.ok()) return problem(account_id.error());
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  auto account = services::find_account(app, *account_id);
  if (!account.ok()) return problem(account.error());
  bool tracking = body->contains("tracking_enabled");
  if (tracking && !(*body)["tracking_enabled"].is_boolean()) {
    return problem(field_error("tracking_enabled", "tracking_enabled must be true or false."));
  }
  bool inactive = body->contains("inactive_months");
  if (inactive && !(*body)["inactive_months"].is_number_integer()) {
    return problem(field_error("inactive_months",
                               "inactive_months must be a whole number of months, 0 for off."));
  }

  if (changes_details(*body)) {
    services::ControllerDetails d = account->details;
    if (auto s = read_details(*body, &d); !s.ok()) return problem(s.error());
    if (auto s = services::update_details(app, *account_id, d); !s.ok()) return problem(s.error());
  }
  if (body->contains("verification_page")) {
    const json& page = (*body)["verification_page"];
    if (!page.is_string() && !page.is_null()) {
      return problem(field_error("verification_page",
                                 "verification_page must be a URL as text, or null to stop."));
    }
    std::string url = page.is_string() ? page.get<std::string>() : "";
    auto set = services::set_verification_page(app, *account_id, url);
    if (!set.ok()) return problem(set.error());
  }
  if (tracking) {
    bool on = (*body)["tracking_enabled"].get<bool>();
    auto set = services::set_account_tracking(app, *account_id, on);
    if (!set.ok()) return problem(set.error());
  }
  // After tracking, so that one request may turn both on.
  if (inactive) {
    auto n = (*body)["inactive_months"].get<std::int64_t>();
    int months = n < 0 || n > 1000 ? -1 : static_cast<int>(n);  // out of range: refused
    auto set = services::set_inactive_months(app, *account_id, months);
    if (!set.ok()) return problem(set.error());
  }
  return account_reply(app, *account_id);
}

}  // namespace

void add_account_api(http::Router& router, services::App& app) {
  router.get("/api/v1/account", [&app](Request& r) { return get_account(app, r); });
  router.add(http::Method::patch, "/api/v1/account",
             [&app](Request& r) { return patch_account(app, r); });
}

}  // namespace sm::api
