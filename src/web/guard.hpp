// The gate in front of account pages: finds the session behind the cookie, loads the user and
// the account, checks the CSRF token and Origin of state-changing requests, and enforces roles.
#pragma once

#include <optional>
#include <string>

#include "http/form.hpp"
#include "http/message.hpp"
#include "services/accounts.hpp"
#include "services/app.hpp"
#include "services/sessions.hpp"
#include "services/users.hpp"

namespace sm::web {

struct SignedIn {
  services::Session session;
  services::User user;
  services::Account account;
  std::string csrf;
};

// Editors and owners change things; viewers only look.
bool can_edit(const SignedIn& who);

// The cookie name: __Host-sm_session over https (bound to the host, Secure), sm_session
// otherwise.
std::string session_cookie_name(const services::App& app);
http::Response with_session_cookie(const services::App& app, http::Response r,
                                   const std::string& token);
http::Response clearing_session_cookie(const services::App& app, http::Response r);

// The session token the request carries, if any.
std::optional<std::string> session_token(const services::App& app, const http::Request& req);

// A signed-in, fully authenticated user, or the response to send instead (a redirect to the
// sign-in page). When the operator requires 2FA and the user has none, every page but the
// security pages redirects to the 2FA set-up.
struct Gate {
  std::optional<SignedIn> who;
  http::Response refusal;
};
Gate require_signed_in(services::App& app, const http::Request& req,
                       bool allow_without_2fa = false);

// For POSTs: the Origin (or, without it, the Referer) is this installation's.
bool same_origin(const services::App& app, const http::Request& req);

// For account POSTs: same origin and a valid CSRF token in the form field "csrf". On failure
// the response to send.
std::optional<http::Response> refuse_forgery(services::App& app, const http::Request& req,
                                             const SignedIn& who, const http::FormFields& form);

// The parsed form of a POST, or the 400 page to send.
struct ParsedForm {
  http::FormFields fields;
  std::optional<http::Response> refusal;
};
ParsedForm read_form(services::App& app, const http::Request& req);

}  // namespace sm::web
