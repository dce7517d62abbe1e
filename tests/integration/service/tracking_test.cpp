// Tracking through the services, on both engines: what it does to a campaign's HTML with
// tracking off and on (links stored once, placeholders filled per delivery, the pixel, the
// analytics parameters), what the event writer keeps, and seven months later: raw events
// gone, the report's numbers unchanged.
#include <gmock/gmock.h>

#include "services/campaign_report.hpp"
#include "services/event_retention.hpp"
#include "services/event_writer.hpp"
#include "services/maintenance.hpp"
#include "services/subscriber_activity.hpp"
#include "services/tracking.hpp"
#include "services/tracking_token.hpp"
#include "test_app.hpp"
#include "tracking_fixture.hpp"

namespace sm::testing {
namespace {

using services::TrackingKind;
using services::TrackingTarget;
using ::testing::HasSubstr;
using ::testing::Not;

class TrackingTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  TrackingTest() : t_(GetParam()), account_(t_.create_account()) {}

  services::CampaignTracking prepare(const SentCampaign& c, std::string_view html = kCampaignHtml) {
    auto r = services::prepare_campaign_tracking(t_.app(), c.account_id, c.campaign_id, html);
    if (!r.ok()) throw std::runtime_error("prepare: " + r.error().message);
    return std::move(*r);
  }

  // Records through a real writer and waits until it has written.
  void record(const std::vector<services::TrackingEvent>& events) {
    services::EventWriter writer(t_.app(), {100, 5, 1000});
    for (const auto& e : events) ASSERT_TRUE(writer.record(e));
    writer.flush();
    EXPECT_EQ(writer.counters().written, static_cast<std::int64_t>(events.size()));
  }

  services::TrackingEvent event(const SentCampaign& c, std::size_t delivery, TrackingKind kind,
                                std::int64_t link = 0, bool anonymous = false,
                                const std::string& agent = "Thunderbird/115.0") {
    TrackingTarget target{kind, c.account_id, c.campaign_id, c.deliveries.at(delivery), link};
    return services::classify_event(target, t_.app().now(), anonymous, agent);
  }

