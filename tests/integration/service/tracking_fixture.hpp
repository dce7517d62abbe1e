// Test support for the tracking tests: a campaign that has been "sent" to a few confirmed
// subscribers, and the raw rows to check what was recorded.
//
// The campaign and its deliveries are made with SQL inserts into the campaigns and
// deliveries tables (test code only): the campaign and sending services are being written
// alongside tracking, and these tests must not depend on their rules (a verified sending
// domain, a relay). Subscribers and lists come from their real services.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "services/app.hpp"
#include "services/lists.hpp"
#include "services/subscriptions.hpp"
#include "services/tracking.hpp"

namespace sm::testing {

struct CampaignSetup {
  bool account_tracking = true;
  bool track_opens = true;
  bool track_clicks = true;
  std::string utm_campaign;
  std::string status = "sending";
  int recipients = 2;
  Millis sent_at = 0;  // 0: not sent yet (sent_at NULL)
  std::string name = "Spring news";
};

struct SentCampaign {
  std::int64_t account_id = 0;
  std::int64_t campaign_id = 0;
  std::int64_t list_id = 0;
  std::vector<std::int64_t> subscribers;
  std::vector<std::int64_t> deliveries;
};

inline store::Rows must_run(services::App& app, const std::string& sql,
                            const std::vector<store::Value>& params = {}) {
  auto lease = app.db->acquire();
  if (!lease.ok()) throw std::runtime_error("acquire: " + lease.error().detail);
  auto r = (*lease)->run(sql, params);
  if (!r.ok()) throw std::runtime_error(sql + ": " + r.error().detail);
  return std::move(*r);
}

inline std::int64_t count_rows(services::App& app, const std::string& table) {
  return must_run(app, "SELECT COUNT(*) FROM " + table).front().integer(0);
}

inline std::int64_t insert_campaign(services::App& app, std::int64_t account,
                                    const CampaignSetup& s) {
  Millis now = app.now();
  return must_run(app,
                  "INSERT INTO campaigns (account_id, public_id, name, subject, status, "
                  "started_at, created_at, updated_at, track_opens, track_clicks, utm_campaign) "
                  "VALUES ($1, $2, $3, 'Hello', $4, $5, $5, $5, $6, $7, $8) RETURNING id",
                  {account, crypto::hex_encode(crypto::random_bytes(6)), s.name, s.status, now,
                   std::int64_t{s.track_opens ? 1 : 0}, std::int64_t{s.track_clicks ? 1 : 0},
                   s.utm_campaign})
      .front()
      .integer(0);
}

// A list of `s.recipients` confirmed subscribers, a campaign to it and one delivery each.
inline SentCampaign make_sent_campaign(services::App& app, std::int64_t account,
                                       const CampaignSetup& s = {}) {
  SentCampaign c;
  c.account_id = account;
  if (auto on = services::set_account_tracking(app, account, s.account_tracking); !on.ok()) {
    throw std::runtime_error("tracking: " + on.error().message);
  }
  auto list = services::create_list(app, account, {s.name + " list", "", "", ""});
  if (!list.ok()) throw std::runtime_error("list: " + list.error().message);
  c.list_id = list->id;
  c.campaign_id = insert_campaign(app, account, s);
  for (int i = 0; i < s.recipients; ++i) {
    std::string email =
        "reader" + std::to_string(i) + "." + std::to_string(c.campaign_id) + "@example.net";
    auto added = services::add_subscriber(app, account, list->id,
                                          {email, {}, true, "Test fixture", "consent"},
                                          {"192.0.2.1", "fixture", "", ""});
    if (!added.ok()) throw std::runtime_error("subscriber: " + added.error().message);
    c.subscribers.push_back(added->subscriber_id);
    store::Value sent = s.sent_at > 0 ? store::Value(s.sent_at) : store::Value(store::Null{});
    std::string status = s.sent_at > 0 ? "sent" : "queued";
    c.deliveries.push_back(
        must_run(app,
                 "INSERT INTO deliveries (account_id, campaign_id, subscriber_id, "
                 "subscription_id, email, status, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                 "RETURNING id",
                 {account, c.campaign_id, added->subscriber_id, added->subscription_id, email,
                  status, sent})
            .front()
            .integer(0));
  }
  return c;
}

// The HTML every tracking test sends: two tracked links (one with a query and a fragment),
// one marked data-no-track, a mailto, an anchor, this installation's unsubscribe link and a
// merge tag.
inline const char* kCampaignHtml =
    "<p>Hello {{subscriber.first_name}},</p>\n"
    "<p><a href=\"https://shop.example/spring?size=m#new\">Spring range</a></p>\n"
    "<p><a href=\"https://blog.example/post\">Read the post</a> or "
    "<a data-no-track href=\"https://private.example/\">this</a>.</p>\n"
    "<p><a href=\"mailto:hello@example.org\">Write to us</a> <a href=\"#top\">Top</a> "
    "<a href=\"{{unsubscribe_url}}\">Unsubscribe</a> "
    "<a href=\"http://127.0.0.1:8080/portal\">Your data</a></p>";

// Waits (bounded) until `sql` counts `want` rows; returns the last count.
inline std::int64_t wait_for_count(services::App& app, const std::string& sql, std::int64_t want,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::int64_t n = must_run(app, sql).front().integer(0);
  while (n != want && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    n = must_run(app, sql).front().integer(0);
  }
  return n;
}

}  // namespace sm::testing
