// Deleting inactive subscribers, on both engines, by moving the clock: a real campaign with
// open tracking is sent by the real worker over SMTP; opens are recorded through the real
// event writer; the maintenance job then deletes exactly the people the rule names and
// counts them for the dashboard. The settings page and PATCH /api/v1/account set the rule,
// through the real router and server in-process.
#include <gmock/gmock.h>

#include <future>

#include "api/routes.hpp"
#include "core/email_address.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "integration/service/sending_fixture.hpp"
#include "integration/service/test_app.hpp"
#include "services/api_keys.hpp"
#include "services/event_writer.hpp"
#include "services/inactive_subscribers.hpp"
#include "services/maintenance.hpp"
#include "services/send_worker.hpp"
#include "services/sending.hpp"
#include "services/subscriptions.hpp"
#include "services/suppression.hpp"
#include "services/tracking.hpp"
#include "support/http_client.hpp"
#include "support/smtp_capture.hpp"
#include "web/routes.hpp"

namespace sm::testing {
namespace {

using namespace std::chrono_literals;
using services::TrackingKind;
using ::testing::HasSubstr;

constexpr char kPassword[] = "orchard-Pebble-lantern-47-thistle";
constexpr char kPerson[] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird";

class InactiveSubscribersTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  TestApp t{GetParam()};
  services::App& app = t.app();
  std::int64_t account = owner_account("Fernhill Bakery", "owner@fernhill.example");
  std::int64_t news = 0;
  std::map<std::string, std::int64_t> subscriber;  // by address
  SmtpCapture capture;

  InactiveSubscribersTest() {
    verified_domain(app, account);
    news = make_list(app, account, "News");
    use_relay(app, capture.url(), t.clock());
    require(services::set_account_tracking(app, account, true), "tracking");
  }

  std::int64_t owner_account(const std::string& org, const std::string& email) {
    services::ControllerDetails d{org,   "Ada Owner",           "1 Mill Lane, Leeds LS1 1AA",
                                  email, "https://example.org", "privacy@example.org"};
    return required(services::create_account_as_operator(app, d, kPassword), "account")
        .ids.account_id;
  }

  void add(const std::string& email, std::int64_t list) {
    subscriber[email] = add_confirmed(app, account, list, email).subscriber_id;
  }

  // Sends a campaign with open tracking to `list` with the real worker; delivery id by
  // recipient address.
  std::map<std::string, std::int64_t> send_tracked(std::int64_t list) {
    std::int64_t id = make_campaign(app, account, {list});
    require(services::set_campaign_tracking(app, account, id, {true, false, ""}), "track");
    require(services::start_campaign(app, account, id), "start");
    services::SendWorkerSettings s;
    s.heartbeat_every = 20ms;
    s.idle_wait = 20ms;
    services::SendWorker worker(app, s);
    require(worker.run(true), "send");
    auto lease = app.db->acquire();
    auto rows = (*lease)->run("SELECT email, id FROM deliveries WHERE campaign_id = $1", {id});
    std::map<std::string, std::int64_t> out;
    for (const auto& r : rows->rows) out[r.text(0)] = r.integer(1);
    campaign = id;
    return out;
  }

  // Opens through the real writer, by a person's mail client or by a privacy proxy.
  void open(std::int64_t delivery, const std::string& user_agent = kPerson) {
    services::EventWriter writer(app, {100, 5, 1000});
    services::TrackingTarget target{TrackingKind::open, account, campaign, delivery, 0};
    ASSERT_TRUE(writer.record(services::classify_event(target, app.now(), false, user_agent)));
    writer.flush();
  }

  std::int64_t run_job() {
    for (const auto& o : services::run_maintenance(app)) {
      if (o.name == "inactive-subscribers") {
        EXPECT_EQ(o.error, "");
        return o.removed;
      }
    }
    ADD_FAILURE() << "no inactive-subscribers job";
    return -1;
  }

  bool exists(const std::string& email) {
    return services::find_subscriber(app, account, subscriber.at(email)).ok();
  }

