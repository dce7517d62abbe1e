// Two-factor authentication with TOTP (RFC 6238): enrolment from a QR code, confirmation with
// a first code, ten single-use recovery codes, and the check at sign-in. The secret is stored
// sealed under the installation's secrets key; each accepted code's time step is stored so
// that no code works twice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/app.hpp"
#include "services/users.hpp"

namespace sm::services {

struct Enrolment {
  std::string secret_base32;  // shown for typing into an app by hand
  std::string otpauth_uri;
  std::string qr_svg;  // the URI as an inline SVG QR code
};

// Starts (or restarts) enrolment with a fresh secret.
Result<Enrolment> begin_enrolment(App& app, const User& user);
// The enrolment in progress, for showing the page again after a wrong code.
Result<Enrolment> current_enrolment(App& app, const User& user);

// Confirms enrolment with a first code; returns the recovery codes, shown once.
Result<std::vector<std::string>> confirm_enrolment(App& app, const User& user,
                                                   std::string_view code, const Requester& who);

// Turns 2FA off; needs a current code, so a stolen session alone cannot remove it.
Status disable_two_factor(App& app, const User& user, std::string_view code, const Requester& who);

// New recovery codes replace the old ones.
Result<std::vector<std::string>> regenerate_recovery_codes(App& app, const User& user,
                                                           const Requester& who);
Result<std::int64_t> unused_recovery_codes(App& app, std::int64_t user_id);

enum class SecondFactor { totp, recovery_code };

// Checks a TOTP code (spaces allowed) or a recovery code for a user with 2FA on, and uses it up.
Result<SecondFactor> check_second_factor(App& app, std::int64_t user_id, std::string_view code);

}  // namespace sm::services
