#include "services/users.hpp"

#include "core/email_address.hpp"
#include "services/accounts.hpp"
#include "services/audit.hpp"
#include "services/notification.hpp"
#include "services/one_time_link.hpp"
#include "services/password.hpp"

namespace sm::services {
namespace {

constexpr Millis kInviteLife = 7 * kDay;

Error owners_only() {
  return make_error(Errc::forbidden, "Only an owner of the account can manage its team.");
}

Result<std::int64_t> count_owners(store::Connection& c, std::int64_t account_id) {
  auto r = store::run_named(c, "users.count_owners", {account_id});
  if (!r.ok()) return r.take_error();
  return r->front().integer(0);
}

Error last_owner() {
  return make_error(Errc::conflict,
                    "An account needs at least one owner. Make someone else an owner first.");
}

}  // namespace

std::string_view role_name(Role r) {
  switch (r) {
    case Role::owner:
      return "owner";
    case Role::editor:
      return "editor";
    case Role::viewer:
      return "viewer";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "owner") return Role::owner;
  if (name == "editor") return Role::editor;
  if (name == "viewer") return Role::viewer;
  return std::nullopt;
}

bool role_allows(Role who, Role needed) {
  auto rank = [](Role r) { return r == Role::owner ? 3 : r == Role::editor ? 2 : 1; };
  return rank(who) >= rank(needed);
}

User user_from_row(const store::Row& r) {
  User u;
  u.id = r.integer(0);
  u.account_id = r.integer(1);
  u.email = r.text(2);
  u.name = r.text(3);
  u.role = parse_role(r.text(4)).value_or(Role::viewer);
  u.has_password = r.integer(5) != 0;
  u.email_verified = r.integer(6) != 0;
  u.two_factor_enabled = r.integer(7) != 0;
  u.created_at = r.integer(8);
  return u;
}

Result<User> find_user(App& app, std::int64_t user_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "users.find", {user_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return make_error(Errc::not_found, "There is no such user.");
  return user_from_row(rows->front());
}

Result<std::vector<User>> list_users(App& app, std::int64_t account_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "users.list_for_account", {account_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<User> users;
  for (const auto& r : rows->rows) users.push_back(user_from_row(r));
  return users;
}

Status invite_user(App& app, const User& inviter, std::string_view email_text, Role role,
                   const Requester& who) {
  if (inviter.role != Role::owner) return owners_only();
  auto email = parse_email_address(email_text);
  if (!email.ok()) return email.take_error();
  auto account = find_account(app, inviter.account_id);
  if (!account.ok()) return account.take_error();

  std::string token;
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto u =
        store::run_named(c, "users.insert",
                         {inviter.account_id, email->display(), email->normalized(), std::string(),
                          std::string(role_name(role)), store::Null{}, store::Null{}, app.now()});
    if (!u.ok()) {
      if (u.error().constraint != Constraint::unique) return u.take_error();
      return field_error("email",
                         "That address already signs in to an account on this installation; "
                         "one address can belong to one account only.");
    }
    auto t = create_link(app, c, LinkPurpose::invite, u->front().integer(0), kInviteLife);
    if (!t.ok()) return t.take_error();
    token = *t;
    audit(app, c, inviter.account_id, inviter.id, "user_invited", who);
    return true;
  });
  if (!done.ok()) return done.take_error();

  TemplateValue data;
  data.set("organisation", account->details.organisation);
  data.set("inviter", inviter.name.empty() ? inviter.email : inviter.name);
  data.set("role", std::string(role_name(role)));
  data.set("invite_url", app.config.http_base_url + "/invite/" + token);
  return send_service_email(app, "invite", email->ascii(), data);
}

Result<User> check_invitation(App& app, std::string_view token) {
  auto user_id = peek_link(app, LinkPurpose::invite, token);
  if (!user_id.ok()) return user_id.take_error();
  return find_user(app, *user_id);
}

Status accept_invitation(App& app, std::string_view token, const std::string& password,
                         const Requester& who) {
  auto invited = check_invitation(app, token);
  if (!invited.ok()) return invited.take_error();
  SM_TRY(check_password_policy(password, {invited->email}));
  auto hash = hash_password(password);
  if (!hash.ok()) return hash.take_error();

  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto user_id = consume_link(app, c, LinkPurpose::invite, token);
    if (!user_id.ok()) return user_id.take_error();
    auto p = store::run_named(c, "users.set_password", {*user_id, *hash});
    if (!p.ok()) return p.take_error();
    auto v = store::run_named(c, "users.mark_verified", {*user_id, app.now()});
    if (!v.ok()) return v.take_error();
    audit(app, c, invited->account_id, *user_id, "invitation_accepted", who);
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

Status change_role(App& app, const User& actor, std::int64_t user_id, Role role,
                   const Requester& who) {
  if (actor.role != Role::owner) return owners_only();
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto target = store::run_named(c, "users.find_in_account", {actor.account_id, user_id});
    if (!target.ok()) return target.take_error();
    if (target->empty()) return make_error(Errc::not_found, "There is no such team member.");
    User t = user_from_row(target->front());
    if (t.role == Role::owner && role != Role::owner) {
      auto owners = count_owners(c, actor.account_id);
      if (!owners.ok()) return owners.take_error();
      if (*owners <= 1) return last_owner();
    }
    auto r = store::run_named(c, "users.set_role",
                              {actor.account_id, user_id, std::string(role_name(role))});
    if (!r.ok()) return r.take_error();
    audit(app, c, actor.account_id, actor.id, "role_changed", who);
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

Status remove_user(App& app, const User& actor, std::int64_t user_id, const Requester& who) {
  if (actor.role != Role::owner) return owners_only();
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto target = store::run_named(c, "users.find_in_account", {actor.account_id, user_id});
    if (!target.ok()) return target.take_error();
    if (target->empty()) return make_error(Errc::not_found, "There is no such team member.");
    if (user_from_row(target->front()).role == Role::owner) {
      auto owners = count_owners(c, actor.account_id);
      if (!owners.ok()) return owners.take_error();
      if (*owners <= 1) return last_owner();
    }
    auto r = store::run_named(c, "users.delete", {actor.account_id, user_id});
    if (!r.ok()) return r.take_error();
    audit(app, c, actor.account_id, actor.id, "user_removed", who);
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

}  // namespace sm::services
