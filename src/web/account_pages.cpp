// The account dashboard, the controller details form and the verification page form.
#include "core/text.hpp"
#include "services/accounts.hpp"
#include "services/inactive_subscribers.hpp"
#include "services/site_verification.hpp"
#include "services/subscriber_erasure.hpp"
#include "services/tracking.hpp"
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

// "2 erasures on 2026-12-03 through the data access portal": what the account holder may
// know of erasures (a count and a day, never whose).
TemplateValue::List erasure_lines(App& app, std::int64_t account_id) {
  TemplateValue::List lines;
  auto days = services::recent_erasures(app, account_id, 5);
  if (!days.ok()) return lines;
  for (const auto& d : *days) {
    std::string count = std::to_string(d.erased) + (d.erased == 1 ? " erasure" : " erasures");
    std::string via = d.via == services::ErasureVia::portal
                          ? "asked for through the data access portal"
                          : "made by your team";
    TemplateValue line;
    line.set("text", count + " on " + format_utc(d.day).substr(0, 10) + ", " + via);
    lines.push_back(std::move(line));
  }
  return lines;
}

// "12 inactive subscribers deleted on 2026-12-03": the rule's work, as a count and a day.
TemplateValue::List inactive_deletion_lines(App& app, std::int64_t account_id) {
  TemplateValue::List lines;
  auto days = services::recent_inactive_deletions(app, account_id, 5);
  if (!days.ok()) return lines;
  for (const auto& d : *days) {
    TemplateValue line;
    line.set("text", std::to_string(d.deleted) + " inactive " +
                         (d.deleted == 1 ? "subscriber" : "subscribers") + " deleted on " +
                         format_utc(d.day).substr(0, 10));
    lines.push_back(std::move(line));
  }
  return lines;
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
  auto erasures = erasure_lines(app, who.account.id);
  p.data.set("has_erasures", !erasures.empty()).set("erasures", std::move(erasures));
  auto inactive = inactive_deletion_lines(app, who.account.id);
  p.data.set("has_inactive_deletions", !inactive.empty());
  p.data.set("inactive_deletions", std::move(inactive));
  return render(app, std::move(p));
}

// The verification section: the link to publish, the page named and its standing.
void set_verification(App& app, TemplateValue& d, std::int64_t account_id) {
  d.set("verify_link", services::verification_link(app, account_id));
  auto v = services::find_site_verification(app, account_id);
  if (!v.ok()) return;
  d.set("verification_page_value", v->page_url);
  if (!v->page_url.empty()) d.set("page_url", v->page_url);
  d.set("verified", v->verified());
  if (v->verified_since) d.set("verified_since", format_utc(*v->verified_since));
  if (v->last_checked_at) {
    d.set("last_checked", format_utc(*v->last_checked_at)).set("last_result", v->last_result);
  }
}

// The inactive-subscriber rule: offered only with tracking on; each choice says how many
// subscribers it would delete now, so the owner knows before choosing it.
void set_inactive(App& app, TemplateValue& d, std::int64_t account_id) {
  auto setting = services::inactive_setting(app, account_id);
  if (!setting.ok()) return;
  d.set("inactive_offered", setting->tracking);
  d.set("inactive_in_force", setting->in_force());
  d.set("inactive_months", TemplateValue::number(setting->months));
  if (!setting->tracking) return;
  TemplateValue::List options;
  for (int months = 0; months <= services::kMaxInactiveMonths; ++months) {
    TemplateValue o;
    o.set("value", TemplateValue::number(months)).set("selected", months == setting->months);
    if (months == 0) {
      o.set("label", "Keep inactive subscribers");
    } else {
      auto n = services::count_inactive(app, account_id, months);
      std::string count = n.ok() ? std::to_string(*n) : "?";
      o.set("label", "Delete after " + std::to_string(months) +
                         (months == 1 ? " month" : " months") + " (would delete " + count +
                         " now)");
    }
    options.push_back(std::move(o));
  }
  d.set("inactive_options", std::move(options));
}

Page details_page(App& app, const SignedIn& who) {
  Page p;
  p.title = "Controller details";
  p.template_name = "details";
  p.signed_in = &who;
  p.data.set("account_id", TemplateValue::number(who.account.id));
  p.data.set("can_edit", who.user.role == services::Role::owner);
  set_verification(app, p.data, who.account.id);
  auto tracking = services::account_tracking_enabled(app, who.account.id);
  p.data.set("tracking_enabled", tracking.ok() && *tracking);
  set_inactive(app, p.data, who.account.id);
  return p;
}

Response details_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  Page p = details_page(app, *gate.who);
  set_details(p.data, gate.who->account.details);
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("saved")) p.data.set("success", "Controller details saved.");
  if (q.ok() && q->has("checked")) p.data.set("success", "Verification page saved and checked.");
  if (q.ok() && q->has("tracking")) p.data.set("success", "Tracking setting saved.");
  if (q.ok() && q->has("inactive")) p.data.set("success", "Inactive subscriber rule saved.");
  return render(app, std::move(p));
}

