#include "services/subscriber_activity.hpp"

#include "services/event_retention.hpp"

namespace sm::services {

Result<std::vector<ActivityItem>> subscriber_activity(App& app, std::int64_t account_id,
                                                      std::int64_t subscriber_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows =
      store::run_named(**lease, "tracking.subscriber_activity",
                       {account_id, subscriber_id, app.now() - kEventRetention, kMaxActivityItems});
  if (!rows.ok()) return rows.take_error();
  std::vector<ActivityItem> items;
  for (const auto& r : rows->rows) {
    items.push_back({r.text(0), r.integer(1), r.integer(2), r.text(3), r.integer(4), r.text(5),
                     r.integer(6) == 1});
  }
  return items;
}

}  // namespace sm::services
