// The sending worker on both engines, sending to a real SMTP server (aiosmtpd on loopback)
// through the real SmtpTransport: every recipient once, 4xx retried, 5xx failed, refused
// credentials pausing, pause and cancel between batches, people who leave after the
// snapshot, dead workers' deliveries becoming unknown, and two workers never overlapping.
#include "services/send_worker.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <thread>

#include "integration/service/sending_fixture.hpp"
#include "integration/service/test_app.hpp"
#include "services/delivery_claims.hpp"
#include "services/send_workers.hpp"
#include "services/sending.hpp"
#include "services/suppression.hpp"
#include "support/smtp_capture.hpp"

namespace sm::testing {
namespace {

using namespace std::chrono_literals;

services::SendWorkerSettings settings(std::size_t batch = 100) {
  services::SendWorkerSettings s;
  s.batch_size = batch;
  s.retry = {3, kMinute, kHour};
  s.heartbeat_every = 20ms;
  s.idle_wait = 20ms;
  return s;
}

std::string address(int i) { return "person" + std::to_string(i) + "@example.net"; }

class SendWorkerTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  TestApp t{GetParam()};
  services::App& app = t.app();
  std::int64_t account = t.create_account();
  std::int64_t domain = verified_domain(app, account);
  std::int64_t list = make_list(app, account);

  // A campaign to `n` confirmed subscribers, started.
  std::int64_t started_campaign(int n, std::int64_t rate_per_minute = 0) {
    for (int i = 0; i < n; ++i) add_confirmed(app, account, list, address(i));
    std::int64_t id = make_campaign(app, account, {list}, rate_per_minute);
    require(services::start_campaign(app, account, id), "start");
    return id;
  }

  services::SendingProgress progress(std::int64_t id) {
    return required(services::campaign_progress(app, account, id), "progress");
  }

  // Recipient address → messages received for it.
  static std::map<std::string, int> received(const SmtpCapture& capture) {
    std::map<std::string, int> out;
    for (const auto& m : capture.messages()) {
      for (const auto& r : m.rcpt_tos) ++out[r];
    }
    return out;
  }

  std::string last_error(std::int64_t id, const std::string& email) {
    auto lease = app.db->acquire();
    auto rows = (*lease)->run(
        "SELECT last_error, attempts FROM deliveries WHERE campaign_id = $1 AND email = $2",
        {id, email});
    return rows->empty() ? "" : rows->front().text(0);
  }

  std::int64_t attempts(std::int64_t id, const std::string& email) {
    auto lease = app.db->acquire();
    auto rows = (*lease)->run(
        "SELECT attempts FROM deliveries WHERE campaign_id = $1 AND email = $2", {id, email});
    return rows->empty() ? -1 : rows->front().integer(0);
  }
};

TEST_P(SendWorkerTest, EveryRecipientGetsExactlyOneMessage) {
  SmtpCapture capture;
  use_relay(app, capture.url(), t.clock());
  std::int64_t id = started_campaign(23);

  services::SendWorker worker(app, settings(5));
  ASSERT_TRUE(worker.run(true).ok());

  auto got = received(capture);
  ASSERT_EQ(got.size(), 23u);
  for (int i = 0; i < 23; ++i) EXPECT_EQ(got[address(i)], 1) << address(i);
  for (const auto& m : capture.messages()) {
    EXPECT_TRUE(m.mail_from.starts_with("b-")) << "a VERP return path";
    EXPECT_NE(m.raw.find("DKIM-Signature:"), std::string::npos);
  }
  auto p = progress(id);
  EXPECT_EQ(p.sent, 23);
  EXPECT_EQ(p.total, 23);
  EXPECT_EQ(p.sent_last_minute, 23);
  EXPECT_EQ(campaign_status(app, account, id), "sent");
}

TEST_P(SendWorkerTest, DeferredDeliveryIsRetriedAfterItsWaitAndThenSent) {
  SmtpCapture::Options options;
  options.rcpt_replies_once = {{address(1), 451}};
  SmtpCapture capture(options);
  use_relay(app, capture.url(), t.clock());
  std::int64_t id = started_campaign(3);

  services::SendWorker worker(app, settings());
  ASSERT_TRUE(worker.open().ok());
  auto first = worker.run_round();
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_EQ(first->sent, 2);
  EXPECT_EQ(first->retried, 1);
  EXPECT_EQ(attempts(id, address(1)), 1);
  EXPECT_NE(last_error(id, address(1)).find("451"), std::string::npos);

  // Not due yet: nothing is claimed, the campaign is still sending.
  auto early = worker.run_round();
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->claimed, 0);
  EXPECT_EQ(campaign_status(app, account, id), "sending");

