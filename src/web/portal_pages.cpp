// The data access portal's pages (services/portal.hpp): /portal asks for an address and
// answers the same whatever it is; the emailed link's page has a button that opens a portal
// session; /portal/data shows what every account holds, with forms to amend, unsubscribe and
// erase, and downloads of the exports and receipts.
//
// /portal and the link's page set no cookie. The portal session cookie (sm_portal, or
// __Host-sm_portal behind TLS) is set only by the button of an emailed link, with the same
// rules as the account session cookie: first-party, HttpOnly, SameSite, Secure behind TLS, no
// Expires. Every portal response is marked no-store. POSTs must come from our own pages: the
// Origin is checked, and forms carry a CSRF token derived from the session.
#include <sstream>

#include "core/text.hpp"
#include "services/form_token.hpp"
#include "services/portal.hpp"
#include "services/portal_mail.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

constexpr std::string_view kRequestPurpose = "portal";

std::string portal_cookie_name(const App& app) {
  return app.config.https() ? "__Host-sm_portal" : "sm_portal";
}

Response no_store(Response r) {
  r.headers.set("Cache-Control", "no-store");
  return r;
}

Response with_portal_cookie(const App& app, Response r, const std::string& token) {
  r.headers.add("Set-Cookie",
                http::session_cookie(portal_cookie_name(app), token, app.config.https()));
  return no_store(std::move(r));
}

Response clearing_portal_cookie(const App& app, Response r) {
  r.headers.add("Set-Cookie",
                http::session_cookie(portal_cookie_name(app), "", app.config.https(), true));
  return no_store(std::move(r));
}

// ---- Getting in -----------------------------------------------------------------------------

Page request_page(App& app) {
  Page p = narrow_page("See your data", "portal");
  p.data.set("form_token", services::issue_form_token(app, kRequestPurpose));
  return p;
}

Response request_form(App& app, const Request& req) {
  Page p = request_page(app);
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("ended")) {
    p.data.set("error",
               "Your portal session has ended (after 30 minutes without use, or when you "
               "closed it). Ask for a new link below.");
  }
  return render(app, std::move(p));
}

Response request_submit(App& app, const Request& req) {
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (!same_origin(app, req) ||
      !services::form_token_ok(app, kRequestPurpose, form.fields.get("form_token"))) {
    return message_page(app, 403, "This form has expired",
                        "The form is too old or was sent from another site. Go back, reload "
                        "the page and send it again.");
  }
  auto asked = services::request_portal_link(app, form.fields.get("email"), requester(req));
  // Only what does not depend on the address is refused: not an address, or too many requests
  // from this network (or the database is down).
  if (!asked.ok()) {
    Page p = request_page(app);
    add_error(p.data, asked.error());
    keep_values(p.data, form.fields);
    p.status = status_for(asked.error());
    return render(app, std::move(p));
  }
  // Held or not, mailed or throttled: one answer, byte for byte, so the reply reveals nothing
  // about the address.
  return message_page(app, 200, "Check your email",
                      "If we hold data for this address, a link is on its way to it. The link "
                      "works once and expires in one hour.");
}

Response link_page(App& app, const Request& req) {
  std::string token = req.param("token");
  if (auto ok = services::check_portal_link(app, token); !ok.ok()) {
    return no_store(
        message_page(app, status_for(ok.error()), "This link is not valid", ok.error().message));
  }
  Page p = narrow_page("Open your data", "portal_open");
  p.data.set("token", token);
  return no_store(render(app, std::move(p)));
}

Response link_submit(App& app, const Request& req) {
  if (!same_origin(app, req)) {
    return message_page(app, 403, "This form has expired",
                        "Open the link from your email again and press the button.");
  }
  auto token = services::open_portal_link(app, req.param("token"), requester(req));
  if (!token.ok()) {
    return no_store(message_page(app, status_for(token.error()), "This link is not valid",
                                 token.error().message));
  }
  return with_portal_cookie(app, Response::see_other("/portal/data"), *token);
}

// ---- The session gate -----------------------------------------------------------------------

struct PortalGate {
  std::optional<services::PortalSession> session;
  Response refusal;
};

