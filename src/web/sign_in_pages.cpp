// Sign-up, the contact email check, sign-in with the second factor, sign-out, and the
// password reset. None of these pages sets a cookie until someone signs in.
#include "services/accounts.hpp"
#include "services/audit.hpp"
#include "services/auth.hpp"
#include "services/form_token.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

Page form_page(App& app, std::string title, std::string tmpl, std::string_view purpose) {
  Page p;
  p.title = std::move(title);
  p.template_name = std::move(tmpl);
  p.narrow = true;
  p.data.set("form_token", services::issue_form_token(app, purpose));
  return p;
}

// Public forms carry a signed token instead of a cookie, and must come from our own pages.
std::optional<Response> refuse_public_form(App& app, const Request& req,
                                           const http::FormFields& form, std::string_view purpose) {
  if (same_origin(app, req) && services::form_token_ok(app, purpose, form.get("form_token"))) {
    return std::nullopt;
  }
  return message_page(app, 403, "This form has expired",
                      "The form is too old or was sent from another site. Go back, reload "
                      "the page and send it again.");
}

Response signup_form(App& app, const Request&) {
  if (!app.config.accounts_open_signup) {
    return message_page(app, 403, "Sign-up is closed",
                        "This installation does not take new sign-ups. Ask its operator for "
                        "an account.");
  }
  return render(app, form_page(app, "Create your account", "signup", "signup"));
}

Response signup_submit(App& app, const Request& req) {
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  const auto& f = form.fields;
  if (auto r = refuse_public_form(app, req, f, "signup")) return *r;

  services::SignupForm s;
  s.details = {f.get("organisation"), f.get("contact_name"), f.get("address"),
               f.get("email"),        f.get("website"),      ""};
  s.password = f.get("password");
  auto created = services::sign_up(app, s, requester(req));
  if (created.ok()) return Response::see_other("/signup/check-email");

  Page p = form_page(app, "Create your account", "signup", "signup");
  add_error(p.data, created.error());
  keep_values(p.data, f);
  p.status = status_for(created.error());
  return render(app, std::move(p));
}

Response check_email_page(App& app, const Request&) {
  Page p = narrow_page("Check your email", "check_email");
  return render(app, std::move(p));
}

Response verify_email_page(App& app, const Request& req) {
  std::string token = req.param("token");
  if (auto ok = services::check_email_verification(app, token); !ok.ok()) {
    return message_page(app, 404, "This link is not valid", ok.error().message);
  }
  Page p = narrow_page("Confirm your email address", "verify_email");
  return render(app, std::move(p));
}

Response verify_email_submit(App& app, const Request& req) {
  if (!same_origin(app, req)) {
    return message_page(app, 403, "This form has expired",
                        "Open the link from your email again and press the button.");
  }
  auto done = services::verify_email(app, req.param("token"), requester(req));
  if (!done.ok()) {
    return message_page(app, status_for(done.error()), "This link is not valid",
                        done.error().message);
  }
  return Response::see_other("/login?verified=1");
}

Response login_form(App& app, const Request& req) {
  Page p = form_page(app, "Sign in", "login", "login");
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("verified")) {
    p.data.set("success", "Your email address is confirmed. You can sign in now.");
  }
  if (q.ok() && q->has("signed_out")) p.data.set("info", "You have signed out.");
  if (q.ok() && q->has("reset")) {
    p.data.set("success", "Your password is changed. Sign in with the new one.");
  }
  return render(app, std::move(p));
}

Response login_submit(App& app, const Request& req) {
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  const auto& f = form.fields;
  if (auto r = refuse_public_form(app, req, f, "login")) return *r;

  auto outcome = services::sign_in(app, f.get("email"), f.get("password"), requester(req));
  if (!outcome.ok()) {
    Page p = form_page(app, "Sign in", "login", "login");
    add_error(p.data, outcome.error());
    keep_values(p.data, f);
    p.status = status_for(outcome.error());
    return render(app, std::move(p));
  }
  bool full = outcome->stage == services::SessionStage::full;
  return with_session_cookie(app, Response::see_other(full ? "/account" : "/login/2fa"),
                             outcome->session_token);
}

