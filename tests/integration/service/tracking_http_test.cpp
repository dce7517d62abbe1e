// The tracking endpoints, report pages and API over real HTTP: the real router and server
// in-process on a loopback port, on both engines, with the test's clock and a writer the
// test flushes. Opens and clicks with and without DNT / Sec-GPC and exactly which columns
// hold what; every kind of bad token is a 404 with no redirect; the account's switch in the
// API and the settings page; the report page's charts, its CSV and the report API.
#include <gmock/gmock.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "api/routes.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "services/api_keys.hpp"
#include "services/tracking_token.hpp"
#include "support/http_client.hpp"
#include "test_app.hpp"
#include "tracking_fixture.hpp"
#include "web/routes.hpp"
#include "web/tracking_routes.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using services::TrackingKind;
using services::TrackingTarget;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "harbour-Quince-lantern-62-meadow";
constexpr char kBrowser[] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0";

class TrackingHttpTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  TrackingHttpTest() : t_(GetParam()) {
    account_ = owner_account("Fernhill Bakery", "owner@fernhill.example");
    writer_ = std::make_shared<services::EventWriter>(t_.app(),
                                                      services::EventWriter::Options{100, 5, 1000});
    web::add_sign_in_routes(router_, t_.app());
    web::add_account_routes(router_, t_.app());
    web::add_subscriber_routes(router_, t_.app());
    web::add_report_routes(router_, t_.app());
    web::add_tracking_routes(router_, t_.app(), writer_);
    api::add_account_api(router_, t_.app());
    api::add_subscriber_api(router_, t_.app());
    api::add_report_api(router_, t_.app());
    http::ServerOptions options;
    options.port = 0;
    options.worker_threads = 2;
    server_ = std::make_unique<http::Server>(options, router_, metrics_);
    if (auto s = server_->start(); !s.ok()) throw std::runtime_error(s.error().message);
    running_ = std::async(std::launch::async, [this] { server_->run(); });
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  ~TrackingHttpTest() override {
    server_->stop();
    running_.wait();
  }

  std::int64_t owner_account(const std::string& org, const std::string& email) {
    services::ControllerDetails d{org,   "Ada Owner",           "1 Mill Lane, Leeds LS1 1AA",
                                  email, "https://example.org", "privacy@example.org"};
    auto made = services::create_account_as_operator(t_.app(), d, kPassword);
    if (!made.ok()) throw std::runtime_error("account: " + made.error().message);
    return made->ids.account_id;
  }

  std::string token(TrackingKind kind, const SentCampaign& c, std::size_t delivery,
                    std::int64_t link = 0) {
    return services::make_tracking_token(
        *t_.app().keys, {kind, c.account_id, c.campaign_id, c.deliveries.at(delivery), link});
  }

  HttpResponse get(const std::string& path, const HeaderList& headers = {}) {
    HttpClient client(base_);
    HeaderList h = {{"User-Agent", kBrowser}};
    h.insert(h.end(), headers.begin(), headers.end());
    return client.get(path, h);
  }

  // Signs in as the owner in `client`.
  void sign_in(HttpClient& client, const std::string& email) {
    HttpResponse login = client.get("/login");
    HttpResponse done = client.post_form("/login",
                                         {{"email", email},
                                          {"password", kPassword},
                                          {"form_token", input_value(login.body, "form_token")}},
                                         {{"Origin", t_.app().config.http_base_url}});
    ASSERT_EQ(done.status, 303) << done.body;
  }

  TestApp t_;
  std::int64_t account_ = 0;
  std::shared_ptr<services::EventWriter> writer_;
  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::future<void> running_;
  std::string base_;
};

std::set<std::string> columns_of(services::App& app, const std::string& table) {
  std::string sql = app.db->engine() == store::Engine::sqlite
                        ? "SELECT name FROM pragma_table_info('" + table + "')"
                        : "SELECT column_name FROM information_schema.columns WHERE "
                          "table_schema = current_schema() AND table_name = '" +
                              table + "'";
  std::set<std::string> names;
  for (const auto& r : must_run(app, sql).rows) names.insert(r.text(0));
  return names;
}

void expect_no_cookie(const HttpResponse& r) {
  EXPECT_FALSE(r.has_header("Set-Cookie")) << r.header("Set-Cookie");
}

