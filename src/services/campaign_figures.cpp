#include "services/campaign_figures.hpp"

#include <limits>

namespace sm::services {
namespace {

constexpr Millis kEndOfTime = std::numeric_limits<Millis>::max();

using Params = std::vector<store::Value>;

void count_named(HourFigures& h, std::string_view kind, bool machine, std::int64_t n) {
  if (kind == "open") (machine ? h.machine_opens : h.opens) += n;
  if (kind == "click") (machine ? h.machine_clicks : h.clicks) += n;
  if (kind == "unsubscribe") h.unsubscribes += n;
}

// Hard bounces, and soft ones that reached the limit, are bounces; complaints are complaints.
void count_bounce(HourFigures& h, std::string_view kind, bool counted_as_hard, std::int64_t n) {
  if (kind == "complaint") h.complaints += n;
  if (kind == "hard" || counted_as_hard) h.bounces += n;
}

void count_anonymous(HourFigures& h, std::string_view kind, bool machine, std::int64_t n) {
  bool open = kind == "open";
  if (machine) {
    (open ? h.machine_opens : h.machine_clicks) += n;
    return;
  }
  (open ? h.opens : h.clicks) += n;
  (open ? h.anonymous_opens : h.anonymous_clicks) += n;
}

HourFigures& hour_of(CampaignFigures& f, Millis hour) {
  HourFigures& h = f.hours[hour];
  h.hour = hour;
  return h;
}

// Runs `query` and hands each row to `use`.
template <class Use>
Status each_row(store::Connection& c, std::string_view query, const Params& params, Use use) {
  auto rows = store::run_named(c, query, params);
  if (!rows.ok()) return rows.take_error();
  for (const auto& r : rows->rows) use(r);
  return {};
}

Status count_events(store::Connection& c, const Params& p, CampaignFigures& f) {
  SM_TRY(each_row(c, "tracking.named_by_hour", p, [&](const store::Row& r) {
    count_named(hour_of(f, r.integer(0)), r.text(1), r.integer(2) == 1, r.integer(3));
  }));
  SM_TRY(each_row(c, "tracking.anonymous_by_hour", p, [&](const store::Row& r) {
    count_anonymous(hour_of(f, r.integer(0)), r.text(1), r.integer(2) == 1, r.integer(3));
  }));
  SM_TRY(each_row(c, "tracking.firsts_by_hour", p, [&](const store::Row& r) {
    HourFigures& h = hour_of(f, r.integer(0));
    (r.text(1) == "open" ? h.unique_opens : h.unique_clicks) += r.integer(2);
  }));
  SM_TRY(each_row(c, "tracking.bounces_by_hour", p, [&](const store::Row& r) {
    count_bounce(hour_of(f, r.integer(0)), r.text(1), r.integer(2) == 1, r.integer(3));
  }));
  return each_row(c, "tracking.sent_by_hour", p, [&](const store::Row& r) {
    hour_of(f, r.integer(0)).deliveries += r.integer(1);
  });
}

Status count_links(store::Connection& c, const Params& p, CampaignFigures& f) {
  SM_TRY(each_row(c, "tracking.named_clicks_by_link", p, [&](const store::Row& r) {
    LinkClicks& l = f.links[{r.integer(1), r.integer(0)}];
    (r.integer(2) == 1 ? l.machine_clicks : l.clicks) += r.integer(3);
  }));
  return each_row(c, "tracking.anonymous_clicks_by_link", p, [&](const store::Row& r) {
    LinkClicks& l = f.links[{r.integer(1), r.integer(0)}];
    if (r.integer(2) == 1) {
      l.machine_clicks += r.integer(3);
    } else {
      l.clicks += r.integer(3);
      l.anonymous_clicks += r.integer(3);
    }
  });
}

HourFigures rollup_row(const store::Row& r) {
  HourFigures h;
  h.hour = r.integer(0);
  std::int64_t* fields[] = {
      &h.deliveries,     &h.opens,        &h.unique_opens,  &h.anonymous_opens,
      &h.machine_opens,  &h.clicks,       &h.unique_clicks, &h.anonymous_clicks,
      &h.machine_clicks, &h.unsubscribes, &h.bounces,       &h.complaints};
  for (std::size_t i = 0; i < std::size(fields); ++i) *fields[i] = r.integer(i + 1);
  return h;
}

}  // namespace

void HourFigures::add(const HourFigures& o) {
  deliveries += o.deliveries;
  opens += o.opens;
  unique_opens += o.unique_opens;
  anonymous_opens += o.anonymous_opens;
  machine_opens += o.machine_opens;
  clicks += o.clicks;
  unique_clicks += o.unique_clicks;
  anonymous_clicks += o.anonymous_clicks;
  machine_clicks += o.machine_clicks;
  unsubscribes += o.unsubscribes;
  bounces += o.bounces;
  complaints += o.complaints;
}

bool HourFigures::empty() const {
  HourFigures zero;
  zero.hour = hour;
  return *this == zero;
}

void LinkClicks::add(const LinkClicks& o) {
  clicks += o.clicks;
  anonymous_clicks += o.anonymous_clicks;
  machine_clicks += o.machine_clicks;
}

void CampaignFigures::add(const CampaignFigures& o) {
  for (const auto& [hour, h] : o.hours) hour_of(*this, hour).add(h);
  for (const auto& [key, l] : o.links) links[key].add(l);
}

Result<CampaignFigures> count_figures(store::Connection& c, std::int64_t account_id,
                                      std::int64_t campaign_id, Millis from, Millis to) {
  Params p{account_id, campaign_id, from, to};
  CampaignFigures f;
  SM_TRY(count_events(c, p, f));
  SM_TRY(count_links(c, p, f));
  return f;
}

Result<CampaignFigures> rolled_up_figures(store::Connection& c, std::int64_t account_id,
                                          std::int64_t campaign_id, Millis until) {
  Params p{account_id, campaign_id, until};
  CampaignFigures f;
  SM_TRY(each_row(c, "tracking.campaign_rollups", p,
                  [&](const store::Row& r) { f.hours[r.integer(0)] = rollup_row(r); }));
  SM_TRY(each_row(c, "tracking.link_rollups", p, [&](const store::Row& r) {
    f.links[{r.integer(1), r.integer(0)}] = {r.integer(2), r.integer(3), r.integer(4)};
  }));
  return f;
}

Result<Millis> rolled_until(store::Connection& c, std::int64_t account_id,
                            std::int64_t campaign_id) {
  auto r = store::run_named(c, "tracking.rolled_until", {account_id, campaign_id});
  if (!r.ok()) return r.take_error();
  return r->empty() ? Millis{0} : r->front().integer(0);
}

Result<CampaignFigures> campaign_figures(store::Connection& c, std::int64_t account_id,
                                         std::int64_t campaign_id) {
  auto until = rolled_until(c, account_id, campaign_id);
  if (!until.ok()) return until.take_error();
  auto figures = rolled_up_figures(c, account_id, campaign_id, *until);
  if (!figures.ok()) return figures.take_error();
  auto recent = count_figures(c, account_id, campaign_id, *until, kEndOfTime);
  if (!recent.ok()) return recent.take_error();
  figures->add(*recent);
  return figures;
}

}  // namespace sm::services
