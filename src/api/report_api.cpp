// GET /api/v1/campaigns/{id}/report: a campaign's figures as JSON, the same numbers as its
// report page (services/campaign_figures.hpp says how each is counted).
#include <nlohmann/json.hpp>

#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "services/campaign_report.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using services::App;

json optional_time(const std::optional<Millis>& t) { return t ? json(*t) : json(nullptr); }

json figures_json(const services::HourFigures& h) {
  return {{"deliveries", h.deliveries},
          {"opens", h.opens},
          {"unique_opens", h.unique_opens},
          {"anonymous_opens", h.anonymous_opens},
          {"machine_opens", h.machine_opens},
          {"clicks", h.clicks},
          {"unique_clicks", h.unique_clicks},
          {"anonymous_clicks", h.anonymous_clicks},
          {"machine_clicks", h.machine_clicks},
          {"unsubscribes", h.unsubscribes},
          {"bounces", h.bounces},
          {"complaints", h.complaints}};
}

json states_json(const services::DeliveryStates& s) {
  return {{"queued", s.queued},   {"sending", s.sending}, {"sent", s.sent},    {"failed", s.failed},
          {"bounced", s.bounced}, {"unknown", s.unknown}, {"total", s.total()}};
}

json report_json(const services::CampaignReport& r) {
  json hours = json::array(), links = json::array();
  for (const auto& h : r.hours) {
    json one = figures_json(h);
    one["hour"] = h.hour;
    hours.push_back(std::move(one));
  }
  for (const auto& l : r.links) {
    links.push_back({{"index", l.index},
                     {"url", l.url},
                     {"clicks", l.clicks.clicks},
                     {"anonymous_clicks", l.clicks.anonymous_clicks},
                     {"machine_clicks", l.clicks.machine_clicks}});
  }
  return {{"campaign_id", r.campaign_id},
          {"name", r.name},
          {"status", r.status},
          {"started_at", optional_time(r.started_at)},
          {"finished_at", optional_time(r.finished_at)},
          {"tracking",
           {{"account", r.account_tracking}, {"opens", r.track_opens}, {"clicks", r.track_clicks}}},
          {"totals", figures_json(r.totals)},
          {"open_rate", r.open_rate()},
          {"click_rate", r.click_rate()},
          {"hours", std::move(hours)},
          {"links", std::move(links)},
          {"deliveries", states_json(r.states)}};
}

Response get_report(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) {
    return problem(make_error(Errc::not_found,
                              "There is no campaign with that id; ids are "
                              "positive whole numbers from this API's answers."));
  }
  auto report = services::campaign_report(app, *account, *id);
  if (!report.ok()) return problem(report.error());
  return json_reply(report_json(*report));
}

}  // namespace

void add_report_api(http::Router& router, App& app) {
  router.get("/api/v1/campaigns/{id}/report", [&app](Request& r) { return get_report(app, r); });
}

}  // namespace sm::api
