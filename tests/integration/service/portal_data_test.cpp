// What the data access portal shows and does, through the router on both engines, with one
// address (ann) held by three accounts and a second address (bob) on the same lists: every
// account and nothing of bob; exports holding exactly what the page shows; amending fields by
// each account's definitions; unsubscribing; erasure at one account leaving the others, an
// import refused afterwards, and the account holder told only a count and a day. Also the
// account holder's own export and erasure through the API.
#include "integration/service/portal_test_fixture.hpp"
#include "services/auth.hpp"
#include "services/csv_import.hpp"
#include "services/portal.hpp"
#include "services/subscriber_erasure.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class PortalDataTest : public PortalFixture {
 protected:
  void SetUp() override {
    hold_at_three_accounts();
    ann_signs_up_by_form();
    campaign_sent_to(accounts_[2]);
    open_portal(kAnn);
  }

  // A campaign of Cedar sent to ann and bob (the deliveries a sending worker would leave),
  // which ann opened a month ago and bob opened and clicked (the events tracking records).
  void campaign_sent_to(const HoldingAccount& a) {
    auto lease = t_.app().db->acquire();
    Millis now = t_.clock().now_ms();
    auto made = (*lease)->run(
        "INSERT INTO campaigns (account_id, public_id, name, subject, status, created_at, "
        "updated_at) VALUES ($1, 'CEDARSPRING1', 'Spring concert', 'Tickets are out', 'sent', "
        "$2, $2) RETURNING id",
        {a.id, now});
    ASSERT_TRUE(made.ok()) << made.error().detail;
    std::int64_t campaign = made->front().integer(0);
    for (auto [subscriber, email] : {std::pair{a.ann, kAnn}, std::pair{a.bob, kBob}}) {
      auto sub =
          (*lease)->run("SELECT id FROM subscriptions WHERE subscriber_id = $1", {subscriber});
      ASSERT_TRUE(sub.ok());
      auto d = (*lease)->run(
          "INSERT INTO deliveries (account_id, campaign_id, subscriber_id, subscription_id, "
          "email, status, sent_at) VALUES ($1, $2, $3, $4, $5, 'sent', $6) RETURNING id",
          {a.id, campaign, subscriber, sub->front().integer(0), std::string(email), now});
      ASSERT_TRUE(d.ok()) << d.error().detail;
      std::string kind = subscriber == a.ann ? "open" : "click";
      auto e = (*lease)->run(
          "INSERT INTO events (account_id, campaign_id, delivery_id, kind, link_index, "
          "occurred_at, machine) VALUES ($1, $2, $3, $4, 0, $5, 0)",
          {a.id, campaign, d->front().integer(0), kind, now - 30 * kDay});
      ASSERT_TRUE(e.ok()) << e.error().detail;
    }
  }

  json export_json() {
    auto r = get("/portal/export.json");
    EXPECT_EQ(r.status, 200);
    EXPECT_THAT(std::string(r.headers.get("Content-Disposition")), HasSubstr("attachment"));
    return json::parse(r.body, nullptr, false);
  }

  std::vector<std::string> csv_lines() {
    auto r = get("/portal/export.csv");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.get("Content-Type"), "text/csv; charset=utf-8");
    // Records are CRLF-terminated; cells holding JSON carry no raw line breaks here.
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t end; (end = r.body.find("\r\n", start)) != std::string::npos;
         start = end + 2) {
      lines.push_back(r.body.substr(start, end - start));
    }
    return lines;
  }

  static std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  http::FormFields scope(const std::string& s, std::optional<std::int64_t> account = {}) {
    http::FormFields f;
    f.add("scope", s);
    if (account) f.add("account", std::to_string(*account));
    return f;
  }

  std::string status_of(std::int64_t subscriber) {
    auto lease = t_.app().db->acquire();
    auto rows = (*lease)->run(
        "SELECT status FROM subscriptions WHERE subscriber_id = $1 "
        "ORDER BY id LIMIT 1",
        {subscriber});
    return rows.ok() && !rows->empty() ? rows->front().text(0) : "";
  }
};

