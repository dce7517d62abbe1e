// The public subscription pages and the subscriber API, called through the router in-process
// on both engines: what a browser, a mail client's one-click POST and an API client see.
#include <gmock/gmock.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "api/routes.hpp"
#include "core/crypto.hpp"
#include "http/form.hpp"
#include "http/router.hpp"
#include "services/api_keys.hpp"
#include "services/lists.hpp"
#include "services/subscriptions.hpp"
#include "test_app.hpp"
#include "web/routes.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class SubscribeRoutesTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  SubscribeRoutesTest() : t_(GetParam()) {
    web::add_subscription_routes(router_, t_.app());
    api::add_subscriber_api(router_, t_.app());
    account_ = t_.create_account();
    services::ListForm f{"Garden news", "Monthly tips.", "", ""};
    list_ = *services::create_list(t_.app(), account_, f);
    key_ = services::create_api_key(t_.app(), account_, "test")->key;
  }

  http::Response call(http::Method m, const std::string& path, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = m;
    auto q = path.find('?');
    req.path = path.substr(0, q);
    req.query = q == std::string::npos ? "" : path.substr(q + 1);
    req.target = path;
    req.body = std::move(body);
    req.remote_ip = "203.0.113.5";
    req.headers.set("User-Agent", "RouteTest/1.0");
    for (auto& [n, v] : headers) req.headers.set(n, v);
    auto match = router_.match(req);
    if (match.handler == nullptr) return http::Response::not_found_text();
    return (*match.handler)(req);
  }

  http::Response api(http::Method m, const std::string& path, const json& body = nullptr) {
    return call(m, path, body.is_null() ? "" : body.dump(),
                {{"Authorization", "Bearer " + key_}, {"Content-Type", "application/json"}});
  }

  std::string token_in(const std::string& html) {
    std::smatch m;
    std::regex_search(html, m, std::regex("name=\"form_token\" value=\"([^\"]+)\""));
    return m[1];
  }

  http::Response subscribe(const std::string& email, bool with_token = true) {
    http::FormFields f;
    f.add("email", email);
    f.add("homepage", "");
    if (with_token) {
      f.add("form_token", token_in(call(http::Method::get, "/s/" + list_.public_id).body));
    }
    return call(http::Method::post, "/s/" + list_.public_id, http::encode_form(f),
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

  std::string last_confirm_path() {
    auto files = t_.outbox();
    std::ifstream in(files.back(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = std::regex_replace(s.str(), std::regex("=\r?\n"), "");
    std::smatch m;
    std::regex_search(text, m, std::regex("/confirm/[A-Za-z0-9_-]+"));
    return m[0];
  }

  services::Subscription only_subscription() {
    auto page = services::list_members(t_.app(), account_, list_.id, std::nullopt, 10, 0);
    return page->members.at(0).subscription;
  }

  TestApp t_;
  http::Router router_;
  std::int64_t account_ = 0;
  services::MailingList list_;
  std::string key_;
};

TEST_P(SubscribeRoutesTest, TheHostedPageShowsTheControllerAndSetsNoCookie) {
  auto r = call(http::Method::get, "/s/" + list_.public_id);
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Garden news"));
  EXPECT_THAT(r.body, HasSubstr("Example Ltd"));
  EXPECT_THAT(r.body, HasSubstr("1 High Street"));
  EXPECT_THAT(r.body, HasSubstr("name=\"homepage\" tabindex=\"-1\""));
  EXPECT_FALSE(r.headers.has("Set-Cookie"));
  EXPECT_THAT(r.body, Not(HasSubstr("https://cdn")));
  EXPECT_EQ(call(http::Method::get, "/s/NOSUCHLIST").status, 404);
}

TEST_P(SubscribeRoutesTest, DeclaredFieldsAreOfferedByTypeAndStoredChecked) {
  services::FieldDefinition plan{0, "plan", "Plan", services::FieldType::choice, {"Basic", "Pro"}};
  services::FieldDefinition tips{0, "tips", "Weekly tips", services::FieldType::boolean, {}};
  services::FieldDefinition born{0, "joined", "Member since", services::FieldType::date, {}};
  for (const auto& f : {plan, tips, born}) {
    ASSERT_TRUE(services::declare_field(t_.app(), account_, f).ok());
  }

  auto page = call(http::Method::get, "/s/" + list_.public_id).body;
  EXPECT_THAT(page, HasSubstr("<select id=\"f-plan\" name=\"f_plan\""));
  EXPECT_THAT(page, HasSubstr("<option>Pro</option>"));
  EXPECT_THAT(page, HasSubstr("name=\"f_tips\" type=\"checkbox\" value=\"true\""));
  EXPECT_THAT(page, HasSubstr("name=\"f_joined\" type=\"date\""));

  http::FormFields f;
  f.add("email", "member@example.net");
  f.add("f_plan", "Pro");
  f.add("f_tips", "true");
  f.add("f_joined", "2024-02-29");
  f.add("form_token", token_in(page));
  auto r = call(http::Method::post, "/s/" + list_.public_id, http::encode_form(f),
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto member = only_subscription();
  auto record = services::find_subscriber(t_.app(), account_, member.subscriber_id);
  ASSERT_TRUE(record.ok());
  auto fields = json::parse(record->fields_json);
  EXPECT_EQ(fields.value("plan", ""), "Pro");
  EXPECT_EQ(fields.value("tips", ""), "true");
  EXPECT_EQ(fields.value("joined", ""), "2024-02-29");
}

TEST_P(SubscribeRoutesTest, AFormWithoutATokenIsShownAgainAndNothingIsStored) {
  auto r = subscribe("reader@example.net", false);
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("once more"));
  EXPECT_THAT(r.body, HasSubstr("value=\"reader@example.net\""));
  EXPECT_TRUE(t_.outbox().empty());
}

TEST_P(SubscribeRoutesTest, SignUpConfirmAndOneClickUnsubscribe) {
  auto r = subscribe("reader@example.net");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Check your inbox"));
  EXPECT_FALSE(r.headers.has("Set-Cookie"));
  std::string confirm = last_confirm_path();

  auto page = call(http::Method::get, confirm);
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("Confirm subscription"));
  EXPECT_EQ(only_subscription().status, services::SubscriptionStatus::pending);
  auto done = call(http::Method::post, confirm, "", {{"DNT", "1"}, {"Referer", "https://m/"}});
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(only_subscription().status, services::SubscriptionStatus::confirmed);
  // Do Not Track does not thin the proof of opt-in.
  auto rec = services::find_subscriber(t_.app(), account_, only_subscription().subscriber_id);
  const auto& confirmation = rec->subscriptions.at(0).events.at(2);
  EXPECT_EQ(confirmation.kind, services::ConsentKind::confirmation);
  EXPECT_EQ(confirmation.evidence.ip_address, "203.0.113.5");
  EXPECT_EQ(confirmation.evidence.user_agent, "RouteTest/1.0");
  EXPECT_EQ(confirmation.evidence.referrer, "https://m/");

  std::string u = "/u/" + services::unsubscribe_token(t_.app(), only_subscription());
  EXPECT_EQ(call(http::Method::get, u).status, 200);
  EXPECT_EQ(only_subscription().status, services::SubscriptionStatus::confirmed);
  auto one_click = call(http::Method::post, u, "List-Unsubscribe=One-Click",
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(one_click.status, 200);
  EXPECT_FALSE(one_click.headers.has("Location"));
  EXPECT_THAT(std::string(one_click.headers.get("Content-Type")), HasSubstr("text/plain"));
  EXPECT_EQ(only_subscription().status, services::SubscriptionStatus::unsubscribed);
}

TEST_P(SubscribeRoutesTest, BadTokensAnswerAPlain404) {
  for (const auto& path : {"/u/abc.def", "/p/MQ.xxxx", "/confirm/nothing"}) {
    auto r = call(http::Method::get, path);
    EXPECT_EQ(r.status, 404) << path;
  }
  EXPECT_EQ(call(http::Method::post, "/u/MQ.xxxx", "List-Unsubscribe=One-Click").status, 404);
}

TEST_P(SubscribeRoutesTest, TheConsentKeyIsPublished) {
  auto r = call(http::Method::get, "/.well-known/smartmessages/consent-key");
  EXPECT_EQ(r.status, 200);
  auto body = json::parse(r.body);
  EXPECT_EQ(body["algorithm"], "Ed25519");
  EXPECT_EQ(body["public_key"], t_.app().keys->signing_public_key());
}

TEST_P(SubscribeRoutesTest, TheApiAddsListsFindsAndDeletesSubscribers) {
  auto pending =
      api(http::Method::post, "/api/v1/lists/" + std::to_string(list_.id) + "/subscribers",
          {{"email", "a@example.net"}, {"confirmed", false}});
  EXPECT_EQ(pending.status, 202) << pending.body;
  auto confirmed =
      api(http::Method::post, "/api/v1/lists/" + std::to_string(list_.id) + "/subscribers",
          {{"email", "b@example.net"}, {"confirmed", true}});
  EXPECT_EQ(confirmed.status, 422) << confirmed.body;
  confirmed = api(http::Method::post, "/api/v1/lists/" + std::to_string(list_.id) + "/subscribers",
                  {{"email", "b@example.net"},
                   {"confirmed", true},
                   {"source", "CRM export of customers"},
                   {"basis", "contract"}});
  ASSERT_EQ(confirmed.status, 201) << confirmed.body;
  auto list = api(http::Method::get,
                  "/api/v1/lists/" + std::to_string(list_.id) + "/subscribers?status=pending");
  EXPECT_EQ(json::parse(list.body)["total"], 1);
  std::int64_t id = json::parse(confirmed.body)["subscriber_id"];
  auto one = api(http::Method::get, "/api/v1/subscribers/" + std::to_string(id));
  ASSERT_EQ(one.status, 200);
  auto body = json::parse(one.body);
  EXPECT_EQ(body["subscriptions"][0]["consent_record"][0]["source"], "CRM export of customers");
  EXPECT_EQ(api(http::Method::del, "/api/v1/subscribers/" + std::to_string(id)).status, 204);
  EXPECT_EQ(api(http::Method::get, "/api/v1/subscribers/" + std::to_string(id)).status, 404);
}

TEST_P(SubscribeRoutesTest, TheApiRefusesASuppressedAddressAndVerifiesReceipts) {
  subscribe("reader@example.net");
  call(http::Method::post, last_confirm_path());
  auto s = only_subscription();
  auto one = json::parse(
      api(http::Method::get, "/api/v1/subscribers/" + std::to_string(s.subscriber_id)).body);
  ASSERT_EQ(one["receipts"].size(), 1u);
  json receipt = {{"receipt", one["receipts"][0]["receipt"]},
                  {"signature", one["receipts"][0]["signature"]}};
  auto ok = api(http::Method::post, "/api/v1/consent/verify", receipt);
  EXPECT_EQ(json::parse(ok.body)["valid"], true) << ok.body;
  receipt["signature"] = crypto::base64url_encode(std::string(64, 'x'));
  EXPECT_EQ(json::parse(api(http::Method::post, "/api/v1/consent/verify", receipt).body)["valid"],
            false);

  call(http::Method::post, "/u/" + services::unsubscribe_token(t_.app(), s), "");
  auto refused =
      api(http::Method::post, "/api/v1/lists/" + std::to_string(list_.id) + "/subscribers",
          {{"email", "reader@example.net"},
           {"confirmed", true},
           {"source", "x"},
           {"basis", "consent"}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_THAT(refused.body, HasSubstr("Only the person"));

  std::int64_t other = t_.create_account("Other Ltd", "other@example.org");
  key_ = services::create_api_key(t_.app(), other, "other")->key;
  EXPECT_EQ(api(http::Method::get, "/api/v1/subscribers/" + std::to_string(s.subscriber_id)).status,
            404);
  EXPECT_EQ(
      api(http::Method::get, "/api/v1/lists/" + std::to_string(list_.id) + "/subscribers").status,
      404);
}

SM_INSTANTIATE_FOR_ENGINES(SubscribeRoutesTest);

}  // namespace
}  // namespace sm::testing
