// Pages anyone can open: the landing page, each account's privacy notice, the stylesheet and
// images, and the health check. None of them sets a cookie.

#include "core/assets.hpp"
#include "core/text.hpp"
#include "services/accounts.hpp"
#include "services/inactive_subscribers.hpp"
#include "services/maintenance.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

Response landing(App& app, const Request&) {
  Page p;
  p.title = "Smartmessages";
  p.template_name = "landing";
  p.data.set("open_signup", app.config.accounts_open_signup);
  return render(app, std::move(p));
}

Response privacy_notice(App& app, const Request& req) {
  auto id = parse_id(req.param("account"));
  auto account = id ? services::find_account(app, *id)
                    : Result<services::Account>(make_error(Errc::not_found, ""));
  if (!account.ok()) {
    return message_page(app, 404, "No such privacy notice",
                        "There is no account with that number on this installation. Check "
                        "the link you followed.");
  }
  const auto& d = account->details;
  Page p;
  p.title = "Privacy notice of " + d.organisation;
  p.template_name = "privacy";
  p.data.set("organisation", d.organisation).set("contact_name", d.contact_name);
  p.data.set("postal_address", d.postal_address).set("contact_email", d.contact_email);
  p.data.set("website", d.website).set("privacy_contact", d.privacy_contact);
  p.data.set("dnt", req.header("DNT") == "1");
  p.data.set("gpc", req.header("Sec-GPC") == "1");
  p.data.set("verify_url", "/verify/" + std::to_string(account->id));
  TemplateValue::List periods;
  for (const auto& r : services::retention_periods(app.config)) {
    TemplateValue item;
    item.set("what", r.what).set("period", r.period);
    periods.push_back(std::move(item));
  }
  auto inactive = services::inactive_setting(app, account->id);
  if (inactive.ok() && inactive->in_force()) {
    TemplateValue item;
    item.set("what", "Your subscription and data, when you open and click none of the " +
                         d.organisation + " campaigns sent to you");
    item.set("period", std::to_string(inactive->months) +
                           (inactive->months == 1 ? " month" : " months") + " of that");
    periods.push_back(std::move(item));
  }
  p.data.set("retention", std::move(periods));
  return render(app, std::move(p));
}

std::string_view content_type(std::string_view file) {
  if (file.ends_with(".css")) return "text/css; charset=utf-8";
  if (file.ends_with(".svg")) return "image/svg+xml";
  if (file.ends_with(".png")) return "image/png";
  if (file.ends_with(".ico")) return "image/x-icon";
  if (file.ends_with(".js")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

Response static_file(App&, const Request& req) {
  std::string file = req.param("file");
  auto content =
      file.find('/') == std::string::npos ? assets::find("static/" + file) : std::nullopt;
  if (!content) return Response::not_found_text();
  Response r;
  r.body = std::string(*content);
  r.headers.set("Content-Type", std::string(content_type(file)));
  r.headers.set("Cache-Control", "public, max-age=3600");
  return r;
}

Response healthz(App& app, const Request&) {
  if (app.db->healthy()) return Response::text("ok\n");
  return Response::text("database unavailable\n", 503);
}

}  // namespace

void add_public_routes(http::Router& router, App& app) {
  router.get("/", [&app](Request& r) { return landing(app, r); });
  router.get("/privacy/{account}", [&app](Request& r) { return privacy_notice(app, r); });
  router.get("/static/{file}", [&app](Request& r) { return static_file(app, r); });
  router.get("/healthz", [&app](Request& r) { return healthz(app, r); });
}

}  // namespace sm::web
