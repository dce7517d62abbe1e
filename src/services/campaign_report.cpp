#include "services/campaign_report.hpp"

#include <ctime>

namespace sm::services {
namespace {

Error no_campaign() {
  return make_error(Errc::not_found, "There is no such campaign in this account.");
}

void set_state(DeliveryStates& s, std::string_view status, std::int64_t n) {
  if (status == "queued") s.queued = n;
  if (status == "sending") s.sending = n;
  if (status == "sent") s.sent = n;
  if (status == "failed") s.failed = n;
  if (status == "bounced") s.bounced = n;
  if (status == "unknown") s.unknown = n;
}

Status read_campaign(store::Connection& c, std::int64_t account_id, std::int64_t campaign_id,
                     CampaignReport& r) {
  auto rows = store::run_named(c, "tracking.report_campaign", {account_id, campaign_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return no_campaign();
  const store::Row& row = rows->front();
  r.campaign_id = row.integer(0);
  r.name = row.text(1);
  r.status = row.text(2);
  r.started_at = row.optional_integer(3);
  r.finished_at = row.optional_integer(4);
  r.track_opens = row.integer(5) == 1;
  r.track_clicks = row.integer(6) == 1;
  auto account = store::run_named(c, "tracking.account_enabled", {account_id});
  if (!account.ok()) return account.take_error();
  r.account_tracking = !account->empty() && account->front().integer(0) == 1;
  return {};
}

Status read_states(store::Connection& c, std::int64_t account_id, std::int64_t campaign_id,
                   DeliveryStates& s) {
  auto rows = store::run_named(c, "tracking.delivery_states", {account_id, campaign_id});
  if (!rows.ok()) return rows.take_error();
  for (const auto& r : rows->rows) set_state(s, r.text(0), r.integer(1));
  return {};
}

// Every stored link with its clicks summed over the hours.
Result<std::vector<LinkReport>> link_reports(store::Connection& c, std::int64_t account_id,
                                             std::int64_t campaign_id, const CampaignFigures& f) {
  auto rows = store::run_named(c, "tracking.campaign_links", {account_id, campaign_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<LinkReport> links;
  for (const auto& r : rows->rows) links.push_back({r.integer(0), r.text(1), {}});
  for (const auto& [key, clicks] : f.links) {
    for (auto& l : links) {
      if (l.index == key.first) l.clicks.add(clicks);
    }
  }
  return links;
}

void summarise(const CampaignFigures& f, CampaignReport& r) {
  for (const auto& [hour, h] : f.hours) {
    if (h.empty()) continue;
    r.hours.push_back(h);
    r.totals.add(h);
  }
  r.totals.hour = 0;
}

double rate(std::int64_t part, std::int64_t whole) {
  return whole <= 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

std::string iso_hour(Millis hour) {
  std::time_t seconds = static_cast<std::time_t>(hour / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string figures_columns(const HourFigures& h) {
  std::string out;
  for (std::int64_t n : {h.deliveries, h.opens, h.unique_opens, h.anonymous_opens, h.machine_opens,
                         h.clicks, h.unique_clicks, h.anonymous_clicks, h.machine_clicks,
                         h.unsubscribes, h.bounces, h.complaints}) {
    out += "," + std::to_string(n);
  }
  return out;
}

}  // namespace

double CampaignReport::open_rate() const { return rate(totals.unique_opens, totals.deliveries); }

double CampaignReport::click_rate() const { return rate(totals.unique_clicks, totals.deliveries); }

Result<CampaignReport> campaign_report(App& app, std::int64_t account_id,
                                       std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  store::Connection& c = **lease;
  CampaignReport r;
  SM_TRY(read_campaign(c, account_id, campaign_id, r));
  SM_TRY(read_states(c, account_id, campaign_id, r.states));
  auto figures = campaign_figures(c, account_id, campaign_id);
  if (!figures.ok()) return figures.take_error();
  summarise(*figures, r);
  auto links = link_reports(c, account_id, campaign_id, *figures);
  if (!links.ok()) return links.take_error();
  r.links = std::move(*links);
  return r;
}

Result<std::vector<CampaignReport>> recent_campaign_reports(App& app, std::int64_t account_id,
                                                            std::int64_t limit) {
  std::vector<std::int64_t> ids;
  {
    auto lease = app.db->acquire();
    if (!lease.ok()) return lease.take_error();
    auto rows = store::run_named(**lease, "tracking.recent_campaigns", {account_id, limit});
    if (!rows.ok()) return rows.take_error();
    for (const auto& r : rows->rows) ids.push_back(r.integer(0));
  }
  std::vector<CampaignReport> reports;
  for (std::int64_t id : ids) {
    auto report = campaign_report(app, account_id, id);
    if (!report.ok()) return report.take_error();
    reports.push_back(std::move(*report));
  }
  return reports;
}

std::string campaign_report_csv(const CampaignReport& report) {
  std::string out =
      "row,hour_utc,link_index,url,deliveries,opens,unique_opens,anonymous_opens,machine_opens,"
      "clicks,unique_clicks,anonymous_clicks,machine_clicks,unsubscribes,bounces,complaints\r\n";
  for (const auto& h : report.hours) {
    out += "hour," + iso_hour(h.hour) + ",," + figures_columns(h) + "\r\n";
  }
  out += "total,,," + figures_columns(report.totals) + "\r\n";
  for (const auto& l : report.links) {
    out += "link,," + std::to_string(l.index) + "," + csv_field(l.url) + ",,,,,," +
           std::to_string(l.clicks.clicks) + ",," + std::to_string(l.clicks.anonymous_clicks) +
           "," + std::to_string(l.clicks.machine_clicks) + ",,,\r\n";
  }
  return out;
}

}  // namespace sm::services
