// Signing in to account pages: password, then the TOTP or a recovery code when 2FA is on;
// password reset by an emailed link, which never bypasses 2FA.
//
// Unknown and known addresses get the same answer and similar timing: an unknown address is
// checked against a dummy hash, so the time spent is the same.
#pragma once

#include <cstdint>
#include <string>

#include "services/app.hpp"
#include "services/sessions.hpp"

namespace sm::services {

constexpr int kMaxFailedSignInsPerAccountHour = 100;

struct SignInOutcome {
  std::string session_token;
  SessionStage stage = SessionStage::full;  // second_factor: ask for the code next
};

Result<SignInOutcome> sign_in(App& app, std::string_view email, std::string_view password,
                              const Requester& who);

// Checks a TOTP or recovery code against the half-session's user and returns the token of
// the full session that replaces it.
Result<std::string> complete_second_factor(App& app, const Session& half, std::string_view code,
                                           const Requester& who);

// Emails a reset link when the address belongs to a user; succeeds the same way when not.
Status request_password_reset(App& app, std::string_view email, const Requester& who);
Status check_reset_link(App& app, std::string_view token);
Status reset_password(App& app, std::string_view token, const std::string& password,
                      const Requester& who);

}  // namespace sm::services