// An owner's POST on the settings page: signed in, the form read, not forged, and the user an
// owner of the account. Otherwise `refusal` is the answer; `not_allowed` says what only an
// owner may do.
struct OwnerPost {
  std::optional<SignedIn> who;
  http::FormFields fields;
  std::optional<Response> refusal;
};

OwnerPost read_owner_post(App& app, const Request& req, const std::string& not_allowed) {
  OwnerPost post;
  auto gate = require_signed_in(app, req);
  if (!gate.who) {
    post.refusal = std::move(gate.refusal);
    return post;
  }
  auto form = read_form(app, req);
  if (form.refusal) {
    post.refusal = std::move(form.refusal);
  } else if (auto forged = refuse_forgery(app, req, *gate.who, form.fields)) {
    post.refusal = std::move(forged);
  } else if (gate.who->user.role != services::Role::owner) {
    post.refusal = message_page(app, 403, "Not allowed", not_allowed, &*gate.who);
  } else {
    post.who = std::move(gate.who);
    post.fields = std::move(form.fields);
  }
  return post;
}

// The settings page again, with what was typed and why it was refused.
Response details_refused(App& app, const SignedIn& who, const Error& e, const char* error_key,
                         const http::FormFields* typed = nullptr) {
  Page p = details_page(app, who);
  if (typed) {
    keep_values(p.data, *typed);
  } else {
    set_details(p.data, who.account.details);
  }
  if (error_key) {
    p.data.set(error_key, e.message);
  } else {
    add_error(p.data, e);
  }
  p.status = status_for(e);
  return render(app, std::move(p));
}

Response details_submit(App& app, const Request& req) {
  auto post =
      read_owner_post(app, req, "Only an owner of the account can change its controller details.");
  if (post.refusal) return std::move(*post.refusal);

  const auto& f = post.fields;
  services::ControllerDetails d{f.get("organisation"), f.get("contact_name"),
                                f.get("address"),      f.get("email"),
                                f.get("website"),      f.get("privacy_contact")};
  auto saved = services::update_details(app, post.who->account.id, d);
  if (saved.ok()) return Response::see_other("/account/details?saved=1");
  return details_refused(app, *post.who, saved.error(), nullptr, &f);
}

// Names the verification page and checks it at once (the fetch takes up to 10 seconds).
Response verification_submit(App& app, const Request& req) {
  auto post =
      read_owner_post(app, req, "Only an owner of the account can name its verification page.");
  if (post.refusal) return std::move(*post.refusal);

  const std::string url = post.fields.get("verification_page");
  auto saved = services::set_verification_page(app, post.who->account.id, url);
  if (saved.ok()) return Response::see_other("/account/details?checked=1#verification");
  Page p = details_page(app, *post.who);
  set_details(p.data, post.who->account.details);
  p.data.set("verification_page_value", url);
  p.data.set("verification_error", saved.error().message);
  p.status = status_for(saved.error());
  return render(app, std::move(p));
}

// Turns open and click tracking on or off for the account (the owner's choice, as data
// controller).
Response tracking_submit(App& app, const Request& req) {
  auto post =
      read_owner_post(app, req, "Only an owner of the account can turn tracking on or off.");
  if (post.refusal) return std::move(*post.refusal);

  bool on = post.fields.get("tracking") == "on";
  if (auto s = services::set_account_tracking(app, post.who->account.id, on); !s.ok()) {
    return message_page(app, status_for(s.error()), "That did not work", s.error().message,
                        &*post.who);
  }
  return Response::see_other("/account/details?tracking=1#tracking");
}

// The months chosen in the form: 0 to 99, or -1 (refused by the service) for anything else.
int months_choice(std::string_view text) {
  if (text == "0") return 0;
  auto n = parse_id(text);
  return n && *n < 100 ? static_cast<int>(*n) : -1;
}

// Sets how many months without activity make a subscriber inactive (0: keep them).
Response inactive_submit(App& app, const Request& req) {
  auto post = read_owner_post(
      app, req, "Only an owner of the account can choose to delete inactive subscribers.");
  if (post.refusal) return std::move(*post.refusal);

  int months = months_choice(post.fields.get("inactive_months"));
  auto saved = services::set_inactive_months(app, post.who->account.id, months);
  if (saved.ok()) return Response::see_other("/account/details?inactive=1#inactive");
  return details_refused(app, *post.who, saved.error(), "inactive_error");
}

}  // namespace

void add_account_routes(http::Router& router, App& app) {
  router.get("/account", [&app](Request& r) { return dashboard(app, r); });
  router.get("/account/details", [&app](Request& r) { return details_form(app, r); });
  router.post("/account/details", [&app](Request& r) { return details_submit(app, r); });
  router.post("/account/verification", [&app](Request& r) { return verification_submit(app, r); });
  router.post("/account/tracking", [&app](Request& r) { return tracking_submit(app, r); });
  router.post("/account/inactive", [&app](Request& r) { return inactive_submit(app, r); });
}

}  // namespace sm::web
