// Sending on both engines, through the real services: the recipient snapshot, the campaign's
// states and refusals, scheduling, progress, and unknown deliveries put back by request.
#include "services/sending.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "core/crypto.hpp"
#include "integration/service/sending_fixture.hpp"
#include "integration/service/test_app.hpp"
#include "services/send_worker.hpp"
#include "services/suppression.hpp"

namespace sm::testing {
namespace {

using services::campaign_progress;
using services::start_campaign;

class SendingTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  TestApp t{GetParam()};
  services::App& app = t.app();
  std::int64_t account = t.create_account();
  std::int64_t domain = verified_domain(app, account);
  std::int64_t news = make_list(app, account, "News");
  std::int64_t offers = make_list(app, account, "Offers");

  std::int64_t campaign(const std::vector<std::int64_t>& lists) {
    return make_campaign(app, account, lists);
  }

  services::AddedSubscriber confirmed(std::int64_t list, const std::string& email) {
    return add_confirmed(app, account, list, email);
  }

  void unsubscribe(std::int64_t subscriber_id) {
    auto record = required(services::find_subscriber(app, account, subscriber_id), "find");
    for (const auto& s : record.subscriptions) {
      auto token = services::unsubscribe_token(app, s.subscription);
      required(services::unsubscribe(app, token, {}), "unsubscribe");
    }
  }

  void suppress(const std::string& email) {
    auto lease = app.db->acquire();
    require(services::suppress(app, **lease, account, *parse_email_address(email),
                               services::SuppressionReason::complained),
            "suppress");
  }

  services::SendingProgress progress(std::int64_t campaign_id) {
    return required(campaign_progress(app, account, campaign_id), "progress");
  }

  std::int64_t subscription_of(std::int64_t campaign_id, const std::string& email) {
    auto lease = app.db->acquire();
    auto rows = (*lease)->run(
        "SELECT subscription_id FROM deliveries WHERE campaign_id = $1 AND email = $2",
        {campaign_id, email});
    return rows->empty() ? 0 : rows->front().integer(0);
  }
};

TEST_P(SendingTest, SnapshotTakesEachConfirmedSubscriberOnce) {
  auto ann_news = confirmed(news, "ann@example.net");
  confirmed(offers, "ann@example.net");
  confirmed(offers, "bob@example.net");
  std::int64_t id = campaign({news, offers});

  ASSERT_TRUE(start_campaign(app, account, id).ok());

  std::map<std::string, std::string> expected = {{"ann@example.net", "queued"},
                                                 {"bob@example.net", "queued"}};
  EXPECT_EQ(delivery_states(app, id), expected);
  // The subscription made first is the one the footer explains.
  EXPECT_EQ(subscription_of(id, "ann@example.net"), ann_news.subscription_id);
  EXPECT_EQ(campaign_status(app, account, id), "sending");
  auto c = required(services::find_campaign(app, account, id), "campaign");
  EXPECT_EQ(c.started_at, t.clock().now_ms());
  auto p = progress(id);
  EXPECT_EQ(p.total, 2);
  EXPECT_EQ(p.queued, 2);
}

TEST_P(SendingTest, SnapshotLeavesOutUnconfirmedUnsubscribedAndSuppressed) {
  confirmed(news, "ann@example.net");
  services::NewSubscriber pending;
  pending.email = "pat@example.net";  // gets a confirmation email and stays pending
  required(services::add_subscriber(app, account, news, pending, {}), "pending");
  auto dan = confirmed(news, "dan@example.net");
  unsubscribe(dan.subscriber_id);
  confirmed(news, "erin@example.net");
  suppress("Erin@Example.net");  // by HMAC, whatever the case
  confirmed(offers, "fay@example.net");
  std::istringstream hashes(crypto::sha256_hex("fay@example.net") + "\n");
  required(services::import_suppression_hashes(app, account, hashes), "hash list");
  // Another account's subscriber of the same address is not on these lists.
  std::int64_t other = t.create_account("Other Ltd", "other@example.org");
  add_confirmed(app, other, make_list(app, other), "zed@example.net");

  std::int64_t id = campaign({news, offers});
  ASSERT_TRUE(start_campaign(app, account, id).ok());

  std::map<std::string, std::string> expected = {{"ann@example.net", "queued"}};
  EXPECT_EQ(delivery_states(app, id), expected);
}

TEST_P(SendingTest, NoRecipientIsRefusedAndChangesNothing) {
  services::NewSubscriber pending;
  pending.email = "pat@example.net";
  required(services::add_subscriber(app, account, news, pending, {}), "pending");
  std::int64_t id = campaign({news});

  auto started = start_campaign(app, account, id);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, Errc::invalid_input);
  EXPECT_NE(started.error().message.find("no confirmed subscriber"), std::string::npos);
  EXPECT_EQ(campaign_status(app, account, id), "draft");
  EXPECT_TRUE(delivery_states(app, id).empty());
}

