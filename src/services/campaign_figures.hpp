// A campaign's figures per hour, counted from the raw events or read from the rollups that
// outlive them. The rules of counting live here once, so that a report before and after its
// events are rolled up shows the same numbers:
//   opens, clicks        by people: named and anonymous, not machines
//   anonymous_*          the part of opens and clicks that came with DNT or GPC
//   machine_*            mail-privacy proxies and link scanners, apart from the above
//   unique_opens/_clicks deliveries whose first opening (click) by a person fell in the hour,
//                        so that the hours add up to the campaign's unique figure
//   deliveries           deliveries handed to the relay in the hour (sent_at)
//   unsubscribes         unsubscribe events of the campaign's deliveries
//   bounces, complaints  from bounce_events (services/bounces.hpp): hard bounces and soft ones
//                        counted as hard; feedback-report complaints
//
// Thread-safe: functions of the connection passed in.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/database.hpp"

namespace sm::services {

struct HourFigures {
  Millis hour = 0;
  std::int64_t deliveries = 0;
  std::int64_t opens = 0;
  std::int64_t unique_opens = 0;
  std::int64_t anonymous_opens = 0;
  std::int64_t machine_opens = 0;
  std::int64_t clicks = 0;
  std::int64_t unique_clicks = 0;
  std::int64_t anonymous_clicks = 0;
  std::int64_t machine_clicks = 0;
  std::int64_t unsubscribes = 0;
  std::int64_t bounces = 0;
  std::int64_t complaints = 0;

  void add(const HourFigures& o);
  bool empty() const;
  bool operator==(const HourFigures&) const = default;
};

struct LinkClicks {
  std::int64_t clicks = 0;
  std::int64_t anonymous_clicks = 0;
  std::int64_t machine_clicks = 0;

  void add(const LinkClicks& o);
  bool operator==(const LinkClicks&) const = default;
};

struct CampaignFigures {
  std::map<Millis, HourFigures> hours;                          // by hour
  std::map<std::pair<std::int64_t, Millis>, LinkClicks> links;  // by link index and hour

  void add(const CampaignFigures& o);
};

// Counted from the raw events and deliveries, for the hours in [from, to).
Result<CampaignFigures> count_figures(store::Connection& c, std::int64_t account_id,
                                      std::int64_t campaign_id, Millis from, Millis to);

// Read from the rollups, for the hours before `until`.
Result<CampaignFigures> rolled_up_figures(store::Connection& c, std::int64_t account_id,
                                          std::int64_t campaign_id, Millis until);

// Where the campaign's rollups end: hours before this are rolled up (0: none are).
Result<Millis> rolled_until(store::Connection& c, std::int64_t account_id,
                            std::int64_t campaign_id);

// Every hour of the campaign: the rollups, and the raw events after them.
Result<CampaignFigures> campaign_figures(store::Connection& c, std::int64_t account_id,
                                         std::int64_t campaign_id);

}  // namespace sm::services
