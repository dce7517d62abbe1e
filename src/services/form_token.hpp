// Signed, time-limited tokens for forms shown before anyone is signed in (sign-up, sign-in,
// password reset and, later, subscription forms). They stand in for a cookie: the page sets
// none, yet a form posted from elsewhere, or long after it was shown, is refused.
#pragma once

#include <string>
#include <string_view>

#include "services/app.hpp"

namespace sm::services {

constexpr Millis kFormTokenLife = 2 * kHour;

// "<issued_ms>.<hmac>" for a form named `purpose`.
std::string issue_form_token(App& app, std::string_view purpose);
// True when the token was issued by this installation for `purpose` within kFormTokenLife.
bool form_token_ok(App& app, std::string_view purpose, std::string_view token);

}  // namespace sm::services