PortalGate require_portal_session(App& app, const Request& req) {
  auto token = req.cookie(portal_cookie_name(app));
  if (!token) return {std::nullopt, no_store(Response::see_other("/portal?ended=1"))};
  auto s = services::find_portal_session(app, *token);
  if (s.ok()) return {std::move(*s), {}};
  if (s.error().code == Errc::unauthorized) {
    return {std::nullopt, clearing_portal_cookie(app, Response::see_other("/portal?ended=1"))};
  }
  return {std::nullopt,
          no_store(message_page(app, status_for(s.error()), "Try again", s.error().message))};
}

// For portal POSTs: the parsed form, or the response to send (forgery, unreadable form).
struct PortalForm {
  http::FormFields fields;
  std::optional<Response> refusal;
};

PortalForm read_portal_form(App& app, const Request& req, const services::PortalSession& s) {
  auto form = read_form(app, req);
  if (form.refusal) return {{}, no_store(*form.refusal)};
  if (!same_origin(app, req) || !services::portal_csrf_ok(app, s, form.fields.get("csrf"))) {
    return {{},
            no_store(message_page(app, 403, "This form has expired",
                                  "The form was sent from another site or is too old. Go "
                                  "back, reload the page and send it again."))};
  }
  return {std::move(form.fields), std::nullopt};
}

std::optional<std::int64_t> account_param(const http::FormFields& f) {
  return parse_id(f.get("account"));
}

// ---- The data page --------------------------------------------------------------------------

std::string when(const std::optional<Millis>& t) { return t ? format_utc(*t) : ""; }

// Sets `key`, and "has_<key>" for the template's {{#has_key}}: an empty string is not false
// to the template engine.
void set_text(TemplateValue& t, const std::string& key, const std::string& value) {
  t.set(key, value).set("has_" + key, !value.empty());
}

TemplateValue option(const std::string& value, const std::string& label, bool selected) {
  TemplateValue o;
  o.set("value", value).set("label", label).set("selected", selected);
  return o;
}

TemplateValue::List options_of(const services::FieldDefinition& d, const std::string& value) {
  TemplateValue::List out{option("", "(none)", value.empty())};
  if (d.type == services::FieldType::boolean) {
    out.push_back(option("true", "Yes", value == "true"));
    out.push_back(option("false", "No", value == "false"));
    return out;
  }
  for (const auto& c : d.choices) out.push_back(option(c, c, value == c));
  return out;
}

// Every flag is set on each field, so that none is looked up in an enclosing section.
TemplateValue field_input(const services::PortalField& f) {
  const auto& d = *f.definition;
  bool select = d.type == services::FieldType::boolean || d.type == services::FieldType::choice;
  TemplateValue t;
  t.set("key", f.key).set("label", d.label).set("value", f.value);
  t.set("text", !select).set("select", select);
  t.set("date", d.type == services::FieldType::date);
  t.set("number", d.type == services::FieldType::number);
  t.set("options", select ? options_of(d, f.value) : TemplateValue::List{});
  return t;
}

TemplateValue event_row(const services::ConsentEvent& e) {
  TemplateValue row;
  row.set("kind", std::string(services::consent_kind_name(e.kind)));
  row.set("occurred_at", format_utc(e.occurred_at)).set("digest", e.digest);
  set_text(row, "ip_address", e.evidence.ip_address);
  set_text(row, "user_agent", e.evidence.user_agent);
  set_text(row, "referrer", e.evidence.referrer);
  set_text(row, "form_url", e.evidence.form_url);
  set_text(row, "source", e.source);
  set_text(row, "basis", e.basis);
  set_text(row, "form_wording", e.form_wording);
  set_text(row, "message", e.message);
  return row;
}

TemplateValue delivery_row(const services::PortalDelivery& d) {
  TemplateValue row;
  row.set("campaign", d.campaign_name).set("subject", d.subject).set("status", d.status);
  row.set("sent_at", when(d.sent_at));
  return row;
}

TemplateValue activity_row(std::string what, Millis at, const std::string& campaign,
                           std::string detail) {
  TemplateValue row;
  row.set("what", std::move(what)).set("at", format_utc(at)).set("campaign", campaign);
  row.set("detail", std::move(detail));
  return row;
}