  std::int64_t campaign = 0;
};

// Four people added on day 0, a tracked campaign on day 40, the rule of one month judged on
// day 45: ann opened it, bob's open came from a privacy proxy, cat signed up to another
// list on day 42, dan did nothing, and eve (on a list the campaign did not go to) was never
// sent a tracked campaign.
TEST_P(InactiveSubscribersTest, TheJobDeletesOnlyThoseWhoShowedNoSignOfLife) {
  std::int64_t offers = make_list(app, account, "Offers");
  for (const char* email :
       {"ann@example.net", "bob@example.net", "cat@example.net", "dan@example.net"}) {
    add(email, news);
  }
  add("eve@example.net", offers);
  t.clock().advance(40 * kDay);
  auto sent = send_tracked(news);
  ASSERT_EQ(sent.size(), 4u);
  t.clock().advance(1 * kDay);
  open(sent.at("ann@example.net"));
  open(sent.at("bob@example.net"), "Mozilla/5.0");  // Apple Mail Privacy Protection
  t.clock().advance(1 * kDay);
  add_confirmed(app, account, offers, "cat@example.net");
  t.clock().advance(3 * kDay);

  EXPECT_EQ(*services::count_inactive(app, account, 1), 2) << "bob and dan";
  EXPECT_EQ(*services::count_inactive(app, account, 2), 0) << "added within two months";
  EXPECT_EQ(run_job(), 0) << "the rule is off until chosen";
  require(services::set_inactive_months(app, account, 1), "set");
  EXPECT_EQ(run_job(), 2);

  EXPECT_TRUE(exists("ann@example.net"));
  EXPECT_FALSE(exists("bob@example.net"));
  EXPECT_TRUE(exists("cat@example.net"));
  EXPECT_FALSE(exists("dan@example.net"));
  EXPECT_TRUE(exists("eve@example.net"));
  auto days = required(services::recent_inactive_deletions(app, account, 5), "recent");
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].deleted, 2);
  EXPECT_EQ(days[0].day, start_of_day(app.now()));
  EXPECT_EQ(run_job(), 0) << "nothing left to delete";

  // Not suppressed: dan may come back.
  {
    auto lease = app.db->acquire();
    auto dan = parse_email_address("dan@example.net");
    EXPECT_FALSE(*services::check_suppressed(app, **lease, account, *dan));
  }
  add("dan@example.net", news);
  EXPECT_TRUE(exists("dan@example.net"));
}

TEST_P(InactiveSubscribersTest, TheRuleNeedsTrackingAndStaysWithinSixMonths) {
  auto bad = services::set_inactive_months(app, account, 7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "inactive_months");
  EXPECT_THAT(bad.error().message, HasSubstr("1 to 6"));
  EXPECT_FALSE(services::set_inactive_months(app, account, -1).ok());

  require(services::set_inactive_months(app, account, 3), "set");
  auto on = required(services::inactive_setting(app, account), "setting");
  EXPECT_EQ(on.months, 3);
  EXPECT_TRUE(on.in_force());

  // Turning tracking off pauses the rule; it cannot be chosen anew without tracking.
  require(services::set_account_tracking(app, account, false), "tracking off");
  EXPECT_FALSE(required(services::inactive_setting(app, account), "setting").in_force());
  auto refused = services::set_inactive_months(app, account, 2);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("Turn open and click tracking on first"));
  require(services::set_inactive_months(app, account, 0), "off is always allowed");
}

TEST_P(InactiveSubscribersTest, TrackingOffMeansNobodyIsDeletedAndOtherAccountsAreApart) {
  add("dan@example.net", news);
  // Another account with the same kind of inactive subscriber and the rule off.
  const std::int64_t mine = account;
  const std::int64_t other = account = owner_account("Other Co", "owner@other.example");
  verified_domain(app, other);  // example.org, as the fixture's campaigns are from
  require(services::set_account_tracking(app, other, true), "tracking");
  std::int64_t theirs = make_list(app, other, "Theirs");
  std::int64_t their_dan = add_confirmed(app, other, theirs, "dan@example.net").subscriber_id;
  t.clock().advance(40 * kDay);
  send_tracked(theirs);
  account = mine;
  send_tracked(news);
  require(services::set_inactive_months(app, mine, 1), "set");
  t.clock().advance(5 * kDay);

  require(services::set_account_tracking(app, mine, false), "tracking off");
  EXPECT_EQ(run_job(), 0);
  EXPECT_TRUE(exists("dan@example.net"));
  require(services::set_account_tracking(app, mine, true), "tracking on");
  EXPECT_EQ(*services::count_inactive(app, other, 1), 1) << "theirs would go, if they chose it";
  EXPECT_EQ(run_job(), 1);
  EXPECT_FALSE(exists("dan@example.net"));
  EXPECT_TRUE(services::find_subscriber(app, other, their_dan).ok());
}

SM_INSTANTIATE_FOR_ENGINES(InactiveSubscribersTest);

