// Campaign reports for signed-in account holders: /campaigns/{id}/report with the numbers and
// server-drawn SVG charts (opens and clicks over time, clicks per link, delivery states),
// /campaigns/{id}/report.csv with the aggregates, and /reports comparing recent campaigns.
// Every role may read them; there is nothing personal in a report.
#include <ctime>

#include "core/text.hpp"
#include "services/campaign_report.hpp"
#include "services/event_retention.hpp"
#include "services/svg_chart.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;
using services::CampaignReport;
using services::HourFigures;

constexpr std::int64_t kRecentCampaigns = 8;
// Up to this many hours the timeline has a point per hour, past it a point per day.
constexpr Millis kHourlySpan = 72 * kHour;

std::string count(std::int64_t n) { return chart_number(static_cast<double>(n)); }
std::string percent(double rate) { return chart_number(rate, true); }

std::string utc(Millis t, const char* format) {
  std::time_t seconds = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

// The report's hours as points in time: every hour (or day) from the first to the last, the
// empty ones included, so the line shows the quiet hours too.
struct Timeline {
  std::vector<std::string> labels;
  std::vector<double> opens;
  std::vector<double> clicks;
  bool daily = false;
};

Timeline timeline(const CampaignReport& r) {
  Timeline t;
  if (r.hours.empty()) return t;
  Millis first = r.hours.front().hour, last = r.hours.back().hour;
  t.daily = last - first > kHourlySpan;
  Millis step = t.daily ? kDay : kHour;
  first = (first / step) * step;
  std::size_t points = static_cast<std::size_t>((last - first) / step) + 1;
  t.opens.assign(points, 0);
  t.clicks.assign(points, 0);
  for (std::size_t i = 0; i < points; ++i) {
    Millis at = first + static_cast<Millis>(i) * step;
    t.labels.push_back(utc(at, step == kHour ? "%d %b %H:00" : "%d %b"));
  }
  for (const HourFigures& h : r.hours) {
    auto i = static_cast<std::size_t>((h.hour - first) / step);
    t.opens[i] += static_cast<double>(h.opens);
    t.clicks[i] += static_cast<double>(h.clicks);
  }
  return t;
}

std::string time_chart(const Timeline& t) {
  std::string per = t.daily ? "day" : "hour";
  return line_chart_svg({"chart-time", "Opens and clicks over time",
                         "Opens and clicks by people per " + per + ", in UTC."},
                        t.labels, {{"Opens", t.opens}, {"Clicks", t.clicks}});
}

std::string links_chart(const CampaignReport& r) {
  std::vector<std::string> labels;
  ChartSeries clicks{"Clicks", {}};
  for (const auto& l : r.links) {
    std::string url = l.url;
    for (const char* scheme : {"https://", "http://"}) {
      if (url.starts_with(scheme)) url = url.substr(std::string_view(scheme).size());
    }
    labels.push_back(std::to_string(l.index) + ". " + url);
    clicks.values.push_back(static_cast<double>(l.clicks.clicks));
  }
  return bar_chart_svg({"chart-links", "Clicks per link",
                        "Clicks by people on each link of the campaign, in the order of the "
                        "message."},
                       labels, {clicks});
}

std::vector<std::pair<std::string, std::int64_t>> states_of(const services::DeliveryStates& s) {
  return {{"Sent", s.sent},     {"Queued", s.queued},   {"Sending", s.sending},
          {"Failed", s.failed}, {"Bounced", s.bounced}, {"Unknown", s.unknown}};
}

std::string states_chart(const CampaignReport& r) {
  std::vector<ChartSeries> parts;
  for (const auto& [name, n] : states_of(r.states)) {
    parts.push_back({name, {static_cast<double>(n)}});
  }
  return stacked_bar_svg({"chart-states", "Delivery states",
                          "How many of the campaign's deliveries are in each state."},
                         parts);
}

TemplateValue figure(const std::string& id, const std::string& label, const std::string& value,
                     const std::string& note = "") {
  TemplateValue f;
  f.set("id", id).set("label", label).set("value", value).set("note", note);
  return f;
}

TemplateValue::List figures(const CampaignReport& r) {
  const HourFigures& t = r.totals;
  return {
      figure("fig-deliveries", "Delivered to the relay", count(t.deliveries)),
      figure("fig-unique-opens", "Opened by", count(t.unique_opens),
             percent(r.open_rate()) + " of deliveries"),
      figure("fig-opens", "Opens", count(t.opens),
             count(t.anonymous_opens) + " anonymous, " + count(t.machine_opens) +
                 " by machines apart"),
      figure("fig-unique-clicks", "Clicked by", count(t.unique_clicks),
             percent(r.click_rate()) + " of deliveries"),
      figure("fig-clicks", "Clicks", count(t.clicks),
             count(t.anonymous_clicks) + " anonymous, " + count(t.machine_clicks) +
                 " by machines apart"),
      figure("fig-unsubscribes", "Unsubscribed", count(t.unsubscribes)),
      figure("fig-bounces", "Bounced", count(t.bounces)),
      figure("fig-complaints", "Complaints", count(t.complaints)),
  };
}

TemplateValue::List hour_rows(const CampaignReport& r) {
  TemplateValue::List rows;
  for (const auto& h : r.hours) {
    TemplateValue row;
    row.set("hour", utc(h.hour, "%Y-%m-%d %H:00"));
    row.set("deliveries", count(h.deliveries)).set("opens", count(h.opens));
    row.set("unique_opens", count(h.unique_opens)).set("clicks", count(h.clicks));
    row.set("unique_clicks", count(h.unique_clicks));
    row.set("machine", count(h.machine_opens + h.machine_clicks));
    rows.push_back(std::move(row));
  }
  return rows;
}

TemplateValue::List link_rows(const CampaignReport& r) {
  TemplateValue::List rows;
  for (const auto& l : r.links) {
    TemplateValue row;
    row.set("index", TemplateValue::number(l.index)).set("url", l.url);
    row.set("clicks", count(l.clicks.clicks));
    row.set("anonymous", count(l.clicks.anonymous_clicks));
    row.set("machine", count(l.clicks.machine_clicks));
    rows.push_back(std::move(row));
  }
  return rows;
}

TemplateValue::List state_rows(const CampaignReport& r) {
  TemplateValue::List rows;
  for (const auto& [name, n] : states_of(r.states)) {
    TemplateValue row;
    row.set("state", name).set("count", count(n));
    rows.push_back(std::move(row));
  }
  return rows;
}

void set_tracking_notes(TemplateValue& d, const CampaignReport& r) {
  d.set("account_tracking", r.account_tracking);
  d.set("track_opens", r.track_opens).set("track_clicks", r.track_clicks);
  d.set("untracked", !r.account_tracking || (!r.track_opens && !r.track_clicks));
  d.set("retention_months", TemplateValue::number(services::kEventRetention / (30 * kDay)));
}

Page report_page(const SignedIn& who, const CampaignReport& r) {
  Page p = signed_in_page(who, "Report: " + r.name, "campaign_report");
  TemplateValue& d = p.data;
  d.set("campaign_id", TemplateValue::number(r.campaign_id)).set("name", r.name);
  d.set("status", r.status);
  if (r.started_at) d.set("started_at", format_utc(*r.started_at));
  if (r.finished_at) d.set("finished_at", format_utc(*r.finished_at));
  set_tracking_notes(d, r);
  d.set("figures", figures(r));
  Timeline t = timeline(r);
  d.set("time_chart", time_chart(t)).set("hours", hour_rows(r));
  d.set("has_links", !r.links.empty());
  d.set("links_chart", links_chart(r)).set("links", link_rows(r));
  d.set("states_chart", states_chart(r)).set("states", state_rows(r));
  d.set("total_deliveries", count(r.states.total()));
  return p;
}

Response not_here(App& app, const SignedIn& who) {
  return message_page(app, 404, "Not found", "This account has no such campaign.", &who);
}

Response trouble(App& app, const SignedIn& who, const Error& e) {
  if (e.code == Errc::not_found) return not_here(app, who);
  return message_page(app, http::status_for(e), "That did not work", e.message, &who);
}

std::int64_t path_id(const Request& req) { return parse_id(req.param("id")).value_or(0); }

Response report(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto r = services::campaign_report(app, gate.who->account.id, path_id(req));
  if (!r.ok()) return trouble(app, *gate.who, r.error());
  return render(app, report_page(*gate.who, *r));
}

Response report_csv(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto r = services::campaign_report(app, gate.who->account.id, path_id(req));
  if (!r.ok()) return trouble(app, *gate.who, r.error());
  Response out = Response::text(services::campaign_report_csv(*r));
  out.headers.set("Content-Type", "text/csv; charset=utf-8");
  out.headers.set("Content-Disposition", "attachment; filename=\"campaign-" +
                                             std::to_string(r->campaign_id) + "-report.csv\"");
  out.headers.set("Cache-Control", "no-store");
  return out;
}

std::string comparison_chart(const std::vector<CampaignReport>& reports) {
  std::vector<std::string> labels;
  ChartSeries opens{"Opened", {}}, clicks{"Clicked", {}};
  for (const auto& r : reports) {
    labels.push_back(r.name);
    opens.values.push_back(r.open_rate());
    clicks.values.push_back(r.click_rate());
  }
  return bar_chart_svg({"chart-compare", "Recent campaigns compared",
                        "The share of each campaign's deliveries opened and clicked by people."},
                       labels, {opens, clicks}, true);
}

TemplateValue::List comparison_rows(const std::vector<CampaignReport>& reports) {
  TemplateValue::List rows;
  for (const auto& r : reports) {
    TemplateValue row;
    row.set("id", TemplateValue::number(r.campaign_id)).set("name", r.name);
    row.set("started_at", r.started_at ? format_utc(*r.started_at) : "");
    row.set("deliveries", count(r.totals.deliveries));
    row.set("open_rate", percent(r.open_rate())).set("click_rate", percent(r.click_rate()));
    row.set("unsubscribes", count(r.totals.unsubscribes));
    rows.push_back(std::move(row));
  }
  return rows;
}

Response reports(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto recent = services::recent_campaign_reports(app, gate.who->account.id, kRecentCampaigns);
  if (!recent.ok()) return trouble(app, *gate.who, recent.error());
  Page p = signed_in_page(*gate.who, "Reports", "reports");
  p.data.set("has_campaigns", !recent->empty());
  p.data.set("compare_chart", comparison_chart(*recent));
  p.data.set("campaigns", comparison_rows(*recent));
  return render(app, std::move(p));
}

}  // namespace

void add_report_routes(http::Router& router, App& app) {
  router.get("/reports", [&app](Request& r) { return reports(app, r); });
  router.get("/campaigns/{id}/report", [&app](Request& r) { return report(app, r); });
  router.get("/campaigns/{id}/report.csv", [&app](Request& r) { return report_csv(app, r); });
}

}  // namespace sm::web