TEST_P(PortalDataTest, ShowsEveryAccountHoldingTheAddressAndNothingOfAnother) {
  auto page = get("/portal/data");
  ASSERT_EQ(page.status, 200);
  const std::string& html = page.body;
  EXPECT_THAT(html, HasSubstr(kAnn));
  for (const auto& a : accounts_) {
    EXPECT_THAT(html, HasSubstr("id=\"account-" + std::to_string(a.id) + "\"")) << a.organisation;
    EXPECT_THAT(html, HasSubstr(a.organisation + " news"));
    EXPECT_THAT(html, HasSubstr("href=\"/privacy/" + std::to_string(a.id) + "\""));
  }
  EXPECT_EQ(occurrences(html, "<section class=\"card stack\" id=\"account-"), 3u);
  // Controller details, fields, consent evidence, receipts, campaigns sent.
  EXPECT_THAT(html, HasSubstr("1 High Street, Leeds LS1 1AA"));
  EXPECT_THAT(html, HasSubstr("value=\"Annstown\""));
  EXPECT_THAT(html, HasSubstr("<option value=\"Pro\" selected>Pro</option>"));
  EXPECT_THAT(html, HasSubstr("value=\"2021-03-04\""));
  EXPECT_THAT(html, HasSubstr("Shop counter sign-up sheet"));
  EXPECT_THAT(html, HasSubstr("198.51.100.7"));
  EXPECT_THAT(html, HasSubstr("Signup/2.0"));
  EXPECT_THAT(html, HasSubstr("Download the signed consent receipt"));
  EXPECT_THAT(html, HasSubstr("Spring concert"));
  EXPECT_THAT(html, HasSubstr("<tr><td>open</td>"));
  // Nothing of bob.
  EXPECT_THAT(html, Not(HasSubstr("bob@")));
  EXPECT_THAT(html, Not(HasSubstr("Bobsville")));
  EXPECT_THAT(html, Not(HasSubstr("1999-09-09")));
  EXPECT_THAT(html, Not(HasSubstr("value=\"Basic\" selected")));
  EXPECT_THAT(html, Not(HasSubstr("<td>click</td>")));
  EXPECT_THAT(html, HasSubstr(kAnnAddedFrom));
  EXPECT_THAT(html, Not(HasSubstr(kBobAddedFrom)));  // the evidence of bob's consent records
}

TEST_P(PortalDataTest, TheExportsHoldExactlyWhatThePageShows) {
  std::string html = get("/portal/data").body;
  json j = export_json();
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["address"], kAnn);
  ASSERT_EQ(j["accounts"].size(), 3u);
  std::size_t subscriptions = 0, activity = 0;
  for (const auto& a : j["accounts"]) {
    std::string org = a["controller"]["organisation"];
    EXPECT_THAT(html, HasSubstr("<h2>" + org + "</h2>"));
    EXPECT_EQ(a["subscriber"]["email"], kAnn);
    for (const auto& f : a["subscriber"]["fields"]) {
      EXPECT_THAT(html, HasSubstr(f["value"].get<std::string>())) << org;
    }
    for (const auto& s : a["subscriptions"]) {
      ++subscriptions;
      EXPECT_THAT(html, HasSubstr("<td>" + s["list"].get<std::string>() + "</td>"));
      EXPECT_THAT(html, HasSubstr(">" + s["status"].get<std::string>() + "</span>"));
      for (const auto& e : s["consent_record"]) {
        EXPECT_THAT(html, HasSubstr(e["digest"].get<std::string>()));
      }
      for (const auto& d : s["deliveries"]) {
        EXPECT_THAT(html, HasSubstr(d["campaign"].get<std::string>()));
      }
      for (const auto& a : s["activity"]) {
        ++activity;
        EXPECT_THAT(html, HasSubstr("<tr><td>" + a["kind"].get<std::string>() + "</td><td>" +
                                    format_utc(t_.clock().now_ms() - 30 * kDay) + "</td>"));
      }
    }
  }
  EXPECT_EQ(subscriptions, 4u);  // three lists, and Alder's second
  EXPECT_EQ(activity, 1u);       // ann's open, not bob's click
  // One "Unsubscribe" button per subscription row of the lists tables.
  EXPECT_EQ(occurrences(html, "name=\"scope\" value=\"subscription\""), subscriptions);

  // The receipt in the JSON is the one the page links to, and it verifies.
  json alder = j["accounts"][0];
  json receipt;
  for (const auto& s : alder["subscriptions"]) {
    if (!s["consent_receipts"].empty()) receipt = s["consent_receipts"][0];
  }
  ASSERT_TRUE(receipt.is_object());
  json file = {{"receipt", receipt["receipt"]}, {"signature", receipt["signature"]}};
  EXPECT_TRUE(
      services::verify_receipt(file.dump(), t_.app().keys->signing_public_key_bytes()).ok());

  // CSV: a header and one row per subscription, with the account in the first column.
  auto lines = csv_lines();
  ASSERT_EQ(lines.size(), 1 + subscriptions);
  EXPECT_TRUE(lines[0].starts_with("account_id,organisation,"));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_THAT(lines[i], HasSubstr(kAnn));
    EXPECT_THAT(lines[i], Not(HasSubstr("bob@")));
  }
  std::string all = j.dump();
  EXPECT_THAT(all, Not(HasSubstr("bob@")));
  EXPECT_THAT(all, Not(HasSubstr("Bobsville")));
  EXPECT_THAT(all, Not(HasSubstr("1999-09-09")));
}