TEST_P(TrackingHttpTest, OpensAndClicksKeepExactlyWhatTheyMay) {
  CampaignSetup setup;
  setup.sent_at = t_.app().now() - kHour;
  SentCampaign c = make_sent_campaign(t_.app(), account_, setup);
  ASSERT_TRUE(
      services::prepare_campaign_tracking(t_.app(), account_, c.campaign_id, kCampaignHtml).ok());
  const Millis now = t_.app().now();
  const Millis hour = (now / kHour) * kHour;

  // Delivery 0: a browser that does not object.
  HttpResponse pixel = get("/o/" + token(TrackingKind::open, c, 0) + ".gif");
  ASSERT_EQ(pixel.status, 200) << pixel.body;
  EXPECT_EQ(pixel.header("Content-Type"), "image/gif");
  EXPECT_EQ(pixel.header("Cache-Control"), "no-store");
  EXPECT_EQ(pixel.body, web::open_pixel_gif());
  EXPECT_EQ(pixel.body.size(), 43u);
  EXPECT_EQ(pixel.body.substr(0, 6), "GIF89a");
  expect_no_cookie(pixel);
  HttpResponse click = get("/l/" + token(TrackingKind::click, c, 0, 1));
  ASSERT_EQ(click.status, 302) << click.body;
  EXPECT_EQ(click.header("Location"), "https://shop.example/spring?size=m#new");
  EXPECT_EQ(click.header("Referrer-Policy"), "no-referrer");
  expect_no_cookie(click);

  // Delivery 1: DNT on the open, Sec-GPC on the click; both still answer the same way.
  HttpResponse dnt = get("/o/" + token(TrackingKind::open, c, 1) + ".gif", {{"DNT", "1"}});
  EXPECT_EQ(dnt.status, 200);
  EXPECT_EQ(dnt.body, web::open_pixel_gif());
  HttpResponse gpc = get("/l/" + token(TrackingKind::click, c, 1, 2), {{"Sec-GPC", "1"}});
  EXPECT_EQ(gpc.status, 302);
  EXPECT_EQ(gpc.header("Location"), "https://blog.example/post");
  writer_->flush();

  // Named events: the delivery and the time, nothing about the request.
  EXPECT_EQ(columns_of(t_.app(), "events"),
            (std::set<std::string>{"id", "account_id", "campaign_id", "delivery_id", "kind",
                                   "link_index", "occurred_at", "machine"}));
  store::Rows named = must_run(t_.app(),
                               "SELECT account_id, campaign_id, delivery_id, kind, link_index, "
                               "occurred_at, machine FROM events ORDER BY kind DESC");
  ASSERT_EQ(named.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(named[i].integer(0), account_);
    EXPECT_EQ(named[i].integer(1), c.campaign_id);
    EXPECT_EQ(named[i].integer(2), c.deliveries[0]);
    EXPECT_EQ(named[i].integer(5), now);
    EXPECT_EQ(named[i].integer(6), 0);
  }
  EXPECT_EQ(named[0].text(3), "open");
  EXPECT_EQ(named[0].integer(4), 0);
  EXPECT_EQ(named[1].text(3), "click");
  EXPECT_EQ(named[1].integer(4), 1);

  // Anonymous events: campaign, link, kind and hour; no delivery, no time, no person.
  EXPECT_EQ(columns_of(t_.app(), "anonymous_events"),
            (std::set<std::string>{"account_id", "campaign_id", "link_index", "kind", "hour",
                                   "machine", "total"}));
  store::Rows anon = must_run(t_.app(),
                              "SELECT account_id, campaign_id, link_index, kind, hour, machine, "
                              "total FROM anonymous_events ORDER BY kind DESC");
  ASSERT_EQ(anon.size(), 2u);
  EXPECT_EQ(anon[0].text(3), "open");
  EXPECT_EQ(anon[0].integer(2), 0);
  EXPECT_EQ(anon[1].text(3), "click");
  EXPECT_EQ(anon[1].integer(2), 2);
  for (const auto& r : anon.rows) {
    EXPECT_EQ(r.integer(0), account_);
    EXPECT_EQ(r.integer(1), c.campaign_id);
    EXPECT_EQ(r.integer(4), hour);
    EXPECT_EQ(r.integer(5), 0);
    EXPECT_EQ(r.integer(6), 1);
  }
  EXPECT_EQ(
      must_run(t_.app(), "SELECT COUNT(*) FROM events WHERE delivery_id = $1", {c.deliveries[1]})
          .front()
          .integer(0),
      0)
      << "nothing names the delivery that asked not to be tracked";

  // A second anonymous open in the same hour only counts up.
  get("/o/" + token(TrackingKind::open, c, 0) + ".gif", {{"Sec-GPC", "1"}});
  writer_->flush();
  EXPECT_EQ(must_run(t_.app(), "SELECT total FROM anonymous_events WHERE kind = 'open'")
                .front()
                .integer(0),
            2);
}

