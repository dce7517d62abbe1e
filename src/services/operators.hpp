// Operators on the web: the person who runs the installation has the command line; to see the
// operator pages (/operator/...) in a browser they mark their own sign-in as an operator with
// `smartmessages operator grant EMAIL`. Only the command line grants or revokes it, so no
// account holder can make themselves one. The pages still need a full sign-in (with 2FA when
// the user has it).
//
// Thread-safe: state lives in the database.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/app.hpp"

namespace sm::services {

// Grants or revokes operator access for the user who signs in with `email`. not_found when
// no user has that address.
Status set_operator(App& app, std::string_view email, bool is_operator);

// False for unknown users and on database errors (the pages then stay closed).
bool is_operator(App& app, std::int64_t user_id);

struct OperatorUser {
  std::int64_t user_id = 0;
  std::int64_t account_id = 0;
  std::string email;
};
Result<std::vector<OperatorUser>> list_operators(App& app);

}  // namespace sm::services