  t.clock().advance(kMinute);
  auto again = worker.run_round();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sent, 1);
  ASSERT_TRUE(worker.run_round().ok());
  EXPECT_EQ(campaign_status(app, account, id), "sent");
  auto got = received(capture);
  EXPECT_EQ(got[address(1)], 1);
  EXPECT_EQ(got.size(), 3u);
}

TEST_P(SendWorkerTest, DeferredTooOftenFails) {
  SmtpCapture::Options options;
  options.rcpt_replies = {{address(0), 451}};
  SmtpCapture capture(options);
  use_relay(app, capture.url(), t.clock());
  std::int64_t id = started_campaign(1);

  services::SendWorker worker(app, settings());
  ASSERT_TRUE(worker.open().ok());
  for (int round = 0; round < 8 && campaign_status(app, account, id) == "sending"; ++round) {
    ASSERT_TRUE(worker.run_round().ok());
    t.clock().advance(kHour);
  }
  EXPECT_EQ(progress(id).failed, 1);
  EXPECT_EQ(attempts(id, address(0)), 3);
  EXPECT_NE(last_error(id, address(0)).find("3 attempts"), std::string::npos);
  EXPECT_EQ(campaign_status(app, account, id), "sent");
}

TEST_P(SendWorkerTest, RejectedDeliveryFailsWithTheReasonKept) {
  SmtpCapture::Options options;
  options.rcpt_replies = {{address(2), 550}};
  SmtpCapture capture(options);
  use_relay(app, capture.url(), t.clock());
  std::int64_t id = started_campaign(4);

  services::SendWorker worker(app, settings());
  ASSERT_TRUE(worker.run(true).ok());

  auto p = progress(id);
  EXPECT_EQ(p.sent, 3);
  EXPECT_EQ(p.failed, 1);
  EXPECT_NE(last_error(id, address(2)).find("550"), std::string::npos);
  EXPECT_EQ(received(capture).count(address(2)), 0u);
  EXPECT_EQ(campaign_status(app, account, id), "sent");
}

TEST_P(SendWorkerTest, RefusedCredentialsPauseTheCampaignAndSendNothing) {
  SmtpCapture::Options options;
  options.auth = "relay-user:right-password";
  SmtpCapture capture(options);
  use_relay(app, "smtp://relay-user:wrong-password@127.0.0.1:" + std::to_string(capture.port()),
            t.clock());
  std::int64_t id = started_campaign(3);

  services::SendWorker worker(app, settings());
  ASSERT_TRUE(worker.run(true).ok());

  EXPECT_EQ(campaign_status(app, account, id), "paused");
  auto p = progress(id);
  EXPECT_EQ(p.queued, 3);
  EXPECT_NE(p.note.find("refused the service's user name or password"), std::string::npos);
  EXPECT_EQ(attempts(id, address(0)), 0);
  EXPECT_TRUE(capture.messages().empty());
}

