#include "services/subscriber_erasure.hpp"

#include "core/email_address.hpp"
#include "services/suppression.hpp"

namespace sm::services {
namespace {

Error no_such_subscriber() {
  return make_error(Errc::not_found,
                    "There is no such subscriber in this account; they may have been erased "
                    "already.");
}

std::string lowercase(std::string s) {
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return s;
}

}  // namespace

std::string_view erasure_via_name(ErasureVia via) {
  return via == ErasureVia::portal ? "portal" : "account";
}

Status erase_subscriber(App& app, store::Connection& c, std::int64_t account_id,
                        std::int64_t subscriber_id, ErasureVia via) {
  auto rows = store::run_named(c, "subscribers.find", {account_id, subscriber_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_such_subscriber();
  const std::string& as_held = rows->front().text(1);

  // The suppression first: if the address cannot be read back (it was stored before a rule
  // changed) the row still goes, but nothing is left to match an upload against.
  auto address = parse_email_address(as_held);
  if (address.ok()) {
    SM_TRY(suppress(app, c, account_id, *address, SuppressionReason::unsubscribed));
    SM_TRY(store::run_named(c, "erasures.delete_import_refusals_naming",
                            {account_id, address->normalized(), lowercase(as_held)}));
  }
  // Subscriptions, consent events, receipts and deliveries go with the row (ON DELETE
  // CASCADE). Tracking events must do the same when they arrive: they reference deliveries.
  auto deleted = store::run_named(c, "subscribers.delete", {account_id, subscriber_id});
  if (!deleted.ok()) return deleted.take_error();
  if (deleted->affected == 0) return no_such_subscriber();
  SM_TRY(
      store::run_named(c, "erasures.count",
                       {account_id, start_of_day(app.now()), std::string(erasure_via_name(via))}));
  return {};
}

Status erase_subscriber(App& app, std::int64_t account_id, std::int64_t subscriber_id,
                        ErasureVia via) {
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    SM_TRY(erase_subscriber(app, c, account_id, subscriber_id, via));
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

Result<std::vector<ErasureDay>> recent_erasures(App& app, std::int64_t account_id, int limit) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows =
      store::run_named(**lease, "erasures.recent", {account_id, static_cast<std::int64_t>(limit)});
  if (!rows.ok()) return rows.take_error();
  std::vector<ErasureDay> out;
  for (const auto& r : rows->rows) {
    ErasureVia via = r.text(1) == "portal" ? ErasureVia::portal : ErasureVia::account;
    out.push_back({r.integer(0), via, r.integer(2)});
  }
  return out;
}

}  // namespace sm::services