  TestApp t_;
  std::int64_t account_;
};

TEST_P(TrackingTest, TrackingOffLeavesTheMessageUntouchedAndRecordsNothing) {
  for (bool account_on : {false, true}) {
    CampaignSetup setup;
    setup.account_tracking = account_on;
    setup.track_opens = !account_on;  // on for the campaign only when the account is off
    setup.track_clicks = !account_on;
    SentCampaign c = make_sent_campaign(t_.app(), account_, setup);
    auto tracking = prepare(c);
    EXPECT_FALSE(tracking.opens);
    EXPECT_FALSE(tracking.clicks);
    EXPECT_EQ(tracking.html, kCampaignHtml);
    EXPECT_EQ(
        services::tracked_html_for_delivery(t_.app(), tracking, kCampaignHtml, c.deliveries[0]),
        kCampaignHtml);
    EXPECT_EQ(services::tracked_text_for_delivery(t_.app(), tracking, "See https://a.example/",
                                                  c.deliveries[0]),
              "See https://a.example/");

    record({event(c, 0, TrackingKind::open), event(c, 0, TrackingKind::open, 0, true)});
  }
  EXPECT_EQ(count_rows(t_.app(), "campaign_links"), 0);
  EXPECT_EQ(count_rows(t_.app(), "events"), 0);
  EXPECT_EQ(count_rows(t_.app(), "anonymous_events"), 0);
}

TEST_P(TrackingTest, ClickTrackingStoresTheLinksOnceAndFillsEachDelivery) {
  SentCampaign c = make_sent_campaign(t_.app(), account_);
  auto tracking = prepare(c);
  ASSERT_TRUE(tracking.clicks);
  ASSERT_TRUE(tracking.opens);
  const std::vector<std::string> destinations = {"https://shop.example/spring?size=m#new",
                                                 "https://blog.example/post"};
  EXPECT_EQ(tracking.destinations, destinations);
  store::Rows stored = must_run(t_.app(),
                                "SELECT link_index, url FROM campaign_links WHERE campaign_id = $1 "
                                "ORDER BY link_index",
                                {c.campaign_id});
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].integer(0), 1);
  EXPECT_EQ(stored[0].text(1), destinations[0]);
  EXPECT_EQ(stored[1].text(1), destinations[1]);

  // The compiled HTML holds placeholders where the tracked links were, and the rest as it was.
  EXPECT_THAT(tracking.html, Not(HasSubstr("shop.example")));
  EXPECT_THAT(tracking.html, HasSubstr("<a data-no-track href=\"https://private.example/\">"));
  EXPECT_THAT(tracking.html, HasSubstr("href=\"mailto:hello@example.org\""));
  EXPECT_THAT(tracking.html, HasSubstr("href=\"{{unsubscribe_url}}\""));
  EXPECT_THAT(tracking.html, HasSubstr("href=\"http://127.0.0.1:8080/portal\""));
  EXPECT_THAT(tracking.html, HasSubstr("Hello {{subscriber.first_name}},"));

  std::string mine =
      services::tracked_html_for_delivery(t_.app(), tracking, tracking.html, c.deliveries[0]);
  EXPECT_THAT(mine, Not(HasSubstr("smtrk")));
  for (std::int64_t link : {1, 2}) {
    std::string url = services::click_url(t_.app(), tracking, c.deliveries[0], link);
    EXPECT_THAT(mine, HasSubstr("href=\"" + url + "\""));
    std::string token = url.substr(url.rfind('/') + 1);
    auto target = services::read_tracking_token(*t_.app().keys, token);
    ASSERT_TRUE(target.has_value());
    EXPECT_EQ(*target, (TrackingTarget{TrackingKind::click, account_, c.campaign_id,
                                       c.deliveries[0], link}));
  }
  std::string pixel = services::open_pixel_url(t_.app(), tracking, c.deliveries[0]);
  EXPECT_THAT(pixel, ::testing::StartsWith("http://127.0.0.1:8080/o/"));
  EXPECT_THAT(mine, ::testing::EndsWith("<img src=\"" + pixel +
                                        "\" width=\"1\" height=\"1\" alt=\"\" border=\"0\">"));
  std::string theirs =
      services::tracked_html_for_delivery(t_.app(), tracking, tracking.html, c.deliveries[1]);
  EXPECT_NE(mine, theirs);

  // In a document the pixel goes before </body>.
  std::string doc = services::tracked_html_for_delivery(
      t_.app(), tracking, "<html><body>" + tracking.html + "</BODY></html>", c.deliveries[0]);
  EXPECT_THAT(doc, HasSubstr("border=\"0\"></BODY></html>"));

  // A test send gets the destinations themselves and no pixel.
  std::string test_send = services::tracked_html_for_delivery(t_.app(), tracking, tracking.html, 0);
  EXPECT_THAT(test_send, HasSubstr("href=\"https://shop.example/spring?size=m#new\""));
  EXPECT_THAT(test_send, Not(HasSubstr("/o/")));
  std::string text = services::tracked_text_for_delivery(
      t_.app(), tracking, "Shop: " + tracking.placeholder_prefix + "1-\n", c.deliveries[0]);
  EXPECT_EQ(text, "Shop: " + services::click_url(t_.app(), tracking, c.deliveries[0], 1) + "\n");

  // Compiling again (another worker, a restart) gives the same links.
  auto again = prepare(c);
  EXPECT_EQ(again.destinations, destinations);
  EXPECT_EQ(count_rows(t_.app(), "campaign_links"), 2);
}

TEST_P(TrackingTest, AnalyticsParametersKeepTheDestinationsQueryAndFragment) {
  CampaignSetup setup;
  setup.utm_campaign = "spring 2026";
  SentCampaign c = make_sent_campaign(t_.app(), account_, setup);
  auto tracking = prepare(c);
  EXPECT_EQ(tracking.destinations,
            (std::vector<std::string>{
                "https://shop.example/spring?size=m&utm_source=newsletter&utm_medium=email&"
                "utm_campaign=spring%202026#new",
                "https://blog.example/post?utm_source=newsletter&utm_medium=email&"
                "utm_campaign=spring%202026"}));

  // Without click tracking the parameters go straight into the hrefs.
  setup.track_clicks = false;
  SentCampaign plain = make_sent_campaign(t_.app(), account_, setup);
  auto untracked = prepare(plain);
  EXPECT_FALSE(untracked.clicks);
  EXPECT_THAT(untracked.html,
              HasSubstr("href=\"https://shop.example/spring?size=m&amp;utm_source=newsletter&amp;"
                        "utm_medium=email&amp;utm_campaign=spring%202026#new\""));
  EXPECT_THAT(untracked.html, HasSubstr("href=\"https://private.example/\""));
  EXPECT_EQ(must_run(t_.app(), "SELECT COUNT(*) FROM campaign_links WHERE campaign_id = $1",
                     {plain.campaign_id})
                .front()
                .integer(0),
            0);
}