// Opens, clicks and unsubscribes, then bounces and complaints.
TemplateValue::List activity_rows(const services::PortalSubscription& s) {
  TemplateValue::List rows;
  for (const auto& a : s.activity) {
    std::string detail = a.machine ? "by a mail privacy proxy or link scanner" : "";
    if (!a.url.empty()) detail = a.url + (detail.empty() ? "" : ", " + detail);
    rows.push_back(activity_row(a.kind, a.at, a.campaign_name, detail));
  }
  for (const auto& b : s.bounces) {
    std::string detail = b.status_code + (b.status_code.empty() ? "" : " ") + b.diagnostic;
    rows.push_back(activity_row(std::string(services::bounce_kind_name(b.kind)), b.occurred_at,
                                b.campaign_name, detail));
  }
  return rows;
}

TemplateValue subscription_row(std::int64_t account_id, const services::PortalSubscription& s) {
  const auto& sub = s.record.subscription;
  TemplateValue row;
  row.set("subscription_id", TemplateValue::number(sub.id)).set("list_name", s.record.list_name);
  row.set("status", std::string(services::status_name(sub.status)));
  row.set("confirmed", sub.status == services::SubscriptionStatus::confirmed);
  row.set("can_leave", sub.status != services::SubscriptionStatus::unsubscribed);
  row.set("since", format_utc(sub.confirmed_at.value_or(sub.created_at)));
  row.set("created_at", format_utc(sub.created_at));
  set_text(row, "confirmed_at", when(sub.confirmed_at));
  set_text(row, "unsubscribed_at", when(sub.unsubscribed_at));
  TemplateValue::List events, receipts, deliveries;
  for (const auto& e : s.record.events) events.push_back(event_row(e));
  for (const auto& r : s.record.receipts) {
    TemplateValue link;
    link.set("issued_at", format_utc(r.issued_at));
    link.set("href", "/portal/receipts/" + std::to_string(account_id) + "/" + std::to_string(r.id) +
                         ".json");
    receipts.push_back(std::move(link));
  }
  for (const auto& d : s.deliveries) deliveries.push_back(delivery_row(d));
  row.set("has_deliveries", !deliveries.empty());
  auto activity = activity_rows(s);
  row.set("has_activity", !activity.empty()).set("activity", std::move(activity));
  row.set("events", std::move(events)).set("receipts", std::move(receipts));
  row.set("deliveries", std::move(deliveries));
  return row;
}

void set_controller(TemplateValue& t, const services::Account& a) {
  const auto& d = a.details;
  t.set("account_id", TemplateValue::number(a.id)).set("organisation", d.organisation);
  t.set("postal_address", d.postal_address).set("contact_email", d.contact_email);
  set_text(t, "contact_name", d.contact_name);
  set_text(t, "website", d.website);
  set_text(t, "privacy_contact", d.privacy_contact);
}

void set_fields(TemplateValue& t, const services::PortalHolding& h) {
  TemplateValue::List declared, others;
  for (const auto& f : h.fields) {
    if (f.definition) {
      declared.push_back(field_input(f));
    } else {
      TemplateValue o;
      o.set("key", f.key).set("value", f.value);
      others.push_back(std::move(o));
    }
  }
  t.set("has_fields", !declared.empty()).set("has_other_fields", !others.empty());
  t.set("fields", std::move(declared)).set("other_fields", std::move(others));
}

TemplateValue holding_block(const services::PortalHolding& h) {
  TemplateValue t;
  set_controller(t, h.account);
  t.set("suppressed", h.suppression.has_value());
  t.set("suppression_reason", h.suppression ? h.suppression->reason : "");
  t.set("suppression_since", h.suppression ? format_utc(h.suppression->since) : "");
  t.set("has_subscriber", h.subscriber_id.has_value());
  t.set("email_as_held", h.email_as_held);
  t.set("subscriber_since", format_utc(h.subscriber_since))
      .set("updated_at", format_utc(h.updated_at));
  set_fields(t, h);
  TemplateValue::List subs;
  for (const auto& s : h.subscriptions) subs.push_back(subscription_row(h.account.id, s));
  t.set("has_subscriptions", !subs.empty()).set("subscriptions", std::move(subs));
  return t;
}

