// Set-up shared by the sending tests: an account with a verified sending domain, lists with
// confirmed subscribers, and a campaign ready to send, made through the real services.
//
// The one shortcut: the domain is marked verified with an UPDATE, since checking its DNS
// records is what the sending-domain tests (with dnsmasq) are about, not sending.
//
// Not thread-safe; use from the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "mail/mailer.hpp"
#include "mail/transport.hpp"
#include "services/app.hpp"
#include "services/campaigns.hpp"
#include "services/lists.hpp"
#include "services/sending_domains.hpp"
#include "services/subscriptions.hpp"

namespace sm::testing {

inline void require(const Status& s, const char* what) {
  if (!s.ok())
    throw std::runtime_error(std::string(what) + ": " + s.error().message + " " + s.error().detail);
}

template <class T>
T required(Result<T> r, const char* what) {
  if (!r.ok())
    throw std::runtime_error(std::string(what) + ": " + r.error().message + " " + r.error().detail);
  return std::move(*r);
}

// Adds `domain` to the account and marks it verified.
inline std::int64_t verified_domain(services::App& app, std::int64_t account_id,
                                    const std::string& domain = "example.org") {
  auto d = required(services::add_sending_domain(app, account_id, domain), "domain");
  auto lease = app.db->acquire();
  require(lease.ok() ? Status{} : Status(lease.error()), "lease");
  auto marked =
      (*lease)->run("UPDATE sending_domains SET verified_at = $1 WHERE id = $2", {app.now(), d.id});
  require(marked.ok() ? Status{} : Status(marked.error()), "verify domain");
  return d.id;
}

inline std::int64_t make_list(services::App& app, std::int64_t account_id,
                              const std::string& name = "News") {
  services::ListForm form{name, "Monthly news about what we do.", "", ""};
  return required(services::create_list(app, account_id, form), "list").id;
}

// A confirmed subscriber added by the account holder; returns the subscription's ids.
inline services::AddedSubscriber add_confirmed(services::App& app, std::int64_t account_id,
                                               std::int64_t list_id, const std::string& email) {
  services::NewSubscriber person;
  person.email = email;
  person.confirmed = true;
  person.source = "Sign-up sheet at the shop";
  person.basis = "consent";
  return required(services::add_subscriber(app, account_id, list_id, person, {}), "subscriber");
}

inline std::int64_t make_campaign(services::App& app, std::int64_t account_id,
                                  const std::vector<std::int64_t>& list_ids,
                                  std::int64_t rate_per_minute = 0) {
  services::CampaignForm form;
  form.name = "December news";
  form.subject = "News for {{email}}";
  form.from_name = "Example Ltd";
  form.from_email = "news@example.org";
  form.body = "Hello,\n\nthis is our **December** news.\n";
  form.rate_per_minute = rate_per_minute;
  form.list_ids = list_ids;
  return required(services::create_campaign(app, account_id, form), "campaign").campaign.id;
}

// Sends the App's mail to `smtp_url` from now on.
inline void use_relay(services::App& app, const std::string& smtp_url, const Clock& clock) {
  auto transport = required(mail::make_transport(smtp_url, ""), "transport");
  app.mailer = std::make_unique<mail::Mailer>(
      std::move(transport), mail::Mailbox{"noreply@example.org", "Smartmessages"}, clock);
}

// The status of every delivery of a campaign, by recipient address.
inline std::map<std::string, std::string> delivery_states(services::App& app,
                                                          std::int64_t campaign_id) {
  auto lease = app.db->acquire();
  auto rows =
      (*lease)->run("SELECT email, status FROM deliveries WHERE campaign_id = $1", {campaign_id});
  if (!rows.ok()) throw std::runtime_error("deliveries: " + rows.error().detail);
  std::map<std::string, std::string> out;
  for (const auto& r : rows->rows) out[r.text(0)] = r.text(1);
  return out;
}

inline std::string campaign_status(services::App& app, std::int64_t account_id,
                                   std::int64_t campaign_id) {
  auto c = required(services::find_campaign(app, account_id, campaign_id), "campaign");
  return std::string(services::campaign_status_name(c.status));
}

}  // namespace sm::testing