TEST_P(TrackingTest, LinksCannotChangeOnceSendingStarted) {
  CampaignSetup draft;
  draft.status = "draft";
  SentCampaign d = make_sent_campaign(t_.app(), account_, draft);
  prepare(d);
  auto edited = prepare(d, "<a href=\"https://other.example/\">x</a>");
  EXPECT_EQ(edited.destinations, std::vector<std::string>{"https://other.example/"});
  EXPECT_EQ(count_rows(t_.app(), "campaign_links"), 1);

  SentCampaign s = make_sent_campaign(t_.app(), account_);
  prepare(s);
  auto changed = services::prepare_campaign_tracking(t_.app(), account_, s.campaign_id,
                                                     "<a href=\"https://other.example/\">x</a>");
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, Errc::conflict);
  EXPECT_EQ(services::prepare_campaign_tracking(t_.app(), account_ + 1000, s.campaign_id, "")
                .error()
                .code,
            Errc::not_found);
}

TEST_P(TrackingTest, CampaignChoicesAreSavedUntilSendingStarts) {
  CampaignSetup draft;
  draft.status = "draft";
  draft.track_opens = draft.track_clicks = false;
  SentCampaign d = make_sent_campaign(t_.app(), account_, draft);
  ASSERT_TRUE(
      services::set_campaign_tracking(t_.app(), account_, d.campaign_id, {true, false, "autumn"})
          .ok());
  auto read = services::campaign_tracking(t_.app(), account_, d.campaign_id);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->track_opens);
  EXPECT_FALSE(read->track_clicks);
  EXPECT_EQ(read->utm_campaign, "autumn");
  auto long_name = services::set_campaign_tracking(t_.app(), account_, d.campaign_id,
                                                   {true, true, std::string(101, 'x')});
  EXPECT_EQ(long_name.error().field, "utm_campaign");
  auto line_break =
      services::set_campaign_tracking(t_.app(), account_, d.campaign_id, {true, true, "a\nb"});
  EXPECT_EQ(line_break.error().field, "utm_campaign");

  SentCampaign s = make_sent_campaign(t_.app(), account_);
  EXPECT_EQ(services::set_campaign_tracking(t_.app(), account_, s.campaign_id, {}).error().code,
            Errc::conflict);
  std::int64_t other = t_.create_account("Other", "o@other.example");
  EXPECT_EQ(services::set_campaign_tracking(t_.app(), other, d.campaign_id, {}).error().code,
            Errc::not_found);
}

TEST_P(TrackingTest, MachinesAreCountedApart) {
  CampaignSetup setup;
  setup.sent_at = t_.app().now();
  SentCampaign c = make_sent_campaign(t_.app(), account_, setup);
  prepare(c);
  t_.clock().advance(3 * kSecond);
  auto scanner = event(c, 0, TrackingKind::click, 1);  // seconds after it was sent
  auto proxy = event(c, 1, TrackingKind::open, 0, false, "Mozilla/5.0");
  auto anonymous_scanner = event(c, 1, TrackingKind::click, 2, true);
  t_.clock().advance(kMinute);
  auto person = event(c, 0, TrackingKind::click, 1);
  record({scanner, proxy, anonymous_scanner, person});

  store::Rows named = must_run(
      t_.app(), "SELECT kind, delivery_id, machine FROM events ORDER BY occurred_at, kind");
  ASSERT_EQ(named.size(), 3u);
  EXPECT_EQ(named[0].integer(2), 1) << "a click 3 s after sending is a scanner's";
  EXPECT_EQ(named[1].integer(2), 1) << "Apple's proxy";
  EXPECT_EQ(named[2].integer(2), 0) << "a minute later it is a person";
  store::Rows anon = must_run(t_.app(),
                              "SELECT kind, link_index, machine, total FROM "
                              "anonymous_events");
  ASSERT_EQ(anon.size(), 1u);
  EXPECT_EQ(anon[0].integer(2), 1);

  auto report = services::campaign_report(t_.app(), account_, c.campaign_id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->totals.clicks, 1);
  EXPECT_EQ(report->totals.machine_clicks, 2);
  EXPECT_EQ(report->totals.machine_opens, 1);
  EXPECT_EQ(report->totals.opens, 0);
  EXPECT_EQ(report->totals.unique_clicks, 1);
}