Page data_page(App& app, const services::PortalSession& s, const services::PortalView& view) {
  Page p;
  p.title = "Your data";
  p.template_name = "portal_data";
  p.data.set("address", view.address).set("csrf", services::portal_csrf_token(app, s));
  TemplateValue::List holdings;
  bool any_held = false;
  for (const auto& h : view.holdings) {
    any_held = any_held || h.subscriber_id.has_value();
    holdings.push_back(holding_block(h));
  }
  p.data.set("holdings", std::move(holdings)).set("any_held", any_held);
  return p;
}

std::string done_message(const std::string& done) {
  if (done == "fields") return "Your changes are saved.";
  if (done == "unsubscribed") {
    return "You are unsubscribed, at once. The address is kept as a suppression, so that you "
           "are not added back.";
  }
  if (done == "erased") {
    return "Deleted. What is left is shown below: a suppression, so that an old upload cannot "
           "add you back.";
  }
  return "";
}

// The data page, with `error` shown when an action was refused.
Response show_data(App& app, const Request& req, const services::PortalSession& s,
                   const Error* error = nullptr) {
  auto view = services::portal_view(app, s, requester(req));
  if (!view.ok()) {
    return no_store(message_page(app, status_for(view.error()), "Try again", view.error().message));
  }
  Page p = data_page(app, s, *view);
  auto q = http::parse_query(req.query);
  std::string done = q.ok() ? done_message(q->get("done")) : "";
  if (!done.empty() && error == nullptr) p.data.set("success", done);
  if (error != nullptr) {
    p.data.set("error", error->message);
    p.status = status_for(*error);
  }
  return no_store(render(app, std::move(p)));
}

Response data(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  return show_data(app, req, *gate.session);
}

// ---- Actions --------------------------------------------------------------------------------

Response amend_fields(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  auto form = read_portal_form(app, req, *gate.session);
  if (form.refusal) return *form.refusal;
  auto account = parse_id(req.param("account"));
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : form.fields.all()) {
    if (name.starts_with("f_")) values[name.substr(2)] = value;
  }
  auto done =
      account ? services::portal_amend_fields(app, *gate.session, *account, values, requester(req))
              : Status(make_error(Errc::not_found, "There is no such account here."));
  if (!done.ok()) return show_data(app, req, *gate.session, &done.error());
  return no_store(Response::see_other("/portal/data?done=fields"));
}

Response unsubscribe(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  auto form = read_portal_form(app, req, *gate.session);
  if (form.refusal) return *form.refusal;
  std::string scope = form.fields.get("scope");
  services::PortalUnsubscribe what;
  if (scope == "subscription" || scope == "account") what.account_id = account_param(form.fields);
  if (scope == "subscription") what.subscription_id = parse_id(form.fields.get("subscription"));
  bool complete = scope == "everything" || (scope == "account" && what.account_id) ||
                  (scope == "subscription" && what.account_id && what.subscription_id);
  auto done = complete ? services::portal_unsubscribe(app, *gate.session, what, requester(req))
                       : Status(make_error(Errc::invalid_input,
                                           "The form did not say what to unsubscribe from. "
                                           "Reload the page and press the button again."));
  if (!done.ok()) return show_data(app, req, *gate.session, &done.error());
  return no_store(Response::see_other("/portal/data?done=unsubscribed"));
}

Response erase_confirm(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  auto q = http::parse_query(req.query);
  auto account = q.ok() ? parse_id(q->get("account")) : std::nullopt;
  bool everything = q.ok() && q->get("scope") == "everything";
  if (!account && !everything) return no_store(Response::see_other("/portal/data"));
  auto view = services::collect_portal_view(app, *gate.session);
  if (!view.ok()) return show_data(app, req, *gate.session, &view.error());

  Page p = narrow_page("Delete your data", "portal_erase");
  p.data.set("address", view->address).set("csrf", services::portal_csrf_token(app, *gate.session));
  p.data.set("everything", everything).set("scope", everything ? "everything" : "account");
  TemplateValue::List names;
  std::string organisation;
  for (const auto& h : view->holdings) {
    if (!h.subscriber_id) continue;
    TemplateValue n;
    n.set("name", h.account.details.organisation);
    names.push_back(std::move(n));
    if (account && h.account.id == *account) organisation = h.account.details.organisation;
  }
  // Nothing (left) to delete there: back to the page, which shows what is held now.
  if (!everything && organisation.empty()) return no_store(Response::see_other("/portal/data"));
  if (!everything) p.data.set("account_id", TemplateValue::number(*account));
  p.data.set("organisation", organisation).set("organisations", std::move(names));
  p.data.set("heading", everything ? "Delete what every organisation holds?"
                                   : "Delete what " + organisation + " holds?");
  return no_store(render(app, std::move(p)));
}

