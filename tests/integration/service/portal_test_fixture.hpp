// Shared set-up of the portal tests: a TestApp (ManualClock, both engines), the portal pages
// and the subscriber API on an in-process router, a "browser" that keeps the portal cookie,
// and one address (ann@example.org) held by three accounts with a second address
// (bob@example.net) on the same lists.
#pragma once

#include <gmock/gmock.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "api/routes.hpp"
#include "core/crypto.hpp"
#include "http/form.hpp"
#include "http/router.hpp"
#include "integration/service/test_app.hpp"
#include "services/api_keys.hpp"
#include "services/lists.hpp"
#include "services/portal_mail.hpp"
#include "services/subscriptions.hpp"
#include "web/routes.hpp"

namespace sm::testing {

constexpr char kAnn[] = "ann@example.org";
constexpr char kBob[] = "bob@example.net";
constexpr char kOrigin[] = "http://127.0.0.1:8080";
// The IP addresses in the consent records of ann's and bob's subscriptions.
constexpr char kAnnAddedFrom[] = "192.0.2.10";
constexpr char kBobAddedFrom[] = "192.0.2.66";

// One account holding ann and bob.
struct HoldingAccount {
  std::int64_t id = 0;
  std::string organisation;
  services::MailingList list;
  std::int64_t ann = 0;  // subscriber ids
  std::int64_t bob = 0;
  std::string api_key;
};

class PortalFixture : public ::testing::TestWithParam<TestEngine> {
 protected:
  PortalFixture() : t_(GetParam()) {
    web::add_portal_routes(router_, t_.app());
    web::add_subscriber_routes(router_, t_.app());
    web::add_account_routes(router_, t_.app());
    api::add_subscriber_api(router_, t_.app());
  }

  // ---- HTTP through the router ----

  http::Response call(http::Method m, const std::string& path, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = m;
    auto q = path.find('?');
    req.path = path.substr(0, q);
    req.query = q == std::string::npos ? "" : path.substr(q + 1);
    req.target = path;
    req.body = std::move(body);
    req.remote_ip = ip_;
    req.headers.set("User-Agent", "PortalTest/1.0");
    if (!cookie_.empty()) req.headers.set("Cookie", cookie_);
    for (auto& [n, v] : headers) req.headers.set(n, v);
    auto match = router_.match(req);
    if (match.handler == nullptr) return http::Response::not_found_text();
    http::Response r = (*match.handler)(req);
    keep_cookie(r);
    return r;
  }

  http::Response get(const std::string& path) { return call(http::Method::get, path); }

  // A form POST from our own pages (Origin set); `csrf` adds the data page's token.
  http::Response post(const std::string& path, http::FormFields f, bool with_csrf = true) {
    if (with_csrf) f.add("csrf", csrf());
    return call(http::Method::post, path, http::encode_form(f),
                {{"Content-Type", "application/x-www-form-urlencoded"}, {"Origin", kOrigin}});
  }

  http::Response api(http::Method m, const std::string& path, const std::string& key) {
    return call(m, path, "", {{"Authorization", "Bearer " + key}});
  }

  // The browser's cookie jar, for the portal cookie only.
  void keep_cookie(const http::Response& r) {
    for (const auto& [name, value] : r.headers.all()) {
      if (name != "Set-Cookie" || !value.starts_with("sm_portal=")) continue;
      std::string pair = value.substr(0, value.find(';'));
      cookie_ = value.find("Max-Age=0") == std::string::npos ? pair : "";
    }
  }

  static std::string input_value(const std::string& html, const std::string& name) {
    std::smatch m;
    std::regex_search(html, m, std::regex("name=\"" + name + "\" value=\"([^\"]*)\""));
    return m.size() > 1 ? m[1].str() : "";
  }

  std::string csrf() { return input_value(get("/portal/data").body, "csrf"); }

  // ---- Getting in ----

  http::Response request_link(const std::string& email) {
    http::FormFields f;
    f.add("email", email);
    f.add("form_token", input_value(get("/portal").body, "form_token"));
    return post("/portal", f, false);
  }

  // Every .eml file's text, soft line breaks undone.
  std::vector<std::string> outbox_texts() {
    t_.app().portal_mail->drain();
    std::vector<std::string> out;
    for (const auto& file : t_.outbox()) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      out.push_back(std::regex_replace(s.str(), std::regex("=\r?\n"), ""));
    }
    return out;
  }