TEST_P(SendWorkerTest, PauseAndCancelTakeEffectBetweenBatches) {
  SmtpCapture capture;
  use_relay(app, capture.url(), t.clock());
  std::int64_t id = started_campaign(20);
  services::SendWorker worker(app, settings(5));
  ASSERT_TRUE(worker.open().ok());

  ASSERT_TRUE(worker.run_round().ok());
  EXPECT_EQ(progress(id).sent, 5);
  ASSERT_TRUE(services::pause_campaign(app, account, id).ok());
  ASSERT_TRUE(worker.run_round().ok());
  EXPECT_EQ(progress(id).sent, 5);
  ASSERT_TRUE(services::resume_campaign(app, account, id).ok());
  ASSERT_TRUE(worker.run_round().ok());
  EXPECT_EQ(progress(id).sent, 10);
  ASSERT_TRUE(services::cancel_campaign(app, account, id).ok());
  ASSERT_TRUE(worker.run(true).ok());

  auto p = progress(id);
  EXPECT_EQ(p.sent, 10);
  EXPECT_EQ(p.queued, 10);
  EXPECT_EQ(campaign_status(app, account, id), "cancelled");
  EXPECT_EQ(received(capture).size(), 10u);
}

TEST_P(SendWorkerTest, PeopleWhoLeaveAfterTheSnapshotGetNothing) {
  SmtpCapture capture;
  use_relay(app, capture.url(), t.clock());
  std::int64_t id = started_campaign(4);
  // One unsubscribes, one is suppressed (a complaint elsewhere), both after the start.
  auto record = required(
      services::find_subscriber(
          app, account,
          required(services::list_members(app, account, list, std::nullopt, 10, 0), "members")
              .members[0]
              .subscriber_id),
      "subscriber");
  const std::string leaver = record.email;
  required(services::unsubscribe(
               app, services::unsubscribe_token(app, record.subscriptions[0].subscription), {}),
           "unsubscribe");
  const std::string suppressed = leaver == address(3) ? address(2) : address(3);
  {
    auto lease = app.db->acquire();
    require(services::suppress(app, **lease, account, *parse_email_address(suppressed),
                               services::SuppressionReason::complained),
            "suppress");
  }

  services::SendWorker worker(app, settings());
  ASSERT_TRUE(worker.run(true).ok());

  auto got = received(capture);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(got.count(leaver), 0u);
  EXPECT_EQ(got.count(suppressed), 0u);
  auto p = progress(id);
  EXPECT_EQ(p.total, 2);
  EXPECT_EQ(p.sent, 2);
  EXPECT_EQ(campaign_status(app, account, id), "sent");
}

TEST_P(SendWorkerTest, RateLimitSpreadsTheCampaignOverTime) {
  SmtpCapture capture;
  use_relay(app, capture.url(), t.clock());
  // 240 a minute: a burst of 8, then one every 250 ms.
  std::int64_t id = started_campaign(12, 240);

  services::SendWorker worker(app, settings());
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(worker.run(true).ok());
  const auto took = std::chrono::steady_clock::now() - begin;

  EXPECT_EQ(progress(id).sent, 12);
  EXPECT_GE(took, 900ms);  // four after the burst, 250 ms apart
}

// A process id that is certainly not running: a child that has exited and been reaped.
std::int64_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

TEST_P(SendWorkerTest, DeliveriesInFlightAtADeadWorkerBecomeUnknownAndAreNotSent) {
  SmtpCapture capture;
  use_relay(app, capture.url(), t.clock());
  std::int64_t id = started_campaign(5);

  // A worker of this host that died holding two deliveries in flight.
  services::WorkerProcess gone = services::this_process();
  gone.pid = dead_pid();
  ASSERT_TRUE(services::register_worker(app, "dead-worker", gone).ok());
  auto claimed = services::claim_deliveries(app, account, id, "dead-worker", 2, 0);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 2u);

  services::SendWorker worker(app, settings());
  ASSERT_TRUE(worker.run(true).ok());

  auto p = progress(id);
  EXPECT_EQ(p.unknown, 2);
  EXPECT_EQ(p.sent, 3);
  EXPECT_EQ(campaign_status(app, account, id), "sent");
  auto got = received(capture);
  for (const auto& d : *claimed) EXPECT_EQ(got.count(d.recipient.email), 0u);

  // Only when the account holder asks.
  ASSERT_EQ(required(services::requeue_unknown(app, account, id), "requeue"), 2);
  services::SendWorker again(app, settings());
  ASSERT_TRUE(again.run(true).ok());
  EXPECT_EQ(progress(id).sent, 5);
  EXPECT_EQ(received(capture).size(), 5u);
}

