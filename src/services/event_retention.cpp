#include "services/event_retention.hpp"

#include <vector>

#include "services/campaign_figures.hpp"
#include "store/multi_row_insert.hpp"

namespace sm::services {
namespace {

struct Pending {
  std::int64_t account_id = 0;
  std::int64_t campaign_id = 0;
  Millis from = 0;
};

std::vector<store::Value> hour_row(std::int64_t account, std::int64_t campaign,
                                   const HourFigures& h) {
  return {account,
          campaign,
          h.hour,
          h.deliveries,
          h.opens,
          h.unique_opens,
          h.anonymous_opens,
          h.machine_opens,
          h.clicks,
          h.unique_clicks,
          h.anonymous_clicks,
          h.machine_clicks,
          h.unsubscribes,
          h.bounces,
          h.complaints};
}

// Writes the figures of [from, until) and moves the mark, all at once.
Result<std::int64_t> roll_up_campaign(App& app, const Pending& p, Millis until) {
  return app.db->transact<std::int64_t>([&](store::Connection& c) -> Result<std::int64_t> {
    auto figures = count_figures(c, p.account_id, p.campaign_id, p.from, until);
    if (!figures.ok()) return figures.take_error();
    std::vector<std::vector<store::Value>> hours, links;
    for (const auto& [hour, h] : figures->hours) {
      if (!h.empty()) hours.push_back(hour_row(p.account_id, p.campaign_id, h));
    }
    for (const auto& [key, l] : figures->links) {
      links.push_back({p.account_id, p.campaign_id, key.first, key.second, l.clicks,
                       l.anonymous_clicks, l.machine_clicks});
    }
    if (!hours.empty()) SM_TRY(store::run_named_rows(c, "tracking.insert_campaign_rollup", hours));
    if (!links.empty()) SM_TRY(store::run_named_rows(c, "tracking.insert_link_rollup", links));
    SM_TRY(store::run_named(c, "tracking.set_rolled_until", {p.account_id, p.campaign_id, until}));
    return static_cast<std::int64_t>(hours.size());
  });
}

Result<std::vector<Pending>> campaigns_to_roll_up(App& app, Millis until) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "tracking.campaigns_to_roll_up", {until});
  if (!rows.ok()) return rows.take_error();
  std::vector<Pending> out;
  for (const auto& r : rows->rows) out.push_back({r.integer(0), r.integer(1), r.integer(2)});
  return out;
}

}  // namespace

Result<std::int64_t> roll_up_tracking(App& app) {
  Millis until = ((app.now() - kRollupLag) / kHour) * kHour;
  auto pending = campaigns_to_roll_up(app, until);
  if (!pending.ok()) return pending.take_error();
  std::int64_t rows = 0;
  for (const auto& p : *pending) {
    auto written = roll_up_campaign(app, p, until);
    if (!written.ok()) return written.take_error();
    rows += *written;
  }
  return rows;
}

Result<std::int64_t> delete_old_tracking_events(App& app) {
  auto rolled = roll_up_tracking(app);
  if (!rolled.ok()) return rolled.take_error();
  Millis cutoff = app.now() - kEventRetention;
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto named = store::run_named(**lease, "tracking.delete_old_events", {cutoff});
  if (!named.ok()) return named.take_error();
  auto anonymous = store::run_named(**lease, "tracking.delete_old_anonymous_events", {cutoff});
  if (!anonymous.ok()) return anonymous.take_error();
  return named->affected + anonymous->affected;
}

}  // namespace sm::services
