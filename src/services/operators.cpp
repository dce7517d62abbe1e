#include "services/operators.hpp"

#include "core/email_address.hpp"
#include "core/log.hpp"

namespace sm::services {

Status set_operator(App& app, std::string_view email, bool grant) {
  auto address = parse_email_address(email);
  if (!address.ok()) return address.take_error();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "operators.set_by_email",
                            {address->normalized(), std::int64_t{grant ? 1 : 0}});
  if (!r.ok()) return r.take_error();
  if (r->affected == 0) {
    return make_error(Errc::not_found,
                      "No user signs in with that address; create the account "
                      "or invite the user first.");
  }
  log::info("operator access {}", grant ? "granted" : "revoked");
  return {};
}

bool is_operator(App& app, std::int64_t user_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return false;
  auto r = store::run_named(**lease, "operators.is_operator", {user_id});
  return r.ok() && !r->empty() && r->front().integer(0) == 1;
}

Result<std::vector<OperatorUser>> list_operators(App& app) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "operators.list");
  if (!rows.ok()) return rows.take_error();
  std::vector<OperatorUser> out;
  for (const auto& row : rows->rows) out.push_back({row.integer(0), row.integer(1), row.text(2)});
  return out;
}

}  // namespace sm::services
