// Public subscription pages: sign-up (/s), confirmation (/confirm), unsubscribe (/u, with the
// RFC 8058 one-click POST), preferences (/p) and the consent receipts' public key. None of
// them sets a cookie; the tokens in their URLs are the only capability.
#include <charconv>
#include <nlohmann/json.hpp>

#include "services/form_token.hpp"
#include "services/subscriptions.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

std::string purpose(const services::MailingList& list) { return "subscribe:" + list.public_id; }

std::string clipped(std::string_view v, std::size_t n) { return std::string(v.substr(0, n)); }

services::Evidence evidence_of(const Request& req) {
  return {req.remote_ip, clipped(req.user_agent(), 500), clipped(req.header("Referer"), 2000), ""};
}

void set_controller(TemplateValue& d, const services::Account& a) {
  const auto& c = a.details;
  d.set("organisation", c.organisation).set("postal_address", c.postal_address);
  d.set("contact_email", c.contact_email).set("website", c.website);
  d.set("privacy_contact", c.privacy_contact).set("account_id", TemplateValue::number(a.id));
}

Response no_such_list(App& app) {
  return message_page(app, 404, "No such sign-up page",
                      "There is no list at this address. Check the link you followed, or ask "
                      "the organisation for its sign-up page.");
}

Response bad_link(App& app, const Error& e) {
  if (e.code != Errc::not_found)
    return message_page(app, status_for(e), "Please try again", e.message);
  return message_page(app, 404, "This link is not valid", e.message);
}

// One declared field as the hosted form offers it: a checkbox, a choice or a typed input.
TemplateValue field_input(const services::FieldDefinition& f, const http::FormFields* sent,
                          const Error* error) {
  using services::FieldType;
  const std::string value = sent ? sent->get("f_" + f.key) : std::string();
  TemplateValue row;
  row.set("key", f.key).set("label", f.label).set("value", value);
  row.set("is_boolean", f.type == FieldType::boolean).set("checked", value == "true");
  row.set("is_choice", f.type == FieldType::choice);
  row.set("is_plain", f.type != FieldType::boolean && f.type != FieldType::choice);
  row.set("input_type", f.type == FieldType::number ? "number"
                        : f.type == FieldType::date ? "date"
                                                    : "text");
  TemplateValue::List options;
  for (const auto& c : f.choices) {
    TemplateValue o;
    o.set("option", c).set("selected", c == value);
    options.push_back(std::move(o));
  }
  row.set("options", std::move(options));
  if (error && error->field == f.key) row.set("error", error->message);
  return row;
}

// The hosted form, with the values and errors of a form that was sent.
Response form_page(App& app, const services::MailingList& list, const http::FormFields* sent,
                   const Error* error, bool again) {
  auto account = services::find_account(app, list.account_id);
  auto fields = services::account_fields(app, list.account_id);
  if (!account.ok() || !fields.ok()) return no_such_list(app);
  Page p = narrow_page("Subscribe to " + list.name, "subscribe");
  TemplateValue& d = p.data;
  d.set("list_name", list.name).set("list_description", list.description);
  d.set("public_id", list.public_id).set("button", std::string(services::kSubscribeButton));
  d.set("form_token", services::issue_form_token(app, purpose(list)));
  d.set("again", again);
  set_controller(d, *account);
  TemplateValue::List rows;
  for (const auto& f : *fields) rows.push_back(field_input(f, sent, error));
  d.set("fields", std::move(rows));
  if (sent) d.set("email_value", sent->get("email"));
  if (error) {
    add_error(d, *error);
    p.status = status_for(*error);
  }
  return render(app, std::move(p));
}

Response subscribe_form(App& app, const Request& req) {
  auto list = services::find_list_by_public_id(app, req.param("public_id"));
  if (!list.ok()) return no_such_list(app);
  return form_page(app, *list, nullptr, nullptr, false);
}

services::FormSignup signup_of(const http::FormFields& f) {
  services::FormSignup s;
  s.email = f.get("email");
  s.honeypot_filled = !f.get("homepage").empty();
  for (const auto& [name, value] : f.all()) {
    if (name.starts_with("f_")) s.fields[name.substr(2)] = value;
  }
  return s;
}

// Accepts the hosted page and forms copied onto other sites, so no Origin check: the form
// token is what proves a person saw our page just now.
Response subscribe_submit(App& app, const Request& req) {
  auto list = services::find_list_by_public_id(app, req.param("public_id"));
  if (!list.ok()) return no_such_list(app);
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (!services::form_token_ok(app, purpose(*list), form.fields.get("form_token"))) {
    return form_page(app, *list, &form.fields, nullptr, true);
  }
  services::Evidence ev = evidence_of(req);
  std::string hosted = services::subscribe_url(app, *list);
  ev.form_url = ev.referrer.empty() ? hosted : ev.referrer;
  auto done = services::subscribe_by_form(app, *list, signup_of(form.fields), ev);
  if (!done.ok()) return form_page(app, *list, &form.fields, &done.error(), false);
  Page p = narrow_page("Check your inbox", "subscribe_sent");
  p.data.set("list_name", list->name);
  return render(app, std::move(p));
}

void set_view(TemplateValue& d, const services::SubscriptionView& v) {
  d.set("list_name", v.list.name).set("list_description", v.list.description);
  set_controller(d, v.account);
}

Response confirm_page(App& app, const Request& req) {
  auto view = services::check_confirmation(app, req.param("token"));
  if (!view.ok()) return bad_link(app, view.error());
  Page p = narrow_page("Confirm your subscription", "confirm");
  set_view(p.data, *view);
  p.data.set("token", req.param("token"));
  return render(app, std::move(p));
}