TEST_P(PortalDataTest, AReceiptDownloadsOnlyForTheSessionsAddress) {
  std::string html = get("/portal/data").body;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(html, m, std::regex("/portal/receipts/[0-9]+/[0-9]+\\.json")));
  auto r = get(m[0]);
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"signature\""));
  // Another account's number with the same receipt is not ann's there.
  std::string other = "/portal/receipts/" + std::to_string(accounts_[1].id) + "/" +
                      m[0].str().substr(m[0].str().rfind('/') + 1);
  EXPECT_EQ(get(other).status, 404);
}

TEST_P(PortalDataTest, FieldsAreAmendedByEachAccountsDefinitions) {
  const auto& cedar = accounts_[2];
  http::FormFields bad;
  bad.add("f_joined", "last spring");
  auto refused = post("/portal/fields/" + std::to_string(cedar.id), bad);
  EXPECT_EQ(refused.status, 422);
  EXPECT_THAT(refused.body, HasSubstr("YYYY-MM-DD"));

  http::FormFields good;
  good.add("f_joined", "2022-05-06");
  auto saved = post("/portal/fields/" + std::to_string(cedar.id), good);
  EXPECT_EQ(saved.status, 303);
  EXPECT_THAT(get("/portal/data?done=fields").body, HasSubstr("value=\"2022-05-06\""));
  auto held = services::find_subscriber(t_.app(), cedar.id, cedar.ann);
  EXPECT_EQ(json::parse(held->fields_json)["joined"], "2022-05-06");
  // Bob's value at Cedar and ann's elsewhere are untouched.
  EXPECT_EQ(
      json::parse(services::find_subscriber(t_.app(), cedar.id, cedar.bob)->fields_json)["joined"],
      "1999-09-09");

  http::FormFields choice;
  choice.add("f_plan", "Gold");
  EXPECT_EQ(post("/portal/fields/" + std::to_string(accounts_[1].id), choice).status, 422);
  http::FormFields unknown;
  unknown.add("f_joined", "2022-05-06");  // a field of Cedar, not of Birch
  EXPECT_EQ(post("/portal/fields/" + std::to_string(accounts_[1].id), unknown).status, 422);
}

TEST_P(PortalDataTest, UnsubscribesFromOneListOneAccountOrEverything) {
  const auto& alder = accounts_[0];
  auto one = services::find_subscriber(t_.app(), alder.id, alder.ann)->subscriptions.at(0);
  http::FormFields f = scope("subscription", alder.id);
  f.add("subscription", std::to_string(one.subscription.id));
  ASSERT_EQ(post("/portal/unsubscribe", f).status, 303);
  auto rec = services::find_subscriber(t_.app(), alder.id, alder.ann);
  int left = 0;
  for (const auto& s : rec->subscriptions) {
    left += s.subscription.status == services::SubscriptionStatus::unsubscribed;
  }
  EXPECT_EQ(left, 1);  // one of Alder's two
  EXPECT_EQ(rec->subscriptions.at(0).events.back().kind, services::ConsentKind::unsubscribe);
  EXPECT_EQ(rec->subscriptions.at(0).events.back().evidence.ip_address, "203.0.113.9");

  ASSERT_EQ(post("/portal/unsubscribe", scope("account", accounts_[1].id)).status, 303);
  EXPECT_EQ(status_of(accounts_[1].ann), "unsubscribed");
  EXPECT_EQ(status_of(accounts_[2].ann), "confirmed");

  ASSERT_EQ(post("/portal/unsubscribe", scope("everything")).status, 303);
  for (const auto& a : accounts_) {
    EXPECT_EQ(status_of(a.ann), "unsubscribed") << a.organisation;
    EXPECT_EQ(status_of(a.bob), "confirmed") << a.organisation;
    EXPECT_EQ(count("SELECT COUNT(*) FROM suppressions WHERE account_id = $1", {a.id}), 1);
  }
  EXPECT_THAT(get("/portal/data").body, HasSubstr("Suppressed"));
}

