// Getting into the portal: link requests, links, portal sessions; and the one look-up of an
// address across accounts (portal_holders), which every portal page starts from.
#include "services/portal.hpp"

#include "core/crypto.hpp"
#include "services/audit.hpp"
#include "services/portal_mail.hpp"
#include "services/suppression.hpp"

namespace sm::services {
namespace {

Error link_not_valid() {
  return make_error(Errc::not_found,
                    "This link is not valid any more: it was already used, it is older than "
                    "one hour, or it was copied incompletely. Ask for a new one on the data "
                    "access page.");
}

Error session_ended() {
  return make_error(Errc::unauthorized,
                    "Your portal session has ended (after 30 minutes without use, or when you "
                    "left). Ask for a new link to see your data again.");
}

// Portal tables keep this HMAC, under its own domain, so that it matches no other table's.
std::string address_hmac(const App& app, const EmailAddress& address) {
  return crypto::hmac_hex(app.keys->hmac_key(), "portal:" + address.normalized());
}

// The key sealing an address in a link or session row: it needs the token, which the database
// does not keep, and the installation key, which it does not hold either.
std::string sealing_key(const App& app, std::string_view purpose, std::string_view token) {
  return crypto::hmac_sha256(app.keys->hmac_key(),
                             "portal-" + std::string(purpose) + ":" + std::string(token));
}

std::string seal_address(const App& app, std::string_view purpose, std::string_view token,
                         const EmailAddress& address) {
  return crypto::base64url_encode(
      crypto::seal(sealing_key(app, purpose, token), address.normalized()));
}

Result<EmailAddress> open_address(const App& app, std::string_view purpose, std::string_view token,
                                  const std::string& sealed) {
  auto bytes = crypto::base64url_decode(sealed);
  if (!bytes.ok()) return bytes.take_error();
  auto plain = crypto::open(sealing_key(app, purpose, token), *bytes);
  if (!plain.ok()) return plain.take_error();
  return parse_email_address(*plain);
}

std::string limiter_key(const App& app, std::string_view kind, std::string_view value) {
  return crypto::hmac_hex(app.keys->hmac_key(),
                          "limit:portal:" + std::string(kind) + ":" + std::string(value));
}

// Writes the link row and, when the address is held, queues its email. The same statements run
// for a held and an unknown address, so neither the reply nor its time tells them apart.
Status issue_link(App& app, const EmailAddress& address, const Requester& who) {
  std::string token = crypto::random_token();
  Millis now = app.now();
  auto held = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    auto holders = portal_holders(app, c, address);
    if (!holders.ok()) return holders.take_error();
    SM_TRY(
        store::run_named(c, "portal.insert_link",
                         {crypto::sha256_hex(token), address_hmac(app, address),
                          seal_address(app, "link", token, address), now, now + kPortalLinkLife}));
    return !holders->empty();
  });
  if (!held.ok()) return held.take_error();
  audit_portal(app, "portal_link_requested", who);

  TemplateValue data;
  data.set("portal_url", app.config.http_base_url + "/portal/open/" + token);
  if (*held) send_portal_email(app, "portal_link", address.ascii(), std::move(data));
  return {};
}

Result<std::string> start_session(App& app, store::Connection& c, const EmailAddress& address) {
  std::string token = crypto::random_token();
  auto r = store::run_named(c, "portal.insert_session",
                            {crypto::sha256_hex(token), address_hmac(app, address),
                             seal_address(app, "session", token, address), app.now()});
  if (!r.ok()) return r.take_error();
  return token;
}

}  // namespace

void audit_portal(App& app, std::string_view kind, const Requester& who) {
  audit(app, std::nullopt, std::nullopt, kind, who);
}

