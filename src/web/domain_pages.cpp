// Sending domains, for signed-in account holders: the list with a form to add one, and each
// domain's DNS records to publish. Everyone on the team may look; editors and owners add and
// delete (the role is checked here, on the server, on every POST).
#include <optional>

#include "core/text.hpp"
#include "services/sending_domains.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;
using services::SendingDomain;

Response not_found(App& app, const SignedIn& who) {
  return message_page(app, 404, "No such domain",
                      "This account has no such sending domain. Open Domains to see the ones "
                      "it has.",
                      &who);
}

Response read_only(App& app, const SignedIn& who) {
  return message_page(app, 403, "Not allowed",
                      "Viewers can look at sending domains but not add or delete them. Ask an "
                      "owner of the account to make you an editor.",
                      &who);
}

// A signed-in POST that may change something: session, form, origin, CSRF token and at least
// the editor role. On failure the response to send.
struct Change {
  std::optional<SignedIn> who;
  http::FormFields form;
  std::optional<Response> refusal;
};

Change begin_change(App& app, const Request& req) {
  Change c;
  auto gate = require_signed_in(app, req);
  if (!gate.who) {
    c.refusal = gate.refusal;
    return c;
  }
  c.who = std::move(gate.who);
  auto form = read_form(app, req);
  if (form.refusal) {
    c.refusal = *form.refusal;
    return c;
  }
  c.form = std::move(form.fields);
  if (auto r = refuse_forgery(app, req, *c.who, c.form)) {
    c.refusal = *r;
  } else if (!can_edit(*c.who)) {
    c.refusal = read_only(app, *c.who);
  }
  return c;
}

TemplateValue domain_value(const SendingDomain& d) {
  TemplateValue v;
  v.set("id", TemplateValue::number(d.id)).set("domain", d.domain);
  v.set("verified", d.verified());
  v.set("checked", d.last_checked_at.has_value());
  v.set("last_check_result", d.last_check_result);
  return v;
}

Page domains_page(App& app, const SignedIn& who) {
  Page p = signed_in_page(who, "Sending domains", "domains");
  TemplateValue::List rows;
  auto domains = services::account_sending_domains(app, who.account.id);
  if (domains.ok()) {
    for (const auto& d : *domains) rows.push_back(domain_value(d));
  } else {
    add_error(p.data, domains.error());
  }
  p.data.set("has_domains", !rows.empty());
  p.data.set("domains", std::move(rows));
  return p;
}

Response domains_index(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  Page p = domains_page(app, *gate.who);
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("deleted")) p.data.set("success", "Domain deleted.");
  return render(app, std::move(p));
}

Response add_domain(App& app, const Request& req) {
  auto c = begin_change(app, req);
  if (c.refusal) return *c.refusal;
  auto made = services::add_sending_domain(app, c.who->account.id, c.form.get("domain"));
  if (made.ok()) return Response::see_other("/domains/" + std::to_string(made->id) + "?added=1");
  Page p = domains_page(app, *c.who);
  keep_values(p.data, c.form);
  Error e = made.error();
  // A duplicate is about the field too, so the sentence shows under it.
  if (e.code == Errc::conflict) e.field = "domain";
  add_error(p.data, e);
  p.status = status_for(e);
  return render(app, std::move(p));
}

// The domain named by the path's {id} within the signed-in account, or a 404 page.
struct Found {
  std::optional<SendingDomain> domain;
  std::optional<Response> refusal;
};

Found domain_of(App& app, const Request& req, const SignedIn& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return {std::nullopt, not_found(app, who)};
  auto d = services::find_sending_domain(app, who.account.id, *id);
  if (d.ok()) return {std::move(*d), std::nullopt};
  if (d.error().code == Errc::not_found) return {std::nullopt, not_found(app, who)};
  return {std::nullopt,
          message_page(app, status_for(d.error()), "Try again", d.error().message, &who)};
}

Page domain_page(App& app, const SignedIn& who, const SendingDomain& d) {
  Page p = signed_in_page(who, d.domain, "domain");
  TemplateValue v = domain_value(d);
  TemplateValue::List records;
  for (const auto& r : services::dns_records(app, d)) {
    TemplateValue rv;
    rv.set("type", r.type).set("name", r.name).set("value", r.value).set("purpose", r.purpose);
    records.push_back(std::move(rv));
  }
  v.set("records", std::move(records));
  if (auto advice = services::spf_advice(app)) v.set("spf_advice", *advice);
  p.data.set("sending_domain", std::move(v));
  return p;
}

Response domain_overview(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto found = domain_of(app, req, *gate.who);
  if (found.refusal) return *found.refusal;
  Page p = domain_page(app, *gate.who, *found.domain);
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("added")) {
    p.data.set("success", "Domain added. Publish the records below in its DNS.");
  }
  return render(app, std::move(p));
}

Response delete_domain_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto found = domain_of(app, req, *gate.who);
  if (found.refusal) return *found.refusal;
  if (!can_edit(*gate.who)) return read_only(app, *gate.who);
  Page p = domain_page(app, *gate.who, *found.domain);
  p.title = "Delete " + found.domain->domain;
  p.data.set("confirm_delete", true);
  return render(app, std::move(p));
}

Response delete_domain(App& app, const Request& req) {
  auto c = begin_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = domain_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  // Only the confirmation's button sends confirm=yes; anything else asks first.
  if (c.form.get("confirm") != "yes") {
    return Response::see_other("/domains/" + std::to_string(found.domain->id) + "/delete");
  }
  auto done = services::delete_sending_domain(app, c.who->account.id, found.domain->id);
  if (done.ok()) return Response::see_other("/domains?deleted=1");
  return message_page(app, status_for(done.error()), "Not deleted", done.error().message, &*c.who);
}

Response check_domain(App& app, const Request& req) {
  auto c = begin_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = domain_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  auto checked = services::check_sending_domain(app, c.who->account.id, found.domain->id);
  if (checked.ok()) return Response::see_other("/domains/" + std::to_string(found.domain->id));
  return message_page(app, status_for(checked.error()), "Not checked", checked.error().message,
                      &*c.who);
}

}  // namespace

void add_domain_routes(http::Router& router, App& app) {
  router.get("/domains", [&app](Request& r) { return domains_index(app, r); });
  router.post("/domains", [&app](Request& r) { return add_domain(app, r); });
  router.get("/domains/{id}", [&app](Request& r) { return domain_overview(app, r); });
  router.post("/domains/{id}/check", [&app](Request& r) { return check_domain(app, r); });
  router.get("/domains/{id}/delete", [&app](Request& r) { return delete_domain_form(app, r); });
  router.post("/domains/{id}/delete", [&app](Request& r) { return delete_domain(app, r); });
}

}  // namespace sm::web
