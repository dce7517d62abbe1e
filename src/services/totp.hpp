// Time-based one-time passwords for two-factor sign-in (RFC 6238, through liboath): 30-second
// steps, 6 digits, HMAC-SHA-1, which is what every authenticator app understands.
//
// Secrets are raw bytes; store them sealed with KeyRing::secrets_key(), never in the clear.
//
// Thread-safe: liboath is initialised once on first use; no other shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace sm {

constexpr std::int64_t kTotpStepSeconds = 30;
constexpr int kTotpDigits = 6;

// 20 random bytes (160 bits, the size RFC 4226 recommends for SHA-1).
std::string new_totp_secret();

// The otpauth:// URI an authenticator app reads from a QR code, e.g.
// "otpauth://totp/Smartmessages:jane%40example.com?secret=...&issuer=Smartmessages&...".
// Issuer and label are percent-encoded; the secret is unpadded base32.
// The URI holds the secret: show it to its owner only, never log it.
std::string otpauth_uri(std::string_view secret, std::string_view issuer,
                        std::string_view account_label);

// The time step a moment falls in: floor(seconds since the epoch / 30).
std::int64_t totp_step(Millis at);

// The time step whose code `code` is, looking at the step of `now` and one on either side (for
// clocks a little off), or nothing. Spaces in `code` are ignored; anything else that is not a
// 6-digit number is refused. A step not greater than `last_used_step` is refused, so a code
// can never be used twice: store the returned step and pass it next time (-1 for none yet).
std::optional<std::int64_t> verify_totp(std::string_view secret, std::string_view code, Millis now,
                                        std::int64_t last_used_step);

// The code for the moment `at`; for tests and for showing a set-up check.
std::string totp_code(std::string_view secret, Millis at);

}  // namespace sm
