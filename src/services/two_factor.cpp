#include "services/two_factor.hpp"

#include "core/crypto.hpp"
#include "services/accounts.hpp"
#include "services/audit.hpp"
#include "services/qr_svg.hpp"
#include "services/recovery_codes.hpp"
#include "services/totp.hpp"

namespace sm::services {
namespace {

Error wrong_code() {
  return field_error("code",
                     "That code is not right. Type the 6-digit code your app shows now, or one "
                     "of your recovery codes.");
}

Error code_reused() {
  return field_error("code",
                     "That code has already been used. Wait for your app to show the next code "
                     "and type that one.");
}

std::string seal_secret(App& app, const std::string& secret) {
  return crypto::base64url_encode(crypto::seal(app.keys->secrets_key(), secret));
}

Result<std::string> unseal_secret(App& app, const std::string& sealed) {
  auto raw = crypto::base64url_decode(sealed);
  if (!raw.ok()) return raw.take_error();
  return crypto::open(app.keys->secrets_key(), *raw);
}

Result<Enrolment> describe(App& app, const User& user, const std::string& secret) {
  auto account = find_account(app, user.account_id);
  if (!account.ok()) return account.take_error();
  Enrolment e;
  e.secret_base32 = crypto::base32_encode(secret);
  e.otpauth_uri = otpauth_uri(secret, "Smartmessages", user.email);
  e.qr_svg = qr_svg(e.otpauth_uri, "QR code to scan with your authenticator app");
  return e;
}

bool looks_like_totp(std::string_view code) {
  int digits = 0;
  for (char c : code) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != ' ') {
      return false;
    }
  }
  return digits == 6;
}

Result<std::vector<std::string>> store_recovery_codes(App& app, store::Connection& c,
                                                      std::int64_t user_id) {
  auto del = store::run_named(c, "recovery_codes.delete_for_user", {user_id});
  if (!del.ok()) return del.take_error();
  auto codes = new_recovery_codes();
  for (const auto& code : codes) {
    auto r = store::run_named(c, "recovery_codes.insert",
                              {user_id, hash_recovery_code(app.keys->hmac_key(), code)});
    if (!r.ok()) return r.take_error();
  }
  return codes;
}

// Checks a TOTP code and records its step, so that the same code fails the next time.
Status use_totp(App& app, store::Connection& c, std::int64_t user_id, const std::string& secret,
                std::int64_t last_step, std::string_view code) {
  auto step = verify_totp(secret, code, app.now(), -1);
  if (!step) return wrong_code();
  if (*step <= last_step) return code_reused();
  auto r = store::run_named(c, "users.use_totp_step", {user_id, *step});
  if (!r.ok()) return r.take_error();
  // A concurrent request used this step first.
  if (r->affected == 0) return code_reused();
  return {};
}

}  // namespace

Result<Enrolment> begin_enrolment(App& app, const User& user) {
  std::string secret = new_totp_secret();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "users.set_totp_pending", {user.id, seal_secret(app, secret)});
  if (!r.ok()) return r.take_error();
  return describe(app, user, secret);
}

Result<Enrolment> current_enrolment(App& app, const User& user) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "users.pending_totp", {user.id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty() || rows->front().is_null(0)) return begin_enrolment(app, user);
  auto secret = unseal_secret(app, rows->front().text(0));
  if (!secret.ok()) return begin_enrolment(app, user);
  return describe(app, user, *secret);
}

Result<std::vector<std::string>> confirm_enrolment(App& app, const User& user,
                                                   std::string_view code, const Requester& who) {
  return app.db->transact<std::vector<std::string>>(
      [&](store::Connection& c) -> Result<std::vector<std::string>> {
        auto rows = store::run_named(c, "users.pending_totp", {user.id});
        if (!rows.ok()) return rows.take_error();
        if (rows->empty() || rows->front().is_null(0)) {
          return make_error(Errc::conflict,
                            "Two-factor set-up was not started. Start again from the "
                            "security page.");
        }
        auto secret = unseal_secret(app, rows->front().text(0));
        if (!secret.ok()) return secret.take_error();
        auto step = verify_totp(*secret, code, app.now(), -1);
        if (!step) return wrong_code();
        auto on = store::run_named(c, "users.enable_totp", {user.id, *step});
        if (!on.ok()) return on.take_error();
        audit(app, c, user.account_id, user.id, "two_factor_enabled", who);
        return store_recovery_codes(app, c, user.id);
      });
}

Result<SecondFactor> check_second_factor(App& app, std::int64_t user_id, std::string_view code) {
  return app.db->transact<SecondFactor>([&](store::Connection& c) -> Result<SecondFactor> {
    auto rows = store::run_named(c, "users.second_factor", {user_id});
    if (!rows.ok()) return rows.take_error();
    if (rows->empty() || rows->front().is_null(0)) return wrong_code();
    if (looks_like_totp(code)) {
      auto secret = unseal_secret(app, rows->front().text(0));
      if (!secret.ok()) return secret.take_error();
      SM_TRY(use_totp(app, c, user_id, *secret, rows->front().integer(1), code));
      return SecondFactor::totp;
    }
    auto used = store::run_named(
        c, "recovery_codes.use",
        {user_id, hash_recovery_code(app.keys->hmac_key(), std::string(code)), app.now()});
    if (!used.ok()) return used.take_error();
    if (used->affected == 0) return wrong_code();
    return SecondFactor::recovery_code;
  });
}

Status disable_two_factor(App& app, const User& user, std::string_view code, const Requester& who) {
  auto checked = check_second_factor(app, user.id, code);
  if (!checked.ok()) return checked.take_error();
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto off = store::run_named(c, "users.disable_totp", {user.id});
    if (!off.ok()) return off.take_error();
    auto del = store::run_named(c, "recovery_codes.delete_for_user", {user.id});
    if (!del.ok()) return del.take_error();
    audit(app, c, user.account_id, user.id, "two_factor_disabled", who);
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

Result<std::vector<std::string>> regenerate_recovery_codes(App& app, const User& user,
                                                           const Requester& who) {
  if (!user.two_factor_enabled) {
    return make_error(Errc::conflict, "Turn on two-factor authentication first.");
  }
  return app.db->transact<std::vector<std::string>>(
      [&](store::Connection& c) -> Result<std::vector<std::string>> {
        audit(app, c, user.account_id, user.id, "recovery_codes_regenerated", who);
        return store_recovery_codes(app, c, user.id);
      });
}

Result<std::int64_t> unused_recovery_codes(App& app, std::int64_t user_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "recovery_codes.count_unused", {user_id});
  if (!rows.ok()) return rows.take_error();
  return rows->front().integer(0);
}

}  // namespace sm::services