  // The path of the newest portal link emailed to `email`; "" when there is none.
  std::string link_path(const std::string& email) {
    auto texts = outbox_texts();
    for (auto it = texts.rbegin(); it != texts.rend(); ++it) {
      if (it->find("To: " + email) == std::string::npos) continue;
      std::smatch m;
      if (std::regex_search(*it, m, std::regex("/portal/open/[A-Za-z0-9_-]+"))) return m[0];
    }
    return "";
  }

  std::size_t portal_emails_to(const std::string& email) {
    std::size_t n = 0;
    for (const auto& text : outbox_texts()) {
      bool to = text.find("To: " + email) != std::string::npos;
      if (to && text.find("/portal/open/") != std::string::npos) ++n;
    }
    return n;
  }

  // Requests a link, opens it from the outbox and presses its button: the browser then holds
  // the portal cookie.
  void open_portal(const std::string& email) {
    ASSERT_EQ(request_link(email).status, 200);
    std::string link = link_path(email);
    ASSERT_FALSE(link.empty()) << "no portal link emailed to " << email;
    ASSERT_EQ(get(link).status, 200);
    auto opened = post(link, {}, false);
    ASSERT_EQ(opened.status, 303) << opened.body;
    ASSERT_FALSE(cookie_.empty());
  }

  // ---- The three accounts ----

  std::int64_t add(const HoldingAccount& a, const std::string& email,
                   std::map<std::string, std::string> fields, const std::string& from) {
    services::NewSubscriber p{email, std::move(fields), true, "Shop counter sign-up sheet",
                              "consent"};
    auto added =
        services::add_subscriber(t_.app(), a.id, a.list.id, p, {from, "Staff/1.0", "", ""});
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message);
    return added.ok() ? added->subscriber_id : 0;
  }

  HoldingAccount holding_account(const std::string& organisation, const std::string& domain,
                                 const services::FieldDefinition& field,
                                 const std::string& ann_value, const std::string& bob_value) {
    HoldingAccount a;
    a.organisation = organisation;
    a.id = t_.create_account(organisation, "owner@" + domain);
    a.list = *services::create_list(t_.app(), a.id, {organisation + " news", "Monthly.", "", ""});
    EXPECT_TRUE(services::declare_field(t_.app(), a.id, field).ok());
    a.ann = add(a, kAnn, {{field.key, ann_value}}, kAnnAddedFrom);
    a.bob = add(a, kBob, {{field.key, bob_value}}, kBobAddedFrom);
    a.api_key = services::create_api_key(t_.app(), a.id, "test")->key;
    return a;
  }

  // Alder (a text field), Birch (a choice) and Cedar (a date) each hold ann and bob.
  void hold_at_three_accounts() {
    using services::FieldType;
    accounts_.push_back(holding_account("Alder Books", "alder.test",
                                        {0, "city", "Home town", FieldType::text, {}}, "Annstown",
                                        "Bobsville"));
    accounts_.push_back(holding_account("Birch Bakery", "birch.test",
                                        {0, "plan", "Plan", FieldType::choice, {"Basic", "Pro"}},
                                        "Pro", "Basic"));
    accounts_.push_back(holding_account("Cedar Choir", "cedar.test",
                                        {0, "joined", "Member since", FieldType::date, {}},
                                        "2021-03-04", "1999-09-09"));
  }

  // Ann signs up to a second list of Alder through its form and confirms: that subscription
  // has a full consent record and a signed receipt.
  void ann_signs_up_by_form() {
    auto events = services::create_list(t_.app(), accounts_[0].id, {"Alder events", "", "", ""});
    ASSERT_TRUE(events.ok());
    services::FormSignup s{kAnn, {}, false};
    services::Evidence e{"198.51.100.7", "Signup/2.0", "https://alder.test/", "https://f/"};
    ASSERT_TRUE(services::subscribe_by_form(t_.app(), *events, s, e).ok());
    std::smatch m;
    std::string text = outbox_texts().back();
    ASSERT_TRUE(std::regex_search(text, m, std::regex("/confirm/([A-Za-z0-9_-]+)")));
    ASSERT_TRUE(services::confirm_subscription(t_.app(), m[1].str(), e).ok());
  }

  std::int64_t count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    auto lease = t_.app().db->acquire();
    auto rows = (*lease)->run(sql, params);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().detail);
    return rows.ok() ? rows->front().integer(0) : -1;
  }

  TestApp t_;
  http::Router router_;
  std::string cookie_;
  std::string ip_ = "203.0.113.9";
  std::vector<HoldingAccount> accounts_;
};

}  // namespace sm::testing
