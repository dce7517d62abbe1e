// /verify/{account}: the public page that says whether an account's own web site vouches for
// it (services/site_verification). No cookie; linked from sign-up pages and mail footers.
#include "core/text.hpp"
#include "services/accounts.hpp"
#include "services/site_verification.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

void set_controller(TemplateValue& d, const services::Account& a) {
  const auto& c = a.details;
  d.set("account_id", TemplateValue::number(a.id));
  d.set("organisation", c.organisation).set("contact_name", c.contact_name);
  d.set("postal_address", c.postal_address).set("contact_email", c.contact_email);
  d.set("website", c.website).set("privacy_contact", c.privacy_contact);
}

Response verify_page(App& app, const Request& req) {
  auto id = parse_id(req.param("account"));
  auto account = id ? services::find_account(app, *id)
                    : Result<services::Account>(make_error(Errc::not_found, ""));
  if (!account.ok()) {
    return message_page(app, 404, "No such organisation",
                        "There is no account with that number on this installation, so "
                        "nothing vouches for mail that links here. Treat such mail as "
                        "suspicious.");
  }
  auto v = services::find_site_verification(app, account->id);
  if (!v.ok()) return message_page(app, 503, "Try again", v.error().message);

  Page p;
  p.title = "Verification of " + account->details.organisation;
  p.template_name = "verify";
  set_controller(p.data, *account);
  p.data.set("verified", v->verified());
  if (v->verified()) {
    p.data.set("page_url", v->page_url);
    p.data.set("verified_since", format_utc(*v->verified_since));
    p.data.set("last_checked", format_utc(v->last_checked_at.value_or(*v->verified_since)));
  }
  return render(app, std::move(p));
}

}  // namespace

void add_verify_routes(http::Router& router, App& app) {
  router.get("/verify/{account}", [&app](Request& r) { return verify_page(app, r); });
}

}  // namespace sm::web
