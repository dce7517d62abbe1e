// Tracking in the real binary, on both engines: `serve` registers the endpoints, answers the
// pixel and the redirect, and writes every event it answered before it exits on SIGTERM; and
// `smartmessages maintain` runs and prints the tracking retention job.
#include <gmock/gmock.h>

#include "mail/transport.hpp"
#include "services/tracking_token.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "tracking_fixture.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;

class TrackingBinaryTest : public ::testing::TestWithParam<TestEngine> {};

// An App on the service's own database and key, to set up rows and make tokens with.
std::unique_ptr<services::App> app_beside(const ServiceProcess& svc, const ScratchDir& scratch) {
  auto app = std::make_unique<services::App>();
  app->config.data_dir = svc.data_dir().string();
  app->config.http_base_url = svc.base_url();
  app->clock = std::make_unique<SystemClock>();
  auto keys = KeyRing::load_or_create(svc.data_dir());
  if (!keys.ok()) throw std::runtime_error("keys: " + keys.error().message);
  app->keys = std::make_unique<KeyRing>(std::move(*keys));
  auto db = store::Database::open(svc.database_url(), 2);
  if (!db.ok()) throw std::runtime_error("database: " + db.error().detail);
  app->db = std::move(*db);
  auto transport = mail::make_transport("", (scratch.path() / "outbox").string());
  if (!transport.ok()) throw std::runtime_error("outbox: " + transport.error().message);
  app->mailer = std::make_unique<mail::Mailer>(
      std::move(*transport), mail::Mailbox{"noreply@example.org", "Test"}, *app->clock);
  return app;
}

TEST_P(TrackingBinaryTest, ServeWritesEveryEventItAnsweredBeforeItStops) {
  ServiceProcess svc(GetParam());
  CliResult made =
      svc.run_cli({"account", "create", "--org", "Bin Ltd", "--email", "owner@bin.example",
                   "--contact", "B", "--address", "1 Road", "--website", "https://bin.example"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::int64_t account = std::stoll(made.out);
  ScratchDir scratch;
  auto app = app_beside(svc, scratch);
  CampaignSetup setup;
  setup.sent_at = app->now() - kHour;
  SentCampaign c = make_sent_campaign(*app, account, setup);
  ASSERT_TRUE(
      services::prepare_campaign_tracking(*app, account, c.campaign_id, kCampaignHtml).ok());

  HttpClient client(svc.base_url());
  constexpr int kOpens = 25;
  for (int i = 0; i < kOpens; ++i) {
    std::string open = services::make_tracking_token(
        *app->keys, {services::TrackingKind::open, account, c.campaign_id, c.deliveries[i % 2], 0});
    ASSERT_EQ(client.get("/o/" + open + ".gif").status, 200);
  }
  std::string click = services::make_tracking_token(
      *app->keys, {services::TrackingKind::click, account, c.campaign_id, c.deliveries[0], 2});
  HttpResponse redirect = client.get("/l/" + click);
  ASSERT_EQ(redirect.status, 302);
  EXPECT_EQ(redirect.header("Location"), "https://blog.example/post");
  EXPECT_EQ(client.get("/l/" + click.substr(1)).status, 404);

  EXPECT_EQ(svc.stop(), 0) << svc.log();
  EXPECT_EQ(count_rows(*app, "events"), kOpens + 1);

  CliResult maintain = svc.run_cli({"maintain"});
  EXPECT_EQ(maintain.exit_code, 0) << maintain.err;
  EXPECT_THAT(maintain.out, HasSubstr("old-tracking-events: removed 0"));
}

SM_INSTANTIATE_FOR_ENGINES(TrackingBinaryTest);

}  // namespace
}  // namespace sm::testing