// The half-session between password and code.
std::optional<services::Session> pending_second_factor(App& app, const Request& req) {
  auto token = session_token(app, req);
  if (!token) return std::nullopt;
  auto s = services::find_session(app, *token);
  if (!s.ok() || s->stage != services::SessionStage::second_factor) return std::nullopt;
  return *s;
}

Response second_factor_form(App& app, const Request& req) {
  if (!pending_second_factor(app, req)) return Response::see_other("/login");
  Page p = narrow_page("Two-factor authentication", "login_2fa");
  return render(app, std::move(p));
}

Response second_factor_submit(App& app, const Request& req) {
  auto half = pending_second_factor(app, req);
  if (!half) return Response::see_other("/login");
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (!same_origin(app, req)) return Response::see_other("/login");

  auto token =
      services::complete_second_factor(app, *half, form.fields.get("code"), requester(req));
  if (!token.ok()) {
    Page p;
    p.title = "Two-factor authentication";
    p.template_name = "login_2fa";
    p.narrow = true;
    add_error(p.data, token.error());
    p.status = status_for(token.error());
    return render(app, std::move(p));
  }
  return with_session_cookie(app, Response::see_other("/account"), *token);
}

Response logout_submit(App& app, const Request& req) {
  if (!same_origin(app, req)) return Response::see_other("/account");
  if (auto token = session_token(app, req)) {
    auto gate = require_signed_in(app, req, true);
    if (gate.who) {
      services::audit(app, gate.who->user.account_id, gate.who->user.id, "sign_out",
                      requester(req));
    }
    (void)services::end_session(app, *token);
  }
  return clearing_session_cookie(app, Response::see_other("/login?signed_out=1"));
}

Response forgot_form(App& app, const Request&) {
  return render(app, form_page(app, "Reset your password", "forgot", "forgot"));
}

Response forgot_submit(App& app, const Request& req) {
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_public_form(app, req, form.fields, "forgot")) return *r;
  auto asked = services::request_password_reset(app, form.fields.get("email"), requester(req));
  if (!asked.ok() && asked.error().code == Errc::invalid_input) {
    Page p = form_page(app, "Reset your password", "forgot", "forgot");
    add_error(p.data, asked.error());
    keep_values(p.data, form.fields);
    p.status = 422;
    return render(app, std::move(p));
  }
  // Known or unknown, sent or throttled: the same answer, so the page reveals nothing.
  return message_page(app, 200, "Check your email",
                      "If an account uses that address, a reset link is on its way. It works "
                      "once and expires in one hour.");
}

Response reset_form(App& app, const Request& req) {
  if (auto ok = services::check_reset_link(app, req.param("token")); !ok.ok()) {
    return message_page(app, 404, "This link is not valid", ok.error().message);
  }
  Page p = form_page(app, "Choose a new password", "reset", "reset");
  return render(app, std::move(p));
}

Response reset_submit(App& app, const Request& req) {
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_public_form(app, req, form.fields, "reset")) return *r;
  auto done = services::reset_password(app, req.param("token"), form.fields.get("password"),
                                       requester(req));
  if (!done.ok()) {
    if (done.error().code == Errc::not_found) {
      return message_page(app, 404, "This link is not valid", done.error().message);
    }
    Page p = form_page(app, "Choose a new password", "reset", "reset");
    add_error(p.data, done.error());
    p.status = status_for(done.error());
    return render(app, std::move(p));
  }
  return Response::see_other("/login?reset=1");
}

}  // namespace

void add_sign_in_routes(http::Router& router, App& app) {
  auto bind = [&app](Response (*fn)(App&, const Request&)) {
    return [&app, fn](Request& req) { return fn(app, req); };
  };
  router.get("/signup", bind(signup_form));
  router.post("/signup", bind(signup_submit));
  router.get("/signup/check-email", bind(check_email_page));
  router.get("/verify-email/{token}", bind(verify_email_page));
  router.post("/verify-email/{token}", bind(verify_email_submit));
  router.get("/login", bind(login_form));
  router.post("/login", bind(login_submit));
  router.get("/login/2fa", bind(second_factor_form));
  router.post("/login/2fa", bind(second_factor_submit));
  router.post("/logout", bind(logout_submit));
  router.get("/forgot", bind(forgot_form));
  router.post("/forgot", bind(forgot_submit));
  router.get("/reset/{token}", bind(reset_form));
  router.post("/reset/{token}", bind(reset_submit));
}

}  // namespace sm::web
