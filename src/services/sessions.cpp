#include "services/sessions.hpp"

#include "core/crypto.hpp"

namespace sm::services {
namespace {

Error no_session() {
  return make_error(Errc::unauthorized, "Your session has ended. Please sign in again.");
}

std::string_view stage_name(SessionStage s) {
  return s == SessionStage::full ? "full" : "second_factor";
}

}  // namespace

Result<std::string> start_session(App& app, store::Connection& c, std::int64_t user_id,
                                  std::int64_t account_id, SessionStage stage) {
  std::string token = crypto::random_token();
  Millis now = app.now();
  auto r = store::run_named(
      c, "sessions.insert",
      {crypto::sha256_hex(token), user_id, account_id, std::string(stage_name(stage)), now, now});
  if (!r.ok()) return r.take_error();
  return token;
}

Result<Session> find_session(App& app, std::string_view token) {
  if (token.empty() || token.size() > 100) return no_session();
  std::string hash = crypto::sha256_hex(token);
  Millis now = app.now();

  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "sessions.find", {hash});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_session();

  const auto& r = rows->front();
  Session s{r.integer(0), r.integer(1), r.integer(2),
            r.text(3) == "full" ? SessionStage::full : SessionStage::second_factor, hash};
  Millis created = r.integer(4), last_seen = r.integer(5);
  Millis idle_limit = s.stage == SessionStage::full ? kSessionIdle : kSecondFactorWindow;
  if (now - last_seen > idle_limit || now - created > kSessionAbsolute) {
    (void)store::run_named(**lease, "sessions.delete", {hash});
    return no_session();
  }
  // Touching on every request keeps the idle clock honest; one small UPDATE is cheap next to
  // rendering a page.
  auto touched = store::run_named(**lease, "sessions.touch", {hash, now});
  if (!touched.ok()) return touched.take_error();
  return s;
}

Result<std::string> complete_session(App& app, store::Connection& c, const Session& s) {
  auto del = store::run_named(c, "sessions.delete", {s.token_hash});
  if (!del.ok()) return del.take_error();
  return start_session(app, c, s.user_id, s.account_id, SessionStage::full);
}

Status end_session(App& app, std::string_view token) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "sessions.delete", {crypto::sha256_hex(token)});
  if (!r.ok()) return r.take_error();
  return {};
}

Status end_all_sessions(App& app, std::int64_t user_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "sessions.delete_for_user", {user_id});
  if (!r.ok()) return r.take_error();
  return {};
}

std::string csrf_token(App& app, const Session& s) {
  return crypto::hmac_hex(app.keys->hmac_key(), "csrf:" + s.token_hash);
}

bool csrf_ok(App& app, const Session& s, std::string_view presented) {
  return crypto::constant_time_equal(csrf_token(app, s), presented);
}

}  // namespace sm::services
