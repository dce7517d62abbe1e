#include "services/audit.hpp"

#include "core/log.hpp"

namespace sm::services {
namespace {

store::Value optional_id(std::optional<std::int64_t> id) {
  if (!id) return store::Null{};
  return *id;
}

}  // namespace

void audit(App& app, store::Connection& c, std::optional<std::int64_t> account_id,
           std::optional<std::int64_t> user_id, std::string_view kind, const Requester& who) {
  auto r = store::run_named(c, "audit.insert",
                            {optional_id(account_id), optional_id(user_id), std::string(kind),
                             who.ip_address, who.user_agent, app.now()});
  if (!r.ok()) log::error("audit write failed kind={} detail={}", kind, r.error().detail);
}

void audit(App& app, std::optional<std::int64_t> account_id, std::optional<std::int64_t> user_id,
           std::string_view kind, const Requester& who) {
  auto lease = app.db->acquire();
  if (!lease.ok()) {
    log::error("audit write failed kind={} detail={}", kind, lease.error().detail);
    return;
  }
  audit(app, **lease, account_id, user_id, kind, who);
}

Result<std::vector<AuditEvent>> recent_audit_events(App& app, std::int64_t account_id, int limit) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "audit.recent_for_account",
                               {account_id, static_cast<std::int64_t>(limit)});
  if (!rows.ok()) return rows.take_error();

  std::vector<AuditEvent> events;
  for (const auto& r : rows->rows) {
    events.push_back(
        {r.integer(0), r.optional_integer(1), r.text(2), r.text(3), r.text(4), r.integer(5)});
  }
  return events;
}

Result<std::int64_t> count_audit_events(App& app, std::int64_t account_id, std::string_view kind,
                                        Millis since) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows =
      store::run_named(**lease, "audit.count_kind_since", {account_id, std::string(kind), since});
  if (!rows.ok()) return rows.take_error();
  return rows->front().integer(0);
}

}  // namespace sm::services