TEST_P(SendingTest, NoListIsRefused) {
  std::int64_t id = campaign({});
  auto started = start_campaign(app, account, id);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, Errc::invalid_input);
  EXPECT_NE(started.error().message.find("list"), std::string::npos);
}

TEST_P(SendingTest, ACampaignThatDoesNotCompileIsRefused) {
  confirmed(news, "ann@example.net");
  std::int64_t id = campaign({news});
  auto lease = app.db->acquire();
  ASSERT_TRUE(
      (*lease)->run("UPDATE sending_domains SET verified_at = NULL WHERE id = $1", {domain}).ok());

  auto started = start_campaign(app, account, id);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, Errc::invalid_input);
  EXPECT_NE(started.error().message.find("not verified"), std::string::npos);
  EXPECT_EQ(campaign_status(app, account, id), "draft");
}

TEST_P(SendingTest, StatesMoveOnlyTheWaysAllowed) {
  confirmed(news, "ann@example.net");
  std::int64_t id = campaign({news});
  auto refused = [&](const Status& s) { return !s.ok() && s.error().code == Errc::invalid_input; };

  EXPECT_TRUE(refused(services::pause_campaign(app, account, id)));   // a draft
  EXPECT_TRUE(refused(services::cancel_campaign(app, account, id)));  // a draft
  EXPECT_TRUE(refused(services::resume_campaign(app, account, id)));  // not paused
  ASSERT_TRUE(start_campaign(app, account, id).ok());
  EXPECT_TRUE(refused(start_campaign(app, account, id)));             // started already
  EXPECT_TRUE(refused(services::resume_campaign(app, account, id)));  // sending
  ASSERT_TRUE(services::pause_campaign(app, account, id).ok());
  EXPECT_EQ(campaign_status(app, account, id), "paused");
  EXPECT_TRUE(refused(services::pause_campaign(app, account, id)));
  ASSERT_TRUE(services::resume_campaign(app, account, id).ok());
  EXPECT_EQ(campaign_status(app, account, id), "sending");
  ASSERT_TRUE(services::cancel_campaign(app, account, id).ok());
  EXPECT_EQ(campaign_status(app, account, id), "cancelled");
  EXPECT_TRUE(refused(services::cancel_campaign(app, account, id)));
  EXPECT_TRUE(refused(services::resume_campaign(app, account, id)));
  EXPECT_TRUE(refused(start_campaign(app, account, id)));
  auto requeue = services::requeue_unknown(app, account, id);
  EXPECT_FALSE(requeue.ok());
}

TEST_P(SendingTest, AnotherAccountsCampaignIsNotFound) {
  confirmed(news, "ann@example.net");
  std::int64_t id = campaign({news});
  std::int64_t other = t.create_account("Other Ltd", "other@example.org");
  for (const Status& s :
       {start_campaign(app, other, id), services::pause_campaign(app, other, id),
        services::resume_campaign(app, other, id), services::cancel_campaign(app, other, id)}) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::not_found);
  }
  EXPECT_FALSE(campaign_progress(app, other, id).ok());
  EXPECT_EQ(campaign_status(app, account, id), "draft");
}

services::SendWorkerSettings quick() {
  services::SendWorkerSettings s;
  s.heartbeat_every = std::chrono::milliseconds(20);
  s.idle_wait = std::chrono::milliseconds(20);
  return s;
}

TEST_P(SendingTest, ScheduledCampaignStartsWhenItsTimeComes) {
  confirmed(news, "ann@example.net");
  std::int64_t id = campaign({news});
  const Millis at = t.clock().now_ms() + kHour;

  auto past = start_campaign(app, account, id, t.clock().now_ms() - 1);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, Errc::invalid_input);
  ASSERT_TRUE(start_campaign(app, account, id, at).ok());
  EXPECT_EQ(campaign_status(app, account, id), "scheduled");
  EXPECT_TRUE(delivery_states(app, id).empty());

  services::SendWorker worker(app, quick());
  ASSERT_TRUE(worker.open().ok());
  auto early = worker.run_round();
  ASSERT_TRUE(early.ok()) << early.error().detail;
  EXPECT_EQ(early->started, 0);
  EXPECT_EQ(campaign_status(app, account, id), "scheduled");

  t.clock().set(at);
  confirmed(news, "bob@example.net");  // joined before the time: included
  auto due = worker.run_round();
  ASSERT_TRUE(due.ok()) << due.error().detail;
  EXPECT_EQ(due->started, 1);
  EXPECT_EQ(delivery_states(app, id).size(), 2u);
}