// THE cross-account look-up (DESIGN.md, Layers): the only place that asks every account whether
// it holds an address. Callers reach it only with an address the visitor proved to control (a
// portal session) or to ask for a link that is emailed to that address alone.
Result<std::vector<PortalHolder>> portal_holders(App& app, store::Connection& c,
                                                 const EmailAddress& address) {
  auto rows = store::run_named(
      c, "portal.holders_by_address",
      {address.normalized(), suppression_hmac(app, address), suppression_sha256(address)});
  if (!rows.ok()) return rows.take_error();
  std::vector<PortalHolder> out;
  for (const auto& r : rows->rows) out.push_back({r.integer(0), r.integer(1)});
  return out;
}

Status request_portal_link(App& app, std::string_view email, const Requester& who) {
  auto address = parse_email_address(email);
  if (!address.ok()) return address.take_error();
  Millis now = app.now();
  if (!app.portal_links_by_ip.allow(limiter_key(app, "ip", who.ip_address), now)) {
    return make_error(Errc::rate_limited,
                      "There have been too many requests for links from your network in the "
                      "last hour. Please try again later.");
  }
  // Per address the limit is silent: a refusal would tell that the address was asked for,
  // and the owner's mailbox is not flooded either way.
  if (!app.portal_links_by_address.allow(limiter_key(app, "address", address->normalized()), now)) {
    return {};
  }
  return issue_link(app, *address, who);
}

Status check_portal_link(App& app, std::string_view token) {
  if (token.empty() || token.size() > 100) return link_not_valid();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "portal.find_link", {crypto::sha256_hex(token), app.now()});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return link_not_valid();
  return {};
}

Result<std::string> open_portal_link(App& app, std::string_view token, const Requester& who) {
  if (token.empty() || token.size() > 100) return link_not_valid();
  auto session = app.db->transact<std::string>([&](store::Connection& c) -> Result<std::string> {
    Millis now = app.now();
    auto used = store::run_named(c, "portal.use_link", {crypto::sha256_hex(token), now});
    if (!used.ok()) return used.take_error();
    if (used->empty()) return link_not_valid();
    auto address = open_address(app, "link", token, used->front().text(1));
    if (!address.ok()) return link_not_valid();
    // Other links sent for the address stop working: one open door at a time.
    SM_TRY(store::run_named(c, "portal.retire_links_of_address", {used->front().text(0), now}));
    return start_session(app, c, *address);
  });
  audit_portal(app, session.ok() ? "portal_opened" : "portal_link_refused", who);
  return session;
}

Result<PortalSession> find_portal_session(App& app, std::string_view token) {
  if (token.empty() || token.size() > 100) return session_ended();
  std::string hash = crypto::sha256_hex(token);
  Millis now = app.now();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "portal.find_session", {hash});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return session_ended();

  const auto& r = rows->front();
  Millis created = r.integer(3), last_seen = r.integer(4);
  if (now - last_seen > kPortalSessionIdle || now - created > kPortalSessionAbsolute) {
    (void)store::run_named(**lease, "portal.delete_session", {hash});
    return session_ended();
  }
  auto address = open_address(app, "session", token, r.text(2));
  if (!address.ok()) return session_ended();
  auto touched = store::run_named(**lease, "portal.touch_session", {hash, now});
  if (!touched.ok()) return touched.take_error();
  return PortalSession{r.integer(0), hash, std::move(*address)};
}

Status end_portal_session(App& app, std::string_view token, const Requester& who) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "portal.delete_session", {crypto::sha256_hex(token)});
  if (!r.ok()) return r.take_error();
  if (r->affected > 0) audit(app, **lease, std::nullopt, std::nullopt, "portal_signed_out", who);
  return {};
}

std::string portal_csrf_token(const App& app, const PortalSession& s) {
  return crypto::hmac_hex(app.keys->hmac_key(), "portal-csrf:" + s.token_hash);
}

bool portal_csrf_ok(const App& app, const PortalSession& s, std::string_view presented) {
  return crypto::constant_time_equal(portal_csrf_token(app, s), presented);
}

}  // namespace sm::services
