#include "web/guard.hpp"

#include "web/page.hpp"

namespace sm::web {

std::string session_cookie_name(const services::App& app) {
  return app.config.https() ? "__Host-sm_session" : "sm_session";
}

http::Response with_session_cookie(const services::App& app, http::Response r,
                                   const std::string& token) {
  r.headers.add("Set-Cookie",
                http::session_cookie(session_cookie_name(app), token, app.config.https()));
  r.headers.set("Cache-Control", "no-store");
  return r;
}

http::Response clearing_session_cookie(const services::App& app, http::Response r) {
  r.headers.add("Set-Cookie",
                http::session_cookie(session_cookie_name(app), "", app.config.https(), true));
  return r;
}

std::optional<std::string> session_token(const services::App& app, const http::Request& req) {
  return req.cookie(session_cookie_name(app));
}

Gate require_signed_in(services::App& app, const http::Request& req, bool allow_without_2fa) {
  auto to_login = [&] {
    auto r = http::Response::see_other("/login");
    return Gate{std::nullopt, clearing_session_cookie(app, std::move(r))};
  };
  auto token = session_token(app, req);
  if (!token) return Gate{std::nullopt, http::Response::see_other("/login")};
  auto session = services::find_session(app, *token);
  if (!session.ok()) {
    if (session.error().code == Errc::unauthorized) return to_login();
    return Gate{std::nullopt, message_page(app, status_for(session.error()), "Try again",
                                           session.error().message)};
  }
  if (session->stage != services::SessionStage::full) {
    return Gate{std::nullopt, http::Response::see_other("/login/2fa")};
  }
  auto user = services::find_user(app, session->user_id);
  auto account = services::find_account(app, session->account_id);
  if (!user.ok() || !account.ok()) return to_login();

  if (app.config.accounts_require_2fa && !user->two_factor_enabled && !allow_without_2fa) {
    return Gate{std::nullopt, http::Response::see_other("/account/security/2fa")};
  }
  SignedIn who{*session, *user, *account, services::csrf_token(app, *session)};
  return Gate{std::move(who), {}};
}

bool same_origin(const services::App& app, const http::Request& req) {
  std::string_view origin = req.header("Origin");
  const std::string& base = app.config.http_base_url;
  if (!origin.empty()) return origin == base;
  // Browsers send Origin on POST; without it fall back to the Referer.
  std::string_view referer = req.header("Referer");
  return referer == base || referer.starts_with(base + "/");
}

std::optional<http::Response> refuse_forgery(services::App& app, const http::Request& req,
                                             const SignedIn& who, const http::FormFields& form) {
  if (same_origin(app, req) && services::csrf_ok(app, who.session, form.get("csrf"))) {
    return std::nullopt;
  }
  return message_page(app, 403, "This form has expired",
                      "The form was sent from another site or is too old. Go back, reload "
                      "the page and send it again.",
                      &who);
}

ParsedForm read_form(services::App& app, const http::Request& req) {
  auto form = http::parse_form(req.body);
  if (!form.ok()) {
    return ParsedForm{{},
                      message_page(app, 400, "The form could not be read", form.error().message)};
  }
  return ParsedForm{std::move(*form), std::nullopt};
}

bool can_edit(const SignedIn& who) {
  return services::role_allows(who.user.role, services::Role::editor);
}

}  // namespace sm::web
