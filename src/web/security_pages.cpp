// The security page: two-factor set-up and removal, recovery codes, recent sign-ins, and
// signing out everywhere.
#include "services/audit.hpp"
#include "services/two_factor.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

std::string describe_event(std::string_view kind) {
  if (kind == "sign_in") return "Signed in";
  if (kind == "sign_in_recovery_code") return "Signed in with a recovery code";
  if (kind == "sign_in_failed") return "Failed sign-in";
  if (kind == "sign_in_password_ok") return "Password accepted, code asked";
  if (kind == "second_factor_failed") return "Wrong authentication code";
  if (kind == "sign_out") return "Signed out";
  if (kind == "signed_out_everywhere") return "Signed out everywhere";
  if (kind == "password_reset_requested") return "Password reset asked for";
  if (kind == "password_reset") return "Password changed by reset link";
  if (kind == "two_factor_enabled") return "Two-factor authentication turned on";
  if (kind == "two_factor_disabled") return "Two-factor authentication turned off";
  if (kind == "recovery_codes_regenerated") return "New recovery codes";
  if (kind == "email_verified") return "Email address confirmed";
  if (kind == "account_created") return "Account created";
  if (kind == "user_invited") return "Team member invited";
  if (kind == "invitation_accepted") return "Invitation accepted";
  if (kind == "role_changed") return "Team member's role changed";
  if (kind == "user_removed") return "Team member removed";
  return std::string(kind);
}

Page security_page(App& app, const SignedIn& who) {
  Page p;
  p.title = "Security";
  p.template_name = "security";
  p.signed_in = &who;
  p.data.set("two_factor_enabled", who.user.two_factor_enabled);
  p.data.set("require_2fa", app.config.accounts_require_2fa);
  if (who.user.two_factor_enabled) {
    auto left = services::unused_recovery_codes(app, who.user.id);
    p.data.set("recovery_left", TemplateValue::number(left.ok() ? *left : 0));
  }

  TemplateValue::List events;
  auto recent = services::recent_audit_events(app, who.account.id, 20);
  if (recent.ok()) {
    for (const auto& e : *recent) {
      TemplateValue row;
      row.set("when", format_utc(e.created_at)).set("what", describe_event(e.kind));
      row.set("ip", e.ip_address).set("agent", e.user_agent.substr(0, 120));
      events.push_back(std::move(row));
    }
  }
  p.data.set("events", std::move(events));
  return p;
}

Response security(App& app, const Request& req) {
  auto gate = require_signed_in(app, req, true);
  if (!gate.who) return gate.refusal;
  Page p = security_page(app, *gate.who);
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("disabled")) {
    p.data.set("success", "Two-factor authentication is off.");
  }
  return render(app, std::move(p));
}

Page enrol_page(const SignedIn& who, const services::Enrolment& e) {
  Page p;
  p.title = "Set up two-factor authentication";
  p.template_name = "two_factor_setup";
  p.signed_in = &who;
  // Groups of four are easier to type into an app by hand.
  std::string grouped;
  for (std::size_t i = 0; i < e.secret_base32.size(); ++i) {
    if (i > 0 && i % 4 == 0) grouped += ' ';
    grouped += e.secret_base32[i];
  }
  p.data.set("secret", grouped).set("qr_svg", e.qr_svg).set("otpauth_uri", e.otpauth_uri);
  return p;
}

Response enrol_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req, true);
  if (!gate.who) return gate.refusal;
  if (gate.who->user.two_factor_enabled) return Response::see_other("/account/security");
  auto e = services::begin_enrolment(app, gate.who->user);
  if (!e.ok()) return message_page(app, 500, "Try again", e.error().message, &*gate.who);
  return render(app, enrol_page(*gate.who, *e));
}

Page codes_page(const SignedIn& who, const std::vector<std::string>& codes) {
  Page p;
  p.title = "Save your recovery codes";
  p.template_name = "recovery_codes";
  p.signed_in = &who;
  TemplateValue::List list;
  for (const auto& c : codes) list.emplace_back(c);
  p.data.set("codes", std::move(list));
  return p;
}

Response enrol_submit(App& app, const Request& req) {
  auto gate = require_signed_in(app, req, true);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_forgery(app, req, who, form.fields)) return *r;

  auto codes = services::confirm_enrolment(app, who.user, form.fields.get("code"), requester(req));
  if (!codes.ok()) {
    auto e = services::current_enrolment(app, who.user);
    if (!e.ok()) return message_page(app, 500, "Try again", e.error().message, &who);
    Page p = enrol_page(who, *e);
    add_error(p.data, codes.error());
    p.status = status_for(codes.error());
    return render(app, std::move(p));
  }
  return render(app, codes_page(who, *codes));
}

Response regenerate_codes(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_forgery(app, req, *gate.who, form.fields)) return *r;
  auto codes = services::regenerate_recovery_codes(app, gate.who->user, requester(req));
  if (!codes.ok()) {
    return message_page(app, status_for(codes.error()), "Not possible", codes.error().message,
                        &*gate.who);
  }
  return render(app, codes_page(*gate.who, *codes));
}

Response disable(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_forgery(app, req, *gate.who, form.fields)) return *r;
  if (app.config.accounts_require_2fa) {
    return message_page(app, 403, "Two-factor authentication is required",
                        "The operator of this installation requires two-factor "
                        "authentication, so it cannot be turned off.",
                        &*gate.who);
  }
  auto off =
      services::disable_two_factor(app, gate.who->user, form.fields.get("code"), requester(req));
  if (!off.ok()) {
    Page p = security_page(app, *gate.who);
    add_error(p.data, off.error());
    p.status = status_for(off.error());
    return render(app, std::move(p));
  }
  return Response::see_other("/account/security?disabled=1");
}

Response sign_out_everywhere(App& app, const Request& req) {
  auto gate = require_signed_in(app, req, true);
  if (!gate.who) return gate.refusal;
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_forgery(app, req, *gate.who, form.fields)) return *r;
  services::audit(app, gate.who->account.id, gate.who->user.id, "signed_out_everywhere",
                  requester(req));
  (void)services::end_all_sessions(app, gate.who->user.id);
  return clearing_session_cookie(app, Response::see_other("/login?signed_out=1"));
}

}  // namespace

void add_security_routes(http::Router& router, App& app) {
  router.get("/account/security", [&app](Request& r) { return security(app, r); });
  router.get("/account/security/2fa", [&app](Request& r) { return enrol_form(app, r); });
  router.post("/account/security/2fa", [&app](Request& r) { return enrol_submit(app, r); });
  router.post("/account/security/2fa/disable", [&app](Request& r) { return disable(app, r); });
  router.post("/account/security/recovery-codes",
              [&app](Request& r) { return regenerate_codes(app, r); });
  router.post("/account/security/sign-out-everywhere",
              [&app](Request& r) { return sign_out_everywhere(app, r); });
}

}  // namespace sm::web
