// The people who sign in to an account: an owner, and editors and viewers the owner invites.
// Roles are enforced here, on the server, not by hiding buttons.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/app.hpp"

namespace sm::services {

enum class Role { owner, editor, viewer };

std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view name);
// True when `who` may do what needs at least `needed` (owner > editor > viewer).
bool role_allows(Role who, Role needed);

struct User {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string email;
  std::string name;
  Role role = Role::viewer;
  bool has_password = false;
  bool email_verified = false;
  bool two_factor_enabled = false;
  Millis created_at = 0;
};

Result<User> find_user(App& app, std::int64_t user_id);
Result<std::vector<User>> list_users(App& app, std::int64_t account_id);

// The owner invites someone by email; they get a link to set a password (valid 7 days).
Status invite_user(App& app, const User& inviter, std::string_view email, Role role,
                   const Requester& who);
// The invitation link's GET: the invited user, or an error when the link is not valid.
Result<User> check_invitation(App& app, std::string_view token);
// Accepting: sets the password (checked by the policy) and confirms the address.
Status accept_invitation(App& app, std::string_view token, const std::string& password,
                         const Requester& who);

Status change_role(App& app, const User& actor, std::int64_t user_id, Role role,
                   const Requester& who);
Status remove_user(App& app, const User& actor, std::int64_t user_id, const Requester& who);

// Maps a user row (columns of users.select_columns) to a User.
User user_from_row(const store::Row& r);

}  // namespace sm::services