TEST_P(TrackingHttpTest, BadTokensGetAPlain404AndNeverARedirect) {
  SentCampaign a = make_sent_campaign(t_.app(), account_);
  ASSERT_TRUE(
      services::prepare_campaign_tracking(t_.app(), account_, a.campaign_id, kCampaignHtml).ok());
  SentCampaign b = make_sent_campaign(t_.app(), account_);
  ASSERT_TRUE(services::prepare_campaign_tracking(t_.app(), account_, b.campaign_id,
                                                  "<a href=\"https://b.example/only\">b</a>")
                  .ok());
  std::int64_t other = owner_account("Other Ltd", "owner@other.example");
  SentCampaign theirs = make_sent_campaign(t_.app(), other);
  ASSERT_TRUE(
      services::prepare_campaign_tracking(t_.app(), other, theirs.campaign_id, kCampaignHtml).ok());

  std::string good = token(TrackingKind::click, a, 0, 1);
  std::string tampered = good;
  tampered[good.size() / 2] = tampered[good.size() / 2] == 'x' ? 'y' : 'x';
  ScratchDir elsewhere_dir;
  KeyRing elsewhere = *KeyRing::load_or_create(elsewhere_dir.path());
  auto& keys = *t_.app().keys;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"tampered", tampered},
      {"truncated", good.substr(0, good.size() - 3)},
      {"another installation's",
       services::make_tracking_token(
           elsewhere, {TrackingKind::click, account_, a.campaign_id, a.deliveries[0], 1})},
      {"an open token", token(TrackingKind::open, a, 0)},
      {"another campaign's link index", token(TrackingKind::click, b, 0, 2)},
      {"another account's campaign under this account",
       services::make_tracking_token(
           keys, {TrackingKind::click, account_, theirs.campaign_id, a.deliveries[0], 1})},
      {"this account's campaign under another account",
       services::make_tracking_token(
           keys, {TrackingKind::click, other, a.campaign_id, theirs.deliveries[0], 1})},
      {"not a token", "hello"},
  };
  for (const auto& [what, t] : bad) {
    HttpResponse r = get("/l/" + t);
    EXPECT_EQ(r.status, 404) << what;
    EXPECT_FALSE(r.has_header("Location")) << what;
    EXPECT_THAT(r.body, HasSubstr("This link is not valid")) << what;
    expect_no_cookie(r);
  }
  for (const std::string& t : {tampered, token(TrackingKind::click, a, 0, 1)}) {
    HttpResponse r = get("/o/" + t + ".gif");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.header("Content-Type"), "image/gif");
  }
  EXPECT_EQ(get("/o/" + token(TrackingKind::open, a, 0)).status, 404) << "no .gif";

  // Each campaign's own tokens lead to its own links only.
  EXPECT_EQ(get("/l/" + token(TrackingKind::click, b, 0, 1)).header("Location"),
            "https://b.example/only");
  EXPECT_EQ(get("/l/" + token(TrackingKind::click, theirs, 0, 2)).header("Location"),
            "https://blog.example/post");
  writer_->flush();
  EXPECT_EQ(count_rows(t_.app(), "events"), 2) << "only the two good clicks";
}

TEST_P(TrackingHttpTest, TheAccountSwitchInTheApiAndTheSettingsPage) {
  std::string key = services::create_api_key(t_.app(), account_, "k")->key;
  ApiReply read = call_api(base_, "GET", "/api/v1/account", key);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body["tracking_enabled"], false);
  ApiReply wrong =
      call_api(base_, "PATCH", "/api/v1/account", key, R"({"tracking_enabled":"yes"})");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(wrong.body["field"], "tracking_enabled");
  ApiReply on = call_api(base_, "PATCH", "/api/v1/account", key, R"({"tracking_enabled":true})");
  ASSERT_EQ(on.status, 200);
  EXPECT_EQ(on.body["tracking_enabled"], true);
  EXPECT_TRUE(*services::account_tracking_enabled(t_.app(), account_));

  HttpClient owner(base_);
  sign_in(owner, "owner@fernhill.example");
  HttpResponse page = owner.get("/account/details");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(element_text(page.body, "tracking-state"), "On");
  HttpResponse off = owner.post_form(
      "/account/tracking", {{"csrf", input_value(page.body, "csrf")}, {"tracking", "off"}},
      {{"Origin", t_.app().config.http_base_url}});
  EXPECT_EQ(off.status, 303);
  EXPECT_FALSE(*services::account_tracking_enabled(t_.app(), account_));
  EXPECT_EQ(element_text(owner.get("/account/details").body, "tracking-state"), "Off");
  HttpResponse forged = owner.post_form("/account/tracking", {{"csrf", "nope"}, {"tracking", "on"}},
                                        {{"Origin", t_.app().config.http_base_url}});
  EXPECT_NE(forged.status, 303);
  EXPECT_FALSE(*services::account_tracking_enabled(t_.app(), account_));
}