// The same rule through the pages and the API of the real router and server.
class InactiveHttpTest : public InactiveSubscribersTest {
 protected:
  InactiveHttpTest() {
    web::add_public_routes(router_, app);
    web::add_sign_in_routes(router_, app);
    web::add_account_routes(router_, app);
    api::add_account_api(router_, app);
    http::ServerOptions options;
    options.port = 0;
    options.worker_threads = 2;
    server_ = std::make_unique<http::Server>(options, router_, metrics_);
    if (auto s = server_->start(); !s.ok()) throw std::runtime_error(s.error().message);
    running_ = std::async(std::launch::async, [this] { server_->run(); });
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  ~InactiveHttpTest() override {
    server_->stop();
    running_.wait();
  }

  void sign_in(HttpClient& client) {
    HttpResponse login = client.get("/login");
    HttpResponse done = client.post_form("/login",
                                         {{"email", "owner@fernhill.example"},
                                          {"password", kPassword},
                                          {"form_token", input_value(login.body, "form_token")}},
                                         {{"Origin", app.config.http_base_url}});
    ASSERT_EQ(done.status, 303) << done.body;
  }

  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::future<void> running_;
  std::string base_;
};

TEST_P(InactiveHttpTest, TheApiSetsTheRuleOnlyWithTracking) {
  std::string key = services::create_api_key(app, account, "k")->key;
  ApiReply read = call_api(base_, "GET", "/api/v1/account", key);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body["inactive_months"], 0);

  ApiReply text = call_api(base_, "PATCH", "/api/v1/account", key, R"({"inactive_months":"3"})");
  EXPECT_EQ(text.status, 422);
  EXPECT_EQ(text.body["field"], "inactive_months");
  ApiReply long_ago = call_api(base_, "PATCH", "/api/v1/account", key, R"({"inactive_months":12})");
  EXPECT_EQ(long_ago.status, 422);
  ApiReply set = call_api(base_, "PATCH", "/api/v1/account", key, R"({"inactive_months":3})");
  ASSERT_EQ(set.status, 200) << set.text;
  EXPECT_EQ(set.body["inactive_months"], 3);

  // Tracking off and the rule again in one request: tracking goes first, so it is refused
  // and the stored rule stays as it was.
  ApiReply both = call_api(base_, "PATCH", "/api/v1/account", key,
                           R"({"tracking_enabled":false,"inactive_months":2})");
  EXPECT_EQ(both.status, 422);
  EXPECT_THAT(both.body["detail"].get<std::string>(), HasSubstr("Turn open and click tracking"));
  EXPECT_EQ(required(services::inactive_setting(app, account), "setting").months, 3);
}

TEST_P(InactiveHttpTest, TheSettingsPageShowsTheCountBeforeItIsChosen) {
  add("dan@example.net", news);
  add("ann@example.net", news);
  t.clock().advance(40 * kDay);
  auto sent = send_tracked(news);
  open(sent.at("ann@example.net"));
  t.clock().advance(5 * kDay);

  HttpClient owner(base_);
  sign_in(owner);
  HttpResponse page = owner.get("/account/details");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(element_text(page.body, "inactive-state"), "Off");
  EXPECT_THAT(page.body, HasSubstr("Delete after 1 month (would delete 1 now)"));
  EXPECT_THAT(page.body, HasSubstr("Delete after 2 months (would delete 0 now)"));

  const HeaderList origin = {{"Origin", app.config.http_base_url}};
  HttpResponse wrong =
      owner.post_form("/account/inactive",
                      {{"csrf", input_value(page.body, "csrf")}, {"inactive_months", "9"}}, origin);
  EXPECT_EQ(wrong.status, 422);
  EXPECT_THAT(wrong.body, HasSubstr("Choose from 1 to 6 months"));
  HttpResponse chosen =
      owner.post_form("/account/inactive",
                      {{"csrf", input_value(page.body, "csrf")}, {"inactive_months", "1"}}, origin);
  ASSERT_EQ(chosen.status, 303);
  EXPECT_EQ(element_text(owner.get("/account/details").body, "inactive-state"), "On");
  HttpResponse notice = owner.get("/privacy/" + std::to_string(account));
  EXPECT_THAT(notice.body, HasSubstr("1 month of that"));

  EXPECT_EQ(run_job(), 1);
  HttpResponse dashboard = owner.get("/account");
  EXPECT_THAT(dashboard.body, HasSubstr("<li>1 inactive subscriber deleted on 2027-01-15</li>"));
}

SM_INSTANTIATE_FOR_ENGINES(InactiveHttpTest);

}  // namespace
}  // namespace sm::testing
