// Sign-in sessions for account pages. The browser holds 256 random bits in a first-party
// cookie; the database holds only their SHA-256. A session ends after 30 minutes idle or 12
// hours in all, at sign-out, or when the user signs out everywhere.
#pragma once

#include <cstdint>
#include <string>

#include "services/app.hpp"
#include "services/users.hpp"

namespace sm::services {

constexpr Millis kSessionIdle = 30 * kMinute;
constexpr Millis kSessionAbsolute = 12 * kHour;
// A password accepted but the 2FA code still due: that half-session lasts 5 minutes.
constexpr Millis kSecondFactorWindow = 5 * kMinute;

enum class SessionStage { second_factor, full };

struct Session {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t account_id = 0;
  SessionStage stage = SessionStage::full;
  std::string token_hash;  // for deriving the CSRF token; never the token itself
};

// Starts a session and returns the token for the cookie.
Result<std::string> start_session(App& app, store::Connection& c, std::int64_t user_id,
                                  std::int64_t account_id, SessionStage stage);

// The live session of a cookie token, refreshed (last seen now); not_found when the token is
// unknown, idle too long, or too old.
Result<Session> find_session(App& app, std::string_view token);

// Promotes a second-factor session to a full one under a new token (a new one at each
// sign-in step, so a token seen before the code was typed is worthless after).
Result<std::string> complete_session(App& app, store::Connection& c, const Session& s);

Status end_session(App& app, std::string_view token);
Status end_all_sessions(App& app, std::int64_t user_id);

// The CSRF token of a session: an HMAC of its stored hash, so it needs no storage and cannot
// be computed without the installation key.
std::string csrf_token(App& app, const Session& s);
bool csrf_ok(App& app, const Session& s, std::string_view presented);

}  // namespace sm::services
