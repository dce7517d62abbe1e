// Single-use, expiring links sent by email: confirm an address, reset a password, accept an
// invitation. Only a hash of the token is stored, so a leaked database cannot be replayed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "services/app.hpp"

namespace sm::services {

enum class LinkPurpose { verify_email, reset_password, invite };

std::string_view purpose_name(LinkPurpose p);

// Creates a link for `user_id` valid for `valid_for`; returns the token to put in the URL.
Result<std::string> create_link(App& app, store::Connection& c, LinkPurpose purpose,
                                std::int64_t user_id, Millis valid_for);

// The user a still-valid, unused link belongs to, without using it up; for the GET page that
// shows the confirm button.
Result<std::int64_t> peek_link(App& app, LinkPurpose purpose, std::string_view token);

// Marks the link used and returns its user, inside the caller's transaction, so that using
// the link and acting on it commit together. Refuses used and expired links.
Result<std::int64_t> consume_link(App& app, store::Connection& c, LinkPurpose purpose,
                                  std::string_view token);

}  // namespace sm::services