TEST_P(SendWorkerTest, AWorkerElsewhereIsDeadOnlyAfterItsHeartbeatStops) {
  std::int64_t id = started_campaign(3);
  services::WorkerProcess elsewhere{"another-host", "boot", 4242, 1};
  ASSERT_TRUE(services::register_worker(app, "remote-worker", elsewhere).ok());
  ASSERT_TRUE(services::claim_deliveries(app, account, id, "remote-worker", 3, 0).ok());

  const auto self = services::this_process();
  auto soon = services::reap_dead_workers(app, "me", self, kMinute);
  ASSERT_TRUE(soon.ok());
  EXPECT_EQ(soon->deliveries, 0);
  EXPECT_EQ(progress(id).sending, 3);

  t.clock().advance(kMinute + 1);
  auto late = services::reap_dead_workers(app, "me", self, kMinute);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->workers, 1);
  EXPECT_EQ(late->deliveries, 3);
  EXPECT_EQ(progress(id).unknown, 3);
}

TEST_P(SendWorkerTest, AWorkerJudgedDeadCannotClaimOrRecordUntilItRegistersAgain) {
  std::int64_t id = started_campaign(2);
  const auto self = services::this_process();
  ASSERT_TRUE(services::register_worker(app, "stalled", self).ok());
  auto held = services::claim_deliveries(app, account, id, "stalled", 1, 0);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 1u);

  // Another worker removed it (as dead) meanwhile.
  auto lease = app.db->acquire();
  ASSERT_TRUE((*lease)->run("DELETE FROM send_workers WHERE id = 'stalled'").ok());
  ASSERT_TRUE(services::reap_dead_workers(app, "me", self, kMinute).ok());
  EXPECT_EQ(progress(id).unknown, 1);

  auto none = services::claim_deliveries(app, account, id, "stalled", 5, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // Its late result does not turn the unknown delivery into sent.
  services::DeliveryOutcome sent;
  sent.delivery_id = held->front().recipient.delivery_id;
  ASSERT_TRUE(services::record_outcomes(app, account, "stalled", {sent}).ok());
  EXPECT_EQ(progress(id).unknown, 1);
  EXPECT_EQ(progress(id).sent, 0);

  ASSERT_TRUE(services::send_heartbeat(app, "stalled", self).ok());  // registers again
  auto next = services::claim_deliveries(app, account, id, "stalled", 5, 0);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->size(), 1u);
}

TEST_P(SendWorkerTest, TwoWorkersClaimingAtOnceNeverShareADelivery) {
  std::int64_t id = started_campaign(60);
  const auto self = services::this_process();
  std::vector<std::string> ids = {"worker-a", "worker-b", "worker-c"};
  for (const auto& w : ids) ASSERT_TRUE(services::register_worker(app, w, self).ok());

  std::vector<std::vector<std::int64_t>> got(ids.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] {
      for (;;) {
        auto batch = services::claim_deliveries(app, account, id, ids[i], 3, 0);
        if (!batch.ok()) {
          ADD_FAILURE() << batch.error().detail;
          return;
        }
        if (batch->empty()) return;
        for (const auto& d : *batch) got[i].push_back(d.recipient.delivery_id);
      }
    });
  }
  for (auto& th : threads) th.join();

  std::set<std::int64_t> all;
  std::size_t claims = 0;
  for (const auto& g : got) {
    claims += g.size();
    all.insert(g.begin(), g.end());
  }
  EXPECT_EQ(claims, 60u);
  EXPECT_EQ(all.size(), 60u);
}

SM_INSTANTIATE_FOR_ENGINES(SendWorkerTest);

}  // namespace
}  // namespace sm::testing