TEST_P(TrackingHttpTest, TheReportPageDrawsItsChartsAndTheApiAgrees) {
  CampaignSetup setup;
  setup.sent_at = t_.app().now();
  setup.recipients = 3;
  SentCampaign c = make_sent_campaign(t_.app(), account_, setup);
  ASSERT_TRUE(
      services::prepare_campaign_tracking(t_.app(), account_, c.campaign_id, kCampaignHtml).ok());
  t_.clock().advance(kHour);
  get("/o/" + token(TrackingKind::open, c, 0) + ".gif");
  get("/o/" + token(TrackingKind::open, c, 1) + ".gif", {{"DNT", "1"}});
  t_.clock().advance(kMinute);
  get("/l/" + token(TrackingKind::click, c, 0, 2));
  writer_->flush();

  HttpClient owner(base_);
  sign_in(owner, "owner@fernhill.example");
  const std::string path = "/campaigns/" + std::to_string(c.campaign_id) + "/report";
  HttpResponse page = owner.get(path);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(element_text(page.body, "fig-deliveries"), "3");
  EXPECT_EQ(element_text(page.body, "fig-opens"), "2");
  EXPECT_EQ(element_text(page.body, "fig-unique-opens"), "1");
  EXPECT_EQ(element_text(page.body, "fig-clicks"), "1");
  for (const char* id : {"chart-time-title", "chart-links-title", "chart-states-title"}) {
    EXPECT_THAT(page.body, HasSubstr(std::string("<title id=\"") + id + "\">")) << id;
  }
  EXPECT_THAT(page.body, Not(HasSubstr("<script")));
  EXPECT_THAT(page.body, HasSubstr("https://blog.example/post"));

  HttpResponse csv = owner.get(path + ".csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_THAT(csv.body, ::testing::StartsWith("row,hour_utc,link_index,url,deliveries,opens,"));
  EXPECT_THAT(csv.body, HasSubstr("\r\ntotal,,,,3,2,1,1,0,1,1,0,0,0,0,0\r\n"));
  EXPECT_THAT(csv.body, HasSubstr("\r\nlink,,2,https://blog.example/post,,,,,,1,,0,0,,,\r\n"));

  std::string key = services::create_api_key(t_.app(), account_, "k")->key;
  ApiReply report =
      call_api(base_, "GET", "/api/v1/campaigns/" + std::to_string(c.campaign_id) + "/report", key);
  ASSERT_EQ(report.status, 200);
  EXPECT_EQ(report.body["totals"]["opens"], 2);
  EXPECT_EQ(report.body["totals"]["anonymous_opens"], 1);
  EXPECT_EQ(report.body["totals"]["unique_clicks"], 1);
  EXPECT_EQ(report.body["links"][1]["clicks"], 1);
  EXPECT_EQ(report.body["deliveries"]["sent"], 3);
  EXPECT_EQ(report.body["tracking"]["account"], true);

  // The subscriber's own activity, named only.
  ApiReply person =
      call_api(base_, "GET", "/api/v1/subscribers/" + std::to_string(c.subscribers[0]), key);
  ASSERT_EQ(person.status, 200);
  ASSERT_EQ(person.body["activity"].size(), 2u);
  EXPECT_EQ(person.body["activity"][0]["kind"], "click");
  EXPECT_EQ(person.body["activity"][0]["url"], "https://blog.example/post");
  EXPECT_EQ(person.body["activity"][1]["kind"], "open");
  ApiReply dnt_person =
      call_api(base_, "GET", "/api/v1/subscribers/" + std::to_string(c.subscribers[1]), key);
  EXPECT_TRUE(dnt_person.body["activity"].empty());

  // Another account sees none of it.
  std::int64_t other = owner_account("Other Ltd", "owner@other.example");
  std::string their_key = services::create_api_key(t_.app(), other, "k")->key;
  EXPECT_EQ(call_api(base_, "GET", "/api/v1/campaigns/" + std::to_string(c.campaign_id) + "/report",
                     their_key)
                .status,
            404);
  HttpClient stranger(base_);
  sign_in(stranger, "owner@other.example");
  EXPECT_EQ(stranger.get(path).status, 404);
  EXPECT_EQ(stranger.get(path + ".csv").status, 404);
  HttpResponse compare = owner.get("/reports");
  EXPECT_EQ(compare.status, 200);
  EXPECT_THAT(compare.body, HasSubstr("<title id=\"chart-compare-title\">"));
  EXPECT_THAT(stranger.get("/reports").body, HasSubstr("id=\"no-campaigns\""));
}

SM_INSTANTIATE_FOR_ENGINES(TrackingHttpTest);

}  // namespace
}  // namespace sm::testing