TEST_P(TrackingTest, SevenMonthsLaterTheEventsAreGoneAndTheReportIsTheSame) {
  CampaignSetup setup;
  setup.recipients = 3;
  setup.sent_at = t_.app().now();
  SentCampaign c = make_sent_campaign(t_.app(), account_, setup);
  prepare(c);
  t_.clock().advance(kHour);
  record({event(c, 0, TrackingKind::open), event(c, 0, TrackingKind::open),
          event(c, 1, TrackingKind::open), event(c, 2, TrackingKind::open, 0, true),
          event(c, 0, TrackingKind::click, 1), event(c, 2, TrackingKind::click, 2, true)});
  t_.clock().advance(2 * kHour);
  record({event(c, 1, TrackingKind::click, 1), event(c, 1, TrackingKind::open, 0, false, "")});
  ASSERT_TRUE(services::record_unsubscribe(t_.app(), account_, c.deliveries[2]).ok());
  must_run(t_.app(),
           "INSERT INTO bounce_events (account_id, campaign_id, delivery_id, subscriber_id, kind, "
           "occurred_at) VALUES ($1, $2, $3, $4, 'complaint', $5)",
           {account_, c.campaign_id, c.deliveries[1], c.subscribers[1], t_.app().now()});

  auto before = services::campaign_report(t_.app(), account_, c.campaign_id);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->totals.deliveries, 3);
  EXPECT_EQ(before->totals.opens, 4);
  EXPECT_EQ(before->totals.unique_opens, 2);
  EXPECT_EQ(before->totals.anonymous_opens, 1);
  EXPECT_EQ(before->totals.machine_opens, 1);
  EXPECT_EQ(before->totals.clicks, 3);
  EXPECT_EQ(before->totals.unique_clicks, 2);
  EXPECT_EQ(before->totals.anonymous_clicks, 1);
  EXPECT_EQ(before->totals.unsubscribes, 1);
  EXPECT_EQ(before->totals.complaints, 1);
  ASSERT_EQ(before->links.size(), 2u);
  EXPECT_EQ(before->links[0].clicks.clicks, 2);
  EXPECT_EQ(before->links[1].clicks.anonymous_clicks, 1);
  auto activity = services::subscriber_activity(t_.app(), account_, c.subscribers[0]);
  ASSERT_TRUE(activity.ok());
  EXPECT_EQ(activity->size(), 3u);

  // Rolling up early changes nothing and deletes nothing.
  t_.clock().advance(kHour);
  ASSERT_TRUE(services::delete_old_tracking_events(t_.app()).ok());
  EXPECT_EQ(count_rows(t_.app(), "events"), 7);
  auto rolled = services::campaign_report(t_.app(), account_, c.campaign_id);
  EXPECT_EQ(rolled->totals, before->totals);

  // Six months on the activity is no longer shown, even before the job has run.
  t_.clock().advance(181 * kDay);
  EXPECT_TRUE(services::subscriber_activity(t_.app(), account_, c.subscribers[0])->empty());

  t_.clock().advance(30 * kDay);
  std::int64_t removed = -1;
  for (const auto& outcome : services::run_maintenance(t_.app())) {
    if (outcome.name == "old-tracking-events") {
      EXPECT_EQ(outcome.error, "");
      removed = outcome.removed;
    }
  }
  EXPECT_EQ(removed, 7 + 2) << "seven named events and two anonymous counts";
  EXPECT_EQ(count_rows(t_.app(), "events"), 0);
  EXPECT_EQ(count_rows(t_.app(), "anonymous_events"), 0);

  auto after = services::campaign_report(t_.app(), account_, c.campaign_id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->totals, before->totals);
  ASSERT_EQ(after->hours.size(), before->hours.size());
  for (std::size_t i = 0; i < after->hours.size(); ++i)
    EXPECT_EQ(after->hours[i], before->hours[i]);
  ASSERT_EQ(after->links.size(), 2u);
  EXPECT_EQ(after->links[0].clicks, before->links[0].clicks);
  EXPECT_EQ(after->links[1].clicks, before->links[1].clicks);
  EXPECT_EQ(services::campaign_report_csv(*after), services::campaign_report_csv(*before));
}

TEST_P(TrackingTest, ReportsBelongToTheirAccount) {
  SentCampaign c = make_sent_campaign(t_.app(), account_);
  std::int64_t other = t_.create_account("Other", "o@other.example");
  EXPECT_EQ(services::campaign_report(t_.app(), other, c.campaign_id).error().code,
            Errc::not_found);
  EXPECT_TRUE(services::subscriber_activity(t_.app(), other, c.subscribers[0])->empty());
  auto recent = services::recent_campaign_reports(t_.app(), account_, 5);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ(recent->front().campaign_id, c.campaign_id);
  EXPECT_TRUE(services::recent_campaign_reports(t_.app(), other, 5)->empty());
}

SM_INSTANTIATE_FOR_ENGINES(TrackingTest);

}  // namespace
}  // namespace sm::testing
