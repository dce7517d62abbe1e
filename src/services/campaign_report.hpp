// A campaign's report: its totals, its figures hour by hour, clicks per link and the states
// of its deliveries, from the rollups and the raw events after them (campaign_figures.hpp
// says how each number is counted). Also the comparison of an account's recent campaigns and
// the CSV download of the aggregates.
//
// Thread-safe: reads the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "services/app.hpp"
#include "services/campaign_figures.hpp"

namespace sm::services {

struct DeliveryStates {
  std::int64_t queued = 0;
  std::int64_t sending = 0;
  std::int64_t sent = 0;
  std::int64_t failed = 0;
  std::int64_t bounced = 0;
  std::int64_t unknown = 0;

  std::int64_t total() const { return queued + sending + sent + failed + bounced + unknown; }
};

struct LinkReport {
  std::int64_t index = 0;  // 1..
  std::string url;
  LinkClicks clicks;
};

struct CampaignReport {
  std::int64_t campaign_id = 0;
  std::string name;
  std::string status;
  std::optional<Millis> started_at;
  std::optional<Millis> finished_at;
  bool account_tracking = false;
  bool track_opens = false;
  bool track_clicks = false;

  HourFigures totals;              // hour is 0
  std::vector<HourFigures> hours;  // oldest first; only hours with something in them
  std::vector<LinkReport> links;   // every tracked link, by index
  DeliveryStates states;

  // Unique opens (clicks) per delivery handed to the relay, 0..1; 0 before any is sent.
  double open_rate() const;
  double click_rate() const;
};

// not_found for another account's campaign.
Result<CampaignReport> campaign_report(App& app, std::int64_t account_id, std::int64_t campaign_id);

// The reports of the account's latest `limit` campaigns that have started, newest first.
Result<std::vector<CampaignReport>> recent_campaign_reports(App& app, std::int64_t account_id,
                                                            std::int64_t limit);

// The aggregates as CSV (RFC 4180, CRLF): one row per hour with every figure, then one row
// per link. No personal data: there is none in a report.
std::string campaign_report_csv(const CampaignReport& report);

}  // namespace sm::services