TEST_P(PortalDataTest, ErasureAtOneAccountLeavesTheOthersAndKeepsTheAddressOut) {
  const auto& cedar = accounts_[2];
  auto confirm = get("/portal/erase?account=" + std::to_string(cedar.id));
  EXPECT_EQ(confirm.status, 200);
  EXPECT_THAT(confirm.body, HasSubstr("Delete what Cedar Choir holds?"));
  EXPECT_THAT(confirm.body, HasSubstr("What stays:"));
  EXPECT_THAT(confirm.body, HasSubstr("keyed"));

  ASSERT_EQ(post("/portal/erase", scope("account", cedar.id)).status, 303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscribers WHERE account_id = $1 AND id = $2",
                  {cedar.id, cedar.ann}),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM deliveries WHERE subscriber_id = $1", {cedar.ann}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM deliveries WHERE subscriber_id = $1", {cedar.bob}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE kind = 'open'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE kind = 'click'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM consent_events e JOIN subscriptions s ON "
                  "s.id = e.subscription_id WHERE s.subscriber_id = $1",
                  {cedar.ann}),
            0);
  // The others keep everything; bob at Cedar too.
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(services::find_subscriber(t_.app(), accounts_[i].id, accounts_[i].ann).ok());
  }
  EXPECT_TRUE(services::find_subscriber(t_.app(), cedar.id, cedar.bob).ok());

  // The page now shows Cedar with its suppression only.
  std::string html = get("/portal/data?done=erased").body;
  EXPECT_EQ(occurrences(html, "<section class=\"card stack\" id=\"account-"), 3u);
  EXPECT_THAT(html, HasSubstr("Cedar Choir holds nothing else about this address"));
  EXPECT_THAT(html, HasSubstr("value=\"Annstown\""));
  EXPECT_THAT(html, Not(HasSubstr("2021-03-04")));

  // An old upload cannot bring ann back; the account holder learns a count and a day.
  std::istringstream csv(std::string("email,joined\n") + kAnn + ",2021-03-04\n");
  services::ImportRequest req{cedar.id, cedar.list.id, "Old choir list", "consent", false};
  auto report = services::import_csv(t_.app(), req, csv);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->imported, 0);
  EXPECT_EQ(report->refused.at("suppressed"), 1);
  auto erasures = services::recent_erasures(t_.app(), cedar.id, 5);
  ASSERT_TRUE(erasures.ok());
  ASSERT_EQ(erasures->size(), 1u);
  EXPECT_EQ(erasures->front().erased, 1);
  EXPECT_EQ(erasures->front().via, services::ErasureVia::portal);
  EXPECT_EQ(erasures->front().day, t_.clock().now_ms() - t_.clock().now_ms() % kDay);
  EXPECT_TRUE(services::recent_erasures(t_.app(), accounts_[0].id, 5)->empty());
}

TEST_P(PortalDataTest, EraseEverythingLeavesOnlySuppressions) {
  auto confirm = get("/portal/erase?scope=everything");
  EXPECT_THAT(confirm.body, HasSubstr("<li>Alder Books</li>"));
  EXPECT_THAT(confirm.body, HasSubstr("<li>Cedar Choir</li>"));
  ASSERT_EQ(post("/portal/erase", scope("everything")).status, 303);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM subscribers WHERE email_normalized = $1", {std::string(kAnn)}),
      0);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM subscribers WHERE email_normalized = $1", {std::string(kBob)}),
      3);
  json j = export_json();
  ASSERT_EQ(j["accounts"].size(), 3u);
  for (const auto& a : j["accounts"]) {
    EXPECT_TRUE(a["subscriber"].is_null());
    EXPECT_TRUE(a["subscriptions"].empty());
    EXPECT_EQ(a["suppression"]["reason"], "unsubscribed");
  }
  EXPECT_EQ(csv_lines().size(), 4u);  // one row per account with no subscription left
  // Nothing is left to erase: the buttons are gone, and a second erasure counts nothing.
  EXPECT_THAT(get("/portal/data").body, Not(HasSubstr("Delete everything")));
  ASSERT_EQ(post("/portal/erase", scope("everything")).status, 303);
  EXPECT_EQ(services::recent_erasures(t_.app(), accounts_[0].id, 5)->front().erased, 1);
}

TEST_P(PortalDataTest, AnotherAccountsNumberCannotBeActedOn) {
  std::int64_t stranger = t_.create_account("Stranger Ltd", "owner@stranger.test");
  auto r = post("/portal/erase", scope("account", stranger));
  EXPECT_EQ(r.status, 404);
  http::FormFields f;
  f.add("f_city", "Nowhere");
  EXPECT_EQ(post("/portal/fields/" + std::to_string(stranger), f).status, 404);
}