TEST_P(SendingTest, ScheduledCampaignThatCannotStartGoesBackToDraftWithTheReason) {
  std::int64_t id = campaign({news});  // no subscriber at all
  ASSERT_TRUE(start_campaign(app, account, id, t.clock().now_ms() + kMinute).ok());
  t.clock().advance(kMinute);

  services::SendWorker worker(app, quick());
  ASSERT_TRUE(worker.open().ok());
  ASSERT_TRUE(worker.run_round().ok());

  EXPECT_EQ(campaign_status(app, account, id), "draft");
  auto p = progress(id);
  EXPECT_NE(p.note.find("did not start at the scheduled time"), std::string::npos) << p.note;
  EXPECT_NE(p.note.find("no confirmed subscriber"), std::string::npos) << p.note;
}

TEST_P(SendingTest, UnknownDeliveriesAreQueuedAgainOnlyWhenAsked) {
  confirmed(news, "ann@example.net");
  confirmed(news, "bob@example.net");
  std::int64_t id = campaign({news});
  ASSERT_TRUE(start_campaign(app, account, id).ok());
  auto lease = app.db->acquire();
  ASSERT_TRUE((*lease)
                  ->run("UPDATE deliveries SET status = 'unknown' WHERE email = $1",
                        {std::string("ann@example.net")})
                  .ok());
  ASSERT_TRUE((*lease)
                  ->run("UPDATE deliveries SET status = 'sent' WHERE email = $1",
                        {std::string("bob@example.net")})
                  .ok());
  ASSERT_TRUE(required(services::finish_campaign_if_done(app, account, id), "finish"));
  EXPECT_EQ(campaign_status(app, account, id), "sent");
  EXPECT_EQ(progress(id).unknown, 1);

  auto requeued = services::requeue_unknown(app, account, id);
  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 1);
  EXPECT_EQ(campaign_status(app, account, id), "sending");
  auto p = progress(id);
  EXPECT_EQ(p.unknown, 0);
  EXPECT_EQ(p.queued, 1);
  EXPECT_EQ(p.sent, 1);
}

TEST_P(SendingTest, FinishingWaitsForEverythingQueuedOrInFlight) {
  confirmed(news, "ann@example.net");
  std::int64_t id = campaign({news});
  ASSERT_TRUE(start_campaign(app, account, id).ok());
  EXPECT_FALSE(required(services::finish_campaign_if_done(app, account, id), "finish"));
  auto lease = app.db->acquire();
  ASSERT_TRUE((*lease)->run("UPDATE deliveries SET status = 'sending'").ok());
  EXPECT_FALSE(required(services::finish_campaign_if_done(app, account, id), "finish"));
  ASSERT_TRUE((*lease)->run("UPDATE deliveries SET status = 'failed'").ok());
  EXPECT_TRUE(required(services::finish_campaign_if_done(app, account, id), "finish"));
  auto c = required(services::find_campaign(app, account, id), "campaign");
  EXPECT_EQ(c.finished_at, t.clock().now_ms());
}

TEST_P(SendingTest, TestSendGoesToAtMostFiveAddressesMarkedTest) {
  confirmed(news, "ann@example.net");
  std::int64_t id = campaign({news});
  std::vector<std::string> six = {"a@example.net", "b@example.net", "c@example.net",
                                  "d@example.net", "e@example.net", "f@example.net"};
  const std::size_t before = t.outbox().size();
  auto too_many = services::send_test(app, account, id, six);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().field, "emails");
  EXPECT_FALSE(services::send_test(app, account, id, {"not an address"}).ok());
  EXPECT_EQ(t.outbox().size(), before);

  ASSERT_TRUE(services::send_test(app, account, id, {"a@example.net", "b@example.net"}).ok());
  auto mail = t.outbox();
  ASSERT_EQ(mail.size(), before + 2);
  for (std::size_t i = before; i < mail.size(); ++i) {
    const auto& file = mail[i];
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("Subject: [Test] News for"), std::string::npos);
  }
  EXPECT_TRUE(delivery_states(app, id).empty());
  EXPECT_EQ(campaign_status(app, account, id), "draft");
}

SM_INSTANTIATE_FOR_ENGINES(SendingTest);

}  // namespace
}  // namespace sm::testing
