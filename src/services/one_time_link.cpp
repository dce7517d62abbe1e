#include "services/one_time_link.hpp"

#include "core/crypto.hpp"

namespace sm::services {
namespace {

Error link_not_valid() {
  return make_error(Errc::not_found,
                    "This link is not valid any more: it was already used, it has expired, or "
                    "it was copied incompletely. Ask for a new one.");
}

}  // namespace

std::string_view purpose_name(LinkPurpose p) {
  switch (p) {
    case LinkPurpose::verify_email:
      return "verify_email";
    case LinkPurpose::reset_password:
      return "reset_password";
    case LinkPurpose::invite:
      return "invite";
  }
  return "";
}

Result<std::string> create_link(App& app, store::Connection& c, LinkPurpose purpose,
                                std::int64_t user_id, Millis valid_for) {
  std::string token = crypto::random_token();
  Millis now = app.now();
  auto r = store::run_named(c, "links.insert",
                            {crypto::sha256_hex(token), std::string(purpose_name(purpose)), user_id,
                             now, now + valid_for});
  if (!r.ok()) return r.take_error();
  return token;
}

Result<std::int64_t> peek_link(App& app, LinkPurpose purpose, std::string_view token) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows =
      store::run_named(**lease, "links.find_valid",
                       {crypto::sha256_hex(token), std::string(purpose_name(purpose)), app.now()});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return link_not_valid();
  return rows->front().integer(0);
}

Result<std::int64_t> consume_link(App& app, store::Connection& c, LinkPurpose purpose,
                                  std::string_view token) {
  Millis now = app.now();
  // The UPDATE both checks and uses the link, so two requests racing with one link cannot
  // both succeed.
  auto rows = store::run_named(
      c, "links.consume", {crypto::sha256_hex(token), std::string(purpose_name(purpose)), now});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return link_not_valid();
  return rows->front().integer(0);
}

}  // namespace sm::services