Response erase(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  auto form = read_portal_form(app, req, *gate.session);
  if (form.refusal) return *form.refusal;
  std::string scope = form.fields.get("scope");
  auto account = account_param(form.fields);
  if (scope != "everything" && !(scope == "account" && account)) {
    return no_store(Response::see_other("/portal/data"));
  }
  auto done = services::portal_erase(
      app, *gate.session, scope == "everything" ? std::nullopt : account, requester(req));
  if (!done.ok()) return show_data(app, req, *gate.session, &done.error());
  return no_store(Response::see_other("/portal/data?done=erased"));
}

Response sign_out(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  auto form = read_portal_form(app, req, *gate.session);
  if (form.refusal) return *form.refusal;
  if (auto token = req.cookie(portal_cookie_name(app))) {
    (void)services::end_portal_session(app, *token, requester(req));
  }
  return clearing_portal_cookie(
      app, message_page(app, 200, "Your portal session has ended",
                        "Nothing of your data is shown on this computer any more. To see it "
                        "again, ask for a new link on the data access page."));
}

// ---- Downloads ------------------------------------------------------------------------------

Response attachment(Response r, const std::string& file_name) {
  r.headers.set("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  return no_store(std::move(r));
}

Response export_csv(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  std::ostringstream out;
  auto done = services::export_portal_csv(app, *gate.session, out, requester(req));
  if (!done.ok()) return show_data(app, req, *gate.session, &done.error());
  Response r = Response::text(out.str());
  r.headers.set("Content-Type", "text/csv; charset=utf-8");
  return attachment(std::move(r), "my-data.csv");
}

Response export_json(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  auto body = services::export_portal_json(app, *gate.session, requester(req));
  if (!body.ok()) return show_data(app, req, *gate.session, &body.error());
  return attachment(Response::json(std::move(*body)), "my-data.json");
}

Response receipt(App& app, const Request& req) {
  auto gate = require_portal_session(app, req);
  if (!gate.session) return gate.refusal;
  std::string file = req.param("receipt");
  auto account = parse_id(req.param("account"));
  auto id = file.ends_with(".json") ? parse_id(file.substr(0, file.size() - 5)) : std::nullopt;
  if (!account || !id) return no_store(Response::not_found_text());
  auto r = services::portal_receipt(app, *gate.session, *account, *id, requester(req));
  if (!r.ok()) return show_data(app, req, *gate.session, &r.error());
  return attachment(Response::json(r->file_text()),
                    "consent-receipt-" + std::to_string(r->id) + ".json");
}

}  // namespace

void add_portal_routes(http::Router& router, App& app) {
  // Link emails leave through a queue, so a request for a held address answers as fast as one
  // for an unknown address. The queue lives as long as the App.
  if (!app.portal_mail) app.portal_mail = std::make_shared<services::PortalMailQueue>(app);

  auto bind = [&app](Response (*fn)(App&, const Request&)) {
    return [&app, fn](Request& r) { return fn(app, r); };
  };
  router.get("/portal", bind(request_form));
  router.post("/portal", bind(request_submit));
  router.get("/portal/open/{token}", bind(link_page));
  router.post("/portal/open/{token}", bind(link_submit));
  router.get("/portal/data", bind(data));
  router.post("/portal/fields/{account}", bind(amend_fields));
  router.post("/portal/unsubscribe", bind(unsubscribe));
  router.get("/portal/erase", bind(erase_confirm));
  router.post("/portal/erase", bind(erase));
  router.post("/portal/sign-out", bind(sign_out));
  router.get("/portal/export.csv", bind(export_csv));
  router.get("/portal/export.json", bind(export_json));
  router.get("/portal/receipts/{account}/{receipt}", bind(receipt));
}

}  // namespace sm::web