Response confirm_submit(App& app, const Request& req) {
  auto view = services::confirm_subscription(app, req.param("token"), evidence_of(req));
  if (!view.ok()) return bad_link(app, view.error());
  Page p = narrow_page("You are subscribed", "confirm_done");
  set_view(p.data, *view);
  std::string token = services::unsubscribe_token(app, view->subscription);
  p.data.set("unsubscribe_path", "/u/" + token).set("preferences_path", "/p/" + token);
  return render(app, std::move(p));
}

Response unsubscribe_page(App& app, const Request& req) {
  auto view = services::check_unsubscribe_token(app, req.param("token"));
  if (!view.ok()) return Response::not_found_text();
  Page p = narrow_page("Unsubscribe", "unsubscribe");
  set_view(p.data, *view);
  p.data.set("token", req.param("token"));
  p.data.set("already", view->subscription.status == services::SubscriptionStatus::unsubscribed);
  return render(app, std::move(p));
}

// The button on our page and RFC 8058 one-click from a mail client share this URL; neither
// carries a cookie or CSRF token, and the signed token is enough to leave.
Response unsubscribe_submit(App& app, const Request& req) {
  auto form = http::parse_form(req.body);
  bool one_click = form.ok() && form->get("List-Unsubscribe") == "One-Click";
  auto view = services::unsubscribe(app, req.param("token"), evidence_of(req));
  if (!view.ok()) {
    if (view.error().code == Errc::not_found) return Response::not_found_text();
    return one_click ? Response::text(view.error().message + "\n", status_for(view.error()))
                     : bad_link(app, view.error());
  }
  if (one_click) return Response::text("You are unsubscribed from " + view->list.name + ".\n");
  Page p = narrow_page("You are unsubscribed", "unsubscribe_done");
  set_view(p.data, *view);
  p.data.set("token", req.param("token"));
  return render(app, std::move(p));
}

Response preferences_page(App& app, const Request& req, std::string success) {
  auto prefs = services::preferences(app, req.param("token"));
  if (!prefs.ok()) return Response::not_found_text();
  Page p = narrow_page("Your subscriptions", "preferences");
  set_controller(p.data, prefs->account);
  p.data.set("email", prefs->email).set("token", req.param("token"));
  if (!success.empty()) p.data.set("success", std::move(success));
  TemplateValue::List rows;
  for (const auto& choice : prefs->lists) {
    auto status = choice.subscription ? choice.subscription->status
                                      : services::SubscriptionStatus::unsubscribed;
    bool subscribed = choice.subscription && status != services::SubscriptionStatus::unsubscribed;
    TemplateValue row;
    row.set("id", TemplateValue::number(choice.list.id)).set("name", choice.list.name);
    row.set("status",
            choice.subscription ? std::string(services::status_name(status)) : "not subscribed");
    row.set("confirmed", status == services::SubscriptionStatus::confirmed && subscribed);
    row.set("can_leave", subscribed);
    rows.push_back(std::move(row));
  }
  p.data.set("lists", std::move(rows));
  return render(app, std::move(p));
}

Response preferences_submit(App& app, const Request& req) {
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  std::vector<std::int64_t> ids;
  bool all = form.fields.get("all") == "1";
  if (all) {
    auto prefs = services::preferences(app, req.param("token"));
    if (!prefs.ok()) return Response::not_found_text();
    for (const auto& c : prefs->lists) ids.push_back(c.list.id);
  }
  for (const auto& v : form.fields.get_all("leave")) {
    std::int64_t id = 0;
    std::from_chars(v.data(), v.data() + v.size(), id);
    if (id > 0) ids.push_back(id);
  }
  auto done = services::leave_lists(app, req.param("token"), ids, evidence_of(req));
  if (!done.ok()) {
    if (done.error().code == Errc::not_found) return Response::not_found_text();
    return message_page(app, status_for(done.error()), "Please try again", done.error().message);
  }
  return preferences_page(app, req,
                          ids.empty() ? "Nothing changed."
                                      : "Done: you have left "
                                        "the lists you chose.");
}

Response consent_key(App& app, const Request& req) {
  std::string key = app.keys->signing_public_key();
  if (req.header("Accept").find("text/plain") != std::string_view::npos) {
    return Response::text(key + "\n");
  }
  nlohmann::json body = {{"algorithm", "Ed25519"},
                         {"public_key", key},
                         {"encoding", "base64"},
                         {"receipt_format", "{\"receipt\": payload, \"signature\": base64url}"}};
  return Response::json(body.dump(2));
}

}  // namespace

void add_subscription_routes(http::Router& router, App& app) {
  router.get("/s/{public_id}", [&app](Request& r) { return subscribe_form(app, r); });
  router.post("/s/{public_id}", [&app](Request& r) { return subscribe_submit(app, r); });
  router.get("/confirm/{token}", [&app](Request& r) { return confirm_page(app, r); });
  router.post("/confirm/{token}", [&app](Request& r) { return confirm_submit(app, r); });
  router.get("/u/{token}", [&app](Request& r) { return unsubscribe_page(app, r); });
  router.post("/u/{token}", [&app](Request& r) { return unsubscribe_submit(app, r); });
  router.get("/p/{token}", [&app](Request& r) { return preferences_page(app, r, ""); });
  router.post("/p/{token}", [&app](Request& r) { return preferences_submit(app, r); });
  router.get("/.well-known/smartmessages/consent-key",
             [&app](Request& r) { return consent_key(app, r); });
}

}  // namespace sm::web
