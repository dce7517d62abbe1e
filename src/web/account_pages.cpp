// The account dashboard and the controller details form.
#include "services/accounts.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

void set_details(TemplateValue& d, const services::ControllerDetails& c) {
  d.set("organisation_value", c.organisation).set("contact_name_value", c.contact_name);
  d.set("address_value", c.postal_address).set("email_value", c.contact_email);
  d.set("website_value", c.website).set("privacy_contact_value", c.privacy_contact);
}

Response dashboard(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;

  Page p;
  p.title = who.account.details.organisation;
  p.template_name = "dashboard";
  p.signed_in = &who;
  p.data.set("account_id", TemplateValue::number(who.account.id));
  p.data.set("email_verified", who.account.email_verified());
  p.data.set("details_complete", who.account.details_complete());
  p.data.set("two_factor_enabled", who.user.two_factor_enabled);
  p.data.set("role", std::string(services::role_name(who.user.role)));
  p.data.set("user_name", who.user.name.empty() ? who.user.email : who.user.name);
  return render(app, std::move(p));
}

Page details_page(const SignedIn& who) {
  Page p;
  p.title = "Controller details";
  p.template_name = "details";
  p.signed_in = &who;
  p.data.set("account_id", TemplateValue::number(who.account.id));
  p.data.set("can_edit", who.user.role == services::Role::owner);
  return p;
}

Response details_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  Page p = details_page(*gate.who);
  set_details(p.data, gate.who->account.details);
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("saved")) p.data.set("success", "Controller details saved.");
  return render(app, std::move(p));
}

Response details_submit(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_forgery(app, req, who, form.fields)) return *r;
  if (who.user.role != services::Role::owner) {
    return message_page(app, 403, "Not allowed",
                        "Only an owner of the account can change its controller details.", &who);
  }

  const auto& f = form.fields;
  services::ControllerDetails d{f.get("organisation"), f.get("contact_name"),
                                f.get("address"),      f.get("email"),
                                f.get("website"),      f.get("privacy_contact")};
  auto saved = services::update_details(app, who.account.id, d);
  if (saved.ok()) return Response::see_other("/account/details?saved=1");

  Page p = details_page(who);
  keep_values(p.data, f);
  add_error(p.data, saved.error());
  p.status = status_for(saved.error());
  return render(app, std::move(p));
}

}  // namespace

void add_account_routes(http::Router& router, App& app) {
  router.get("/account", [&app](Request& r) { return dashboard(app, r); });
  router.get("/account/details", [&app](Request& r) { return details_form(app, r); });
  router.post("/account/details", [&app](Request& r) { return details_submit(app, r); });
}

}  // namespace sm::web
