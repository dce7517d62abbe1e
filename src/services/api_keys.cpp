#include "services/api_keys.hpp"

#include "core/crypto.hpp"
#include "services/accounts.hpp"

namespace sm::services {

Result<CreatedApiKey> create_api_key(App& app, std::int64_t account_id, std::string_view name) {
  auto account = find_account(app, account_id);
  if (!account.ok()) return account.take_error();
  if (name.size() > 200 || name.find_first_of("\r\n") != std::string_view::npos) {
    return field_error("name", "A key name is one line of at most 200 characters.");
  }

  std::string key = "sm_" + crypto::random_token();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto r = store::run_named(**lease, "api_keys.insert",
                            {account_id, std::string(name.empty() ? "API key" : name),
                             crypto::sha256_hex(key), app.now()});
  if (!r.ok()) return r.take_error();
  return CreatedApiKey{r->front().integer(0), key};
}

Result<std::int64_t> authenticate_api_key(App& app, std::string_view key) {
  auto refused = make_error(Errc::unauthorized,
                            "The API key is missing or not valid. Send it as "
                            "'Authorization: Bearer KEY'; create one with "
                            "'smartmessages apikey create'.");
  if (!key.starts_with("sm_") || key.size() > 100) return refused;
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "api_keys.use", {crypto::sha256_hex(key), app.now()});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return refused;
  return rows->front().integer(0);
}

}  // namespace sm::services
