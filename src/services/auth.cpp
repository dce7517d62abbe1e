#include "services/auth.hpp"

#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "core/log.hpp"
#include "services/audit.hpp"
#include "services/notification.hpp"
#include "services/one_time_link.hpp"
#include "services/password.hpp"
#include "services/two_factor.hpp"

namespace sm::services {
namespace {

constexpr Millis kResetLinkLife = kHour;

Error wrong_credentials() {
  return make_error(Errc::unauthorized, "That email address and password do not match an account.");
}

Error too_many_attempts() {
  return make_error(Errc::rate_limited,
                    "Too many failed sign-ins. Wait a few minutes, or reset your password.");
}

std::string ip_key(const Requester& who) { return crypto::sha256_hex("ip:" + who.ip_address); }

struct Credentials {
  std::int64_t user_id = 0;
  std::int64_t account_id = 0;
  std::string password_hash;
  bool two_factor = false;
};

Result<std::optional<Credentials>> load_credentials(App& app, std::string_view email) {
  auto address = parse_email_address(email);
  if (!address.ok()) return std::optional<Credentials>{};
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "users.credentials_by_email", {address->normalized()});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return std::optional<Credentials>{};
  const auto& r = rows->front();
  return std::optional<Credentials>{
      Credentials{r.integer(0), r.integer(1), r.text(2), !r.is_null(4)}};
}

Result<std::string> open_full_session(App& app, const Credentials& c, SessionStage stage,
                                      const Requester& who) {
  return app.db->transact<std::string>([&](store::Connection& conn) -> Result<std::string> {
    auto token = start_session(app, conn, c.user_id, c.account_id, stage);
    if (token.ok()) {
      audit(app, conn, c.account_id, c.user_id,
            stage == SessionStage::full ? "sign_in" : "sign_in_password_ok", who);
    }
    return token;
  });
}

}  // namespace

Result<SignInOutcome> sign_in(App& app, std::string_view email, std::string_view password,
                              const Requester& who) {
  Millis now = app.now();
  if (app.failed_logins_by_ip.blocked(ip_key(who), now)) return too_many_attempts();

  auto creds = load_credentials(app, email);
  if (!creds.ok()) return creds.take_error();

  // Spend the same time on unknown addresses and on users without a password.
  bool known = creds->has_value() && !(*creds)->password_hash.empty();
  bool match = verify_password(known ? (*creds)->password_hash : dummy_hash(), password);

  if (known) {
    auto failures = count_audit_events(app, (*creds)->account_id, "sign_in_failed", now - kHour);
    if (!failures.ok()) return failures.take_error();
    if (*failures >= kMaxFailedSignInsPerAccountHour) return too_many_attempts();
  }
  if (!known || !match) {
    app.failed_logins_by_ip.allow(ip_key(who), now);
    if (creds->has_value()) {
      audit(app, (*creds)->account_id, (*creds)->user_id, "sign_in_failed", who);
    }
    return wrong_credentials();
  }

  const Credentials& c = **creds;
  SessionStage stage = c.two_factor ? SessionStage::second_factor : SessionStage::full;
  auto token = open_full_session(app, c, stage, who);
  if (!token.ok()) return token.take_error();
  return SignInOutcome{*token, stage};
}

Result<std::string> complete_second_factor(App& app, const Session& half, std::string_view code,
                                           const Requester& who) {
  if (half.stage != SessionStage::second_factor) {
    return make_error(Errc::invalid_input, "You are already signed in.");
  }
  auto checked = check_second_factor(app, half.user_id, code);
  if (!checked.ok()) {
    audit(app, half.account_id, half.user_id, "second_factor_failed", who);
    return checked.take_error();
  }
  return app.db->transact<std::string>([&](store::Connection& c) -> Result<std::string> {
    auto token = complete_session(app, c, half);
    if (token.ok()) {
      audit(app, c, half.account_id, half.user_id,
            *checked == SecondFactor::recovery_code ? "sign_in_recovery_code" : "sign_in", who);
    }
    return token;
  });
}

Status request_password_reset(App& app, std::string_view email, const Requester& who) {
  auto address = parse_email_address(email);
  if (!address.ok()) return address.take_error();
  Millis now = app.now();
  if (!app.reset_requests.allow(ip_key(who), now) ||
      !app.reset_requests.allow(crypto::hmac_hex(app.keys->hmac_key(), address->normalized()),
                                now)) {
    // Silently drop: the page says the same either way, and the owner is not flooded.
    return {};
  }

  auto creds = load_credentials(app, email);
  if (!creds.ok()) return creds.take_error();
  if (!creds->has_value()) return {};
  const Credentials& c = **creds;

  auto token = app.db->transact<std::string>([&](store::Connection& conn) -> Result<std::string> {
    auto revoked = store::run_named(conn, "links.revoke_for_user",
                                    {c.user_id, std::string("reset_password"), now});
    if (!revoked.ok()) return revoked.take_error();
    audit(app, conn, c.account_id, c.user_id, "password_reset_requested", who);
    return create_link(app, conn, LinkPurpose::reset_password, c.user_id, kResetLinkLife);
  });
  if (!token.ok()) return token.take_error();

  TemplateValue data;
  data.set("reset_url", app.config.http_base_url + "/reset/" + *token);
  return send_service_email(app, "reset_password", address->ascii(), data);
}

Status check_reset_link(App& app, std::string_view token) {
  auto user = peek_link(app, LinkPurpose::reset_password, token);
  if (!user.ok()) return user.take_error();
  return {};
}

Status reset_password(App& app, std::string_view token, const std::string& password,
                      const Requester& who) {
  auto user_id = peek_link(app, LinkPurpose::reset_password, token);
  if (!user_id.ok()) return user_id.take_error();
  auto user = find_user(app, *user_id);
  if (!user.ok()) return user.take_error();
  SM_TRY(check_password_policy(password, {user->email, user->name}));
  auto hash = hash_password(password);
  if (!hash.ok()) return hash.take_error();

  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto used = consume_link(app, c, LinkPurpose::reset_password, token);
    if (!used.ok()) return used.take_error();
    auto set = store::run_named(c, "users.set_password", {*used, *hash});
    if (!set.ok()) return set.take_error();
    // A reset link proves control of the address, so the address counts as verified.
    auto verified = store::run_named(c, "users.mark_verified", {*used, app.now()});
    if (!verified.ok()) return verified.take_error();
    // Whoever knew the old password is signed out.
    auto ended = store::run_named(c, "sessions.delete_for_user", {*used});
    if (!ended.ok()) return ended.take_error();
    audit(app, c, user->account_id, *used, "password_reset", who);
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

}  // namespace sm::services