TEST_P(PortalDataTest, TheAccountHolderExportsAndErasesThroughTheApi) {
  const auto& birch = accounts_[1];
  std::string path = "/api/v1/subscribers/" + std::to_string(birch.ann);
  auto exported = api(http::Method::get, path + "/export", birch.api_key);
  ASSERT_EQ(exported.status, 200) << exported.body;
  json j = json::parse(exported.body);
  EXPECT_EQ(j["controller"]["organisation"], "Birch Bakery");
  EXPECT_EQ(j["subscriber"]["email"], kAnn);
  EXPECT_EQ(j["subscriptions"].size(), 1u);
  EXPECT_THAT(exported.body, Not(HasSubstr("bob@")));
  // Another account's key sees nothing.
  EXPECT_EQ(api(http::Method::get, path + "/export", accounts_[0].api_key).status, 404);
  EXPECT_EQ(api(http::Method::del, path, accounts_[0].api_key).status, 404);

  EXPECT_EQ(api(http::Method::del, path, birch.api_key).status, 204);
  EXPECT_EQ(api(http::Method::get, path + "/export", birch.api_key).status, 404);
  auto erasures = services::recent_erasures(t_.app(), birch.id, 5);
  ASSERT_EQ(erasures->size(), 1u);
  EXPECT_EQ(erasures->front().via, services::ErasureVia::account);
  // The suppression stays: adding ann back is refused.
  services::NewSubscriber again{kAnn, {}, true, "Re-import", "consent"};
  auto added = services::add_subscriber(t_.app(), birch.id, birch.list.id, again, {});
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, Errc::conflict);
}

TEST_P(PortalDataTest, TheAccountHolderExportsAndErasesFromTheSubscribersPage) {
  const std::string password = "violet-Harbour-tractor-91-quill";
  services::ControllerDetails d{"Dogwood Dance",        "Dee Owner",
                                "5 Elm Road, Ripon",    "owner@dogwood.test",
                                "https://dogwood.test", "privacy@dogwood.test"};
  auto made = services::create_account_as_operator(t_.app(), d, password);
  ASSERT_TRUE(made.ok()) << made.error().message;
  HoldingAccount dogwood;
  dogwood.id = made->ids.account_id;
  dogwood.list = *services::create_list(t_.app(), dogwood.id, {"Dance news", "", "", ""});
  dogwood.ann = add(dogwood, kAnn, {}, kAnnAddedFrom);
  add(dogwood, kBob, {}, kBobAddedFrom);
  auto signed_in = services::sign_in(t_.app(), d.contact_email, password, {ip_, "Owner/1.0"});
  ASSERT_TRUE(signed_in.ok()) << signed_in.error().message;
  cookie_ = "sm_session=" + signed_in->session_token;

  const std::string path = "/subscribers/" + std::to_string(dogwood.ann);
  auto page = get(path + "?delete=1");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("href=\"" + path + "/export.json\""));
  EXPECT_THAT(page.body, HasSubstr("a keyed hash"));
  auto exported = get(path + "/export.json");
  ASSERT_EQ(exported.status, 200);
  json j = json::parse(exported.body);
  EXPECT_EQ(j["controller"]["organisation"], "Dogwood Dance");
  EXPECT_EQ(j["subscriber"]["email"], kAnn);
  EXPECT_THAT(exported.body, Not(HasSubstr("bob@")));
  auto csv = get(path + "/export.csv");
  EXPECT_EQ(csv.headers.get("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(occurrences(csv.body, "\r\n"), 2u);  // the header and the one subscription
  // Another account's subscriber is not reachable from this account.
  EXPECT_EQ(get("/subscribers/" + std::to_string(accounts_[0].ann) + "/export.json").status, 404);

  http::FormFields f;
  f.add("csrf", input_value(page.body, "csrf"));
  auto erased =
      call(http::Method::post, path + "/delete", http::encode_form(f), {{"Origin", kOrigin}});
  EXPECT_EQ(erased.status, 200);
  EXPECT_THAT(erased.body, HasSubstr("Subscriber erased"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM suppressions WHERE account_id = $1", {dogwood.id}), 1);
  EXPECT_THAT(get("/account").body,
              HasSubstr("1 erasure on " + format_utc(t_.clock().now_ms()).substr(0, 10) +
                        ", made by your team"));
  EXPECT_EQ(get(path + "/export.json").status, 404);
}

SM_INSTANTIATE_FOR_ENGINES(PortalDataTest);

}  // namespace
}  // namespace sm::testing
