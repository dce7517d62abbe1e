#include "services/inactive_subscribers.hpp"

#include <string>

namespace sm::services {
namespace {

// Subscribers judged and deleted per transaction, so that a large list neither holds one
// long transaction nor loads every id at once.
constexpr std::int64_t kPage = 500;

Millis cutoff(const App& app, int months) { return app.now() - months * 30 * kDay; }

// One page of the inactive subscribers after `after_id`.
Result<std::vector<std::int64_t>> inactive_page(store::Connection& c, std::int64_t account_id,
                                                Millis since, std::int64_t after_id) {
  auto rows = store::run_named(c, "inactive.page", {account_id, since, after_id, kPage});
  if (!rows.ok()) return rows.take_error();
  std::vector<std::int64_t> ids;
  for (const auto& r : rows->rows) ids.push_back(r.integer(0));
  return ids;
}

// Deletes one account's inactive subscribers, a page per transaction; returns how many.
Result<std::int64_t> delete_for_account(App& app, std::int64_t account_id, int months) {
  const Millis since = cutoff(app, months);
  std::int64_t total = 0;
  std::int64_t after_id = 0;
  for (;;) {
    auto deleted =
        app.db->transact<std::int64_t>([&](store::Connection& c) -> Result<std::int64_t> {
          auto ids = inactive_page(c, account_id, since, after_id);
          if (!ids.ok()) return ids.take_error();
          if (ids->empty()) return std::int64_t{0};
          after_id = ids->back();
          for (std::int64_t id : *ids) {
            SM_TRY(store::run_named(c, "subscribers.delete", {account_id, id}));
          }
          auto n = static_cast<std::int64_t>(ids->size());
          SM_TRY(store::run_named(c, "inactive.count_deleted",
                                  {account_id, start_of_day(app.now()), n}));
          return n;
        });
    if (!deleted.ok()) return deleted.take_error();
    if (*deleted == 0) return total;
    total += *deleted;
  }
}

}  // namespace

Result<InactiveSetting> inactive_setting(App& app, std::int64_t account_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "inactive.setting", {account_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return make_error(Errc::not_found, "There is no such account.");
  const auto& r = rows->front();
  return InactiveSetting{static_cast<int>(r.integer(0)), r.integer(1) == 1};
}

Status set_inactive_months(App& app, std::int64_t account_id, int months) {
  if (months < 0 || months > kMaxInactiveMonths) {
    return field_error("inactive_months",
                       "Choose from 1 to " + std::to_string(kMaxInactiveMonths) +
                           " months, or 0 to keep inactive subscribers: opens and clicks are "
                           "kept only six months, so a longer period could not be judged.");
  }
  auto current = inactive_setting(app, account_id);
  if (!current.ok()) return current.take_error();
  if (months > 0 && !current->tracking) {
    return field_error("inactive_months",
                       "Turn open and click tracking on first: without it there is no "
                       "activity to judge subscribers by.");
  }
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto set = store::run_named(**lease, "inactive.set_months",
                              {account_id, static_cast<std::int64_t>(months)});
  if (!set.ok()) return set.take_error();
  return {};
}

Result<std::int64_t> count_inactive(App& app, std::int64_t account_id, int months) {
  if (months <= 0) return std::int64_t{0};
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  const Millis since = cutoff(app, months);
  std::int64_t count = 0;
  for (std::int64_t after_id = 0;;) {
    auto ids = inactive_page(**lease, account_id, since, after_id);
    if (!ids.ok()) return ids.take_error();
    count += static_cast<std::int64_t>(ids->size());
    if (static_cast<std::int64_t>(ids->size()) < kPage) return count;
    after_id = ids->back();
  }
}

Result<std::int64_t> delete_inactive_subscribers(App& app) {
  std::vector<std::pair<std::int64_t, int>> due;
  {
    auto lease = app.db->acquire();
    if (!lease.ok()) return lease.take_error();
    auto rows = store::run_named(**lease, "inactive.due_accounts", {});
    if (!rows.ok()) return rows.take_error();
    for (const auto& r : rows->rows) due.emplace_back(r.integer(0), static_cast<int>(r.integer(1)));
  }
  std::int64_t total = 0;
  for (const auto& [account_id, months] : due) {
    auto deleted = delete_for_account(app, account_id, months);
    if (!deleted.ok()) return deleted.take_error();
    total += *deleted;
  }
  return total;
}

Result<std::vector<InactiveDeletionDay>> recent_inactive_deletions(App& app,
                                                                   std::int64_t account_id,
                                                                   int limit) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows =
      store::run_named(**lease, "inactive.recent", {account_id, static_cast<std::int64_t>(limit)});
  if (!rows.ok()) return rows.take_error();
  std::vector<InactiveDeletionDay> out;
  for (const auto& r : rows->rows) out.push_back({r.integer(0), r.integer(1)});
  return out;
}

}  // namespace sm::services
