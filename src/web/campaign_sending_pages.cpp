// Sending a campaign from its page: test sends, send now or at a time, and the progress page
// (refreshing itself while the campaign is sent, no JavaScript) with pause, resume, cancel and
// the button that puts deliveries of unknown outcome back in the queue. The rules are
// services/sending.hpp's; these handlers read forms and show the outcome.
#include <algorithm>
#include <cmath>
#include <optional>

#include "core/text.hpp"
#include "core/time_text.hpp"
#include "services/campaigns.hpp"
#include "services/sending.hpp"
#include "web/campaign_page_support.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;
using services::Campaign;
using services::CampaignStatus;

constexpr int kRefreshSeconds = 5;

// "a@example.org, b@example.org\nc@..." → the addresses, empty pieces dropped.
std::vector<std::string> split_addresses(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ',' || c == ';' || c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

Response send_test(App& app, const Request& req) {
  auto c = begin_campaign_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = campaign_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  auto addresses = split_addresses(c.form.get("emails"));
  auto sent = services::send_test(app, c.who->account.id, found.campaign->id, addresses);
  if (sent.ok()) return Response::see_other(campaign_path(found.campaign->id) + "?tested=1");
  return campaign_page_with_error(app, *c.who, *found.campaign, sent.error(), c.form);
}

Response start(App& app, const Request& req) {
  auto c = begin_campaign_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = campaign_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  const std::int64_t id = found.campaign->id;
  std::optional<Millis> at;
  if (c.form.has("at")) {
    at = parse_datetime_local(trim_whitespace(c.form.get("at")));
    if (!at) {
      return campaign_page_with_error(
          app, *c.who, *found.campaign,
          field_error("at", "Give the time as a date and a time, like 2026-12-24 09:00 (UTC)."),
          c.form);
    }
  }
  auto started = services::start_campaign(app, c.who->account.id, id, at);
  if (!started.ok()) {
    return campaign_page_with_error(app, *c.who, *found.campaign, started.error(), c.form);
  }
  if (at) return Response::see_other(campaign_path(id) + "?scheduled=1");
  return Response::see_other(campaign_path(id) + "/progress?started=1");
}

// pause, resume, cancel: one call each, then the progress page.
using StateChange = Status (*)(App&, std::int64_t, std::int64_t);

Response change_state(App& app, const Request& req, StateChange change, const char* flag) {
  auto c = begin_campaign_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = campaign_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  auto done = change(app, c.who->account.id, found.campaign->id);
  if (!done.ok()) {
    return message_page(app, status_for(done.error()), "Not changed", done.error().message,
                        &*c.who);
  }
  return Response::see_other(campaign_path(found.campaign->id) + "/progress?" + flag + "=1");
}

Response requeue(App& app, const Request& req) {
  auto c = begin_campaign_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = campaign_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  auto n = services::requeue_unknown(app, c.who->account.id, found.campaign->id);
  if (!n.ok()) {
    return message_page(app, status_for(n.error()), "Not queued", n.error().message, &*c.who);
  }
  return Response::see_other(campaign_path(found.campaign->id) +
                             "/progress?requeued=" + std::to_string(*n));
}

std::string minutes_text(double minutes) {
  if (minutes < 1) return "less than a minute";
  if (minutes < 90) return std::to_string(static_cast<long>(std::ceil(minutes))) + " minutes";
  return std::to_string(static_cast<long>(std::ceil(minutes / 60))) + " hours";
}

TemplateValue progress_value(const Campaign& c, const services::SendingProgress& p) {
  TemplateValue v;
  const std::int64_t done = p.sent + p.failed + p.bounced;
  const std::int64_t remaining = p.queued + p.sending;
  v.set("total", TemplateValue::number(p.total)).set("done", TemplateValue::number(done));
  v.set("total_value", TemplateValue::number(std::max<std::int64_t>(p.total, 1)));
  v.set("done_value", TemplateValue::number(done));
  v.set("percent", TemplateValue::number(p.total > 0 ? done * 100 / p.total : 0));
  v.set("sent", TemplateValue::number(p.sent)).set("failed", TemplateValue::number(p.failed));
  v.set("bounced", TemplateValue::number(p.bounced));
  v.set("remaining", TemplateValue::number(remaining));
  v.set("unknown", TemplateValue::number(p.unknown));
  v.set("rate", TemplateValue::number(p.sent_last_minute));
  std::string left = "-";
  if (remaining == 0) {
    left = "none";
  } else if (c.status == CampaignStatus::sending && p.sent_last_minute > 0) {
    left = minutes_text(static_cast<double>(remaining) / static_cast<double>(p.sent_last_minute));
  } else if (c.status == CampaignStatus::paused) {
    left = "paused";
  }
  v.set("time_left", left);
  return v;
}

Response progress_page(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  auto found = campaign_of(app, req, who);
  if (found.refusal) return *found.refusal;
  const Campaign& c = *found.campaign;
  auto progress = services::campaign_progress(app, who.account.id, c.id);
  if (!progress.ok()) return message_page(app, 503, "Try again", progress.error().message, &who);

  Page p = signed_in_page(who, "Sending " + c.name, "campaign_progress");
  TemplateValue v;
  v.set("id", TemplateValue::number(c.id)).set("name", c.name);
  v.set("status", status_label(c.status)).set("status_ok", status_ok(c.status));
  if (!progress->note.empty()) v.set("note", progress->note);
  v.set("progress", progress_value(c, *progress));
  v.set("has_unknown", progress->unknown > 0);
  v.set("unknown_count", TemplateValue::number(progress->unknown));
  v.set("can_pause", c.status == CampaignStatus::sending);
  v.set("can_resume", c.status == CampaignStatus::paused);
  v.set("can_cancel", c.status == CampaignStatus::sending || c.status == CampaignStatus::paused ||
                          c.status == CampaignStatus::scheduled);
  const bool refreshing = c.status == CampaignStatus::sending;
  v.set("refreshing", refreshing);
  p.data.set("campaign", std::move(v));
  if (refreshing) p.refresh_seconds = kRefreshSeconds;

  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("started")) p.data.set("success", "Sending has started.");
  if (q.ok() && q->has("paused"))
    p.data.set("success", "Paused. Nothing more goes out until you resume.");
  if (q.ok() && q->has("resumed")) p.data.set("success", "Sending again.");
  if (q.ok() && q->has("cancelled")) p.data.set("success", "Cancelled. What was sent stays sent.");
  if (q.ok() && q->has("requeued")) {
    p.data.set("success", q->get("requeued") + " deliveries are queued to be sent again.");
  }
  return render(app, std::move(p));
}

}  // namespace

void add_campaign_sending_routes(http::Router& router, App& app) {
  router.post("/campaigns/{id}/test", [&app](Request& r) { return send_test(app, r); });
  router.post("/campaigns/{id}/send", [&app](Request& r) { return start(app, r); });
  router.get("/campaigns/{id}/progress", [&app](Request& r) { return progress_page(app, r); });
  router.post("/campaigns/{id}/pause", [&app](Request& r) {
    return change_state(app, r, services::pause_campaign, "paused");
  });
  router.post("/campaigns/{id}/resume", [&app](Request& r) {
    return change_state(app, r, services::resume_campaign, "resumed");
  });
  router.post("/campaigns/{id}/cancel", [&app](Request& r) {
    return change_state(app, r, services::cancel_campaign, "cancelled");
  });
  router.post("/campaigns/{id}/requeue-unknown", [&app](Request& r) { return requeue(app, r); });
}

}  // namespace sm::web
