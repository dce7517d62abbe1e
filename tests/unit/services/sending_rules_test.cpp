// The rules of the sending engine that need no database: the campaign pace, how another
// worker is judged dead, and what a relay's answer makes of a delivery.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/config.hpp"
#include "services/delivery_claims.hpp"
#include "services/send_pace.hpp"
#include "services/send_worker.hpp"
#include "services/send_workers.hpp"

namespace sm::services {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using TimePoint = SendPace::TimePoint;

const TimePoint t0{};

TEST(SendPace, UnlimitedGrantsEverything) {
  SendPace pace(0, 10, t0);
  EXPECT_FALSE(pace.limited());
  EXPECT_EQ(pace.take(500, t0), 500u);
  EXPECT_EQ(pace.wait_for_one(t0), milliseconds(0));
}

TEST(SendPace, StartsWithOneBurstThenFollowsTheRate) {
  SendPace pace(60, 2, t0);  // one a second
  EXPECT_EQ(pace.take(10, t0), 2u);
  EXPECT_EQ(pace.take(10, t0), 0u);
  EXPECT_EQ(pace.wait_for_one(t0), milliseconds(1000));
  EXPECT_EQ(pace.take(10, t0 + milliseconds(999)), 0u);
  EXPECT_EQ(pace.take(10, t0 + milliseconds(1000)), 1u);
  EXPECT_EQ(pace.take(10, t0 + milliseconds(3500)), 2u);  // 2.5 earned, capped at the burst
}

TEST(SendPace, OverAMinuteNoMoreThanRatePlusBurst) {
  SendPace pace(120, pace_burst(120, 100), t0);
  std::size_t started = 0;
  for (int ms = 0; ms <= 60'000; ms += 10) started += pace.take(100, t0 + milliseconds(ms));
  EXPECT_LE(started, 120u + pace_burst(120, 100));
  EXPECT_GE(started, 120u);
}

TEST(SendPace, UnusedTokensComeBack) {
  SendPace pace(60, 4, t0);
  EXPECT_EQ(pace.take(4, t0), 4u);
  pace.give_back(3);  // only one was due
  EXPECT_EQ(pace.take(4, t0), 3u);
}

TEST(SendPace, BurstIsTwoSecondsBoundedByTheBatch) {
  EXPECT_EQ(pace_burst(0, 100), 100u);
  EXPECT_EQ(pace_burst(1, 100), 1u);
  EXPECT_EQ(pace_burst(600, 100), 20u);
  EXPECT_EQ(pace_burst(60'000, 100), 100u);
}

WorkerProcess here(std::int64_t pid) { return {"node-a", "boot-1", pid, 1000 + pid}; }

RegisteredWorker worker(WorkerProcess p, Millis heartbeat) {
  return {"w", std::move(p), heartbeat};
}

TEST(JudgeWorker, SameHostProcessGoneIsDeadAtOnce) {
  auto running = [](const WorkerProcess& p) { return p.pid == 7; };
  const Millis now = 1'000'000;
  EXPECT_EQ(judge_worker(worker(here(7), now), here(1), now, kMinute, running), Liveness::alive);
  EXPECT_EQ(judge_worker(worker(here(8), now), here(1), now, kMinute, running), Liveness::gone);
}

TEST(JudgeWorker, SameHostRunningIsAliveHoweverLongSilent) {
  auto running = [](const WorkerProcess&) { return true; };
  EXPECT_EQ(judge_worker(worker(here(7), 0), here(1), 10 * kMinute, kMinute, running),
            Liveness::alive);
}

TEST(JudgeWorker, SameHostAfterARestartIsDead) {
  auto running = [](const WorkerProcess&) { return true; };
  WorkerProcess before = here(7);
  before.boot_id = "boot-0";
  EXPECT_EQ(judge_worker(worker(before, 5), here(1), 5, kMinute, running), Liveness::gone);
}

TEST(JudgeWorker, OtherHostIsDeadOnlyWhenSilentPastTheTimeout) {
  auto never = [](const WorkerProcess&) -> bool {
    ADD_FAILURE() << "another host's process cannot be looked at";
    return false;
  };
  WorkerProcess there{"node-b", "boot-9", 7, 1007};
  const Millis now = 10 * kMinute;
  EXPECT_EQ(judge_worker(worker(there, now - kMinute), here(1), now, kMinute, never),
            Liveness::alive);
  EXPECT_EQ(judge_worker(worker(there, now - kMinute - 1), here(1), now, kMinute, never),
            Liveness::silent);
}

TEST(JudgeWorker, ThisProcessIsRunning) {
  EXPECT_TRUE(process_running(this_process()));
  // The start time is in clock ticks since boot, so it is no later than the uptime.
  std::ifstream uptime("/proc/uptime");
  double seconds = 0;
  uptime >> seconds;
  const auto started = this_process().pid_started;
  EXPECT_GT(started, 0);
  EXPECT_LE(started, static_cast<std::int64_t>((seconds + 1) * sysconf(_SC_CLK_TCK)));
  WorkerProcess reused = this_process();
  reused.pid_started += 1;  // the same pid, started at another time: not the same process
  EXPECT_FALSE(process_running(reused));
}

const RetryPolicy policy{3, kMinute, 3 * kMinute};

TEST(OutcomeOf, AcceptedIsSent) {
  auto o = outcome_of(9, 0, Status{}, policy, 1000);
  EXPECT_EQ(o.kind, OutcomeKind::sent);
  EXPECT_EQ(o.delivery_id, 9);
}

TEST(OutcomeOf, DeferredIsRetriedWithADoublingCappedWait) {
  Status deferred =
      make_error(Errc::unavailable, "The mail relay deferred the message (SMTP 451).");
  auto first = outcome_of(9, 0, deferred, {5, kMinute, 3 * kMinute}, 1000);
  EXPECT_EQ(first.kind, OutcomeKind::retry);
  EXPECT_EQ(first.retry_at, 1000 + kMinute);
  EXPECT_NE(first.error.find("451"), std::string::npos);
  EXPECT_EQ(outcome_of(9, 1, deferred, {5, kMinute, 3 * kMinute}, 0).retry_at, 2 * kMinute);
  EXPECT_EQ(outcome_of(9, 3, deferred, {5, kMinute, 3 * kMinute}, 0).retry_at, 3 * kMinute);
}

TEST(OutcomeOf, DeferredTooOftenFails) {
  Status deferred = make_error(Errc::unavailable, "deferred");
  EXPECT_EQ(outcome_of(9, 1, deferred, policy, 0).kind, OutcomeKind::retry);
  auto last = outcome_of(9, 2, deferred, policy, 0);
  EXPECT_EQ(last.kind, OutcomeKind::failed);
  EXPECT_TRUE(last.attempted);
  EXPECT_NE(last.error.find("3 attempts"), std::string::npos);
}

TEST(OutcomeOf, RejectedFailsWithTheRelaysSentence) {
  Status rejected =
      make_error(Errc::invalid_input, "The mail relay rejected the message (SMTP 554).");
  auto o = outcome_of(9, 0, rejected, policy, 0);
  EXPECT_EQ(o.kind, OutcomeKind::failed);
  EXPECT_EQ(o.error, "The mail relay rejected the message (SMTP 554).");
}

TEST(OutcomeOf, RefusedCredentialsReleaseTheDelivery) {
  Status refused = make_error(Errc::unauthorized, "The mail relay refused the user name.");
  EXPECT_EQ(outcome_of(9, 0, refused, policy, 0).kind, OutcomeKind::release);
}

TEST(SendWorkerSettings, ComeFromTheSendingKeys) {
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SMARTMESSAGES_SENDING_BATCH_SIZE") return "7";
    if (name == "SMARTMESSAGES_SENDING_WORKER_TIMEOUT_SECONDS") return "120";
    return std::nullopt;
  };
  auto config = load_config(
      "[sending]\nenabled = false\nmax_attempts = 2\n"
      "retry_base_seconds = 30\n",
      env);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_FALSE(config->sending_enabled);
  auto s = SendWorkerSettings::from(*config);
  EXPECT_EQ(s.batch_size, 7u);
  EXPECT_EQ(s.retry.max_attempts, 2);
  EXPECT_EQ(s.retry.base, 30 * kSecond);
  EXPECT_EQ(s.worker_timeout, 120 * kSecond);
  EXPECT_EQ(s.heartbeat_every, std::chrono::milliseconds(10'000));
}

TEST(SendWorkerSettings, DefaultsSendFromServe) {
  auto config = load_config("", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->sending_enabled);
  EXPECT_EQ(SendWorkerSettings::from(*config).batch_size, 100u);
}

TEST(SendWorkerSettings, ABadValueNamesTheKey) {
  auto config =
      load_config("[sending]\nbatch_size = 0\n", [](const std::string&) { return std::nullopt; });
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("sending.batch_size"), std::string::npos);
}

TEST(JsonIdList, IsAJsonArray) {
  EXPECT_EQ(json_id_list({}), "[]");
  EXPECT_EQ(json_id_list({3, 10, 42}), "[3,10,42]");
}

}  // namespace
}  // namespace sm::services
