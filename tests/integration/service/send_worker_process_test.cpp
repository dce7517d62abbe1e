// The real `smartmessages worker` binary against a real SMTP server, on both engines:
//
//  - the crash test: a 5,000-recipient campaign, the worker SIGKILLed five times at random
//    moments (after a random number of messages arrived) and restarted; then no address has
//    two messages, every delivery is sent or unknown, every sent one arrived, and the unknown
//    count is what the API says (the campaign's progress and its report);
//  - two worker processes on one campaign at once never send the same delivery;
//  - SIGTERM lets the worker finish its batch and exit 0.
//
// The campaign is set up through the services in this process, on the same database and data
// directory (so the same secret key) the binary uses.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/text.hpp"
#include "integration/service/sending_fixture.hpp"
#include "services/accounts.hpp"
#include "services/sending.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/smtp_capture.hpp"

extern char** environ;

namespace sm::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// One `smartmessages worker` process, its output in a file.
class WorkerProcess {
 public:
  WorkerProcess(const std::vector<std::string>& args, const EnvVars& env,
                const std::filesystem::path& log)
      : log_(log) {
    std::vector<std::string> argv = {std::getenv("SMARTMESSAGES_BINARY")};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> envv;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string_view(*e).rfind("SMARTMESSAGES_", 0) != 0) envv.emplace_back(*e);
    }
    for (const auto& [k, v] : env) envv.push_back(k + "=" + v);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> a, e;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    for (auto& s : envv) e.push_back(s.data());
    e.push_back(nullptr);
    const int rc = posix_spawn(&pid_, a[0], &actions, nullptr, a.data(), e.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("could not start the worker");
  }
  ~WorkerProcess() {
    if (pid_ > 0) kill(SIGKILL);
  }

  // Sends `signal` and waits for the exit; returns the exit code or 128 + signal.
  int kill(int signal) {
    ::kill(pid_, signal);
    return wait(std::chrono::hours(1)).value_or(-1);
  }

  // The exit code, or nothing when it is still running at the deadline.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
      }
      if (SteadyClock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(10ms);
    }
  }

  std::string log() const { return read_file(log_); }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

class WorkerBinaryTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  SmtpCapture capture;
  ServiceProcess service{GetParam(), {{{"SMARTMESSAGES_SENDING_ENABLED", "false"}}, false}};
  ScratchDir scratch;
  std::unique_ptr<services::App> app = open_app();
  std::int64_t account = 0;
  std::int64_t campaign = 0;
  int runs = 0;

  // The App this test sets the campaign up with: the service's database and data directory.
  std::unique_ptr<services::App> open_app() {
    auto a = std::make_unique<services::App>();
    a->config.data_dir = service.data_dir().string();
    a->config.http_base_url = service.base_url();
    a->clock = std::make_unique<SystemClock>();
    a->keys =
        std::make_unique<KeyRing>(required(KeyRing::load_or_create(service.data_dir()), "keys"));
    a->db = required(store::Database::open(service.database_url(), 4), "database");
    required(a->db->migrate(), "migrate");
    use_relay(*a, capture.url(), *a->clock);
    return a;
  }

  EnvVars env(std::size_t batch = 50) const {
    return {{"SMARTMESSAGES_DATA_DIR", service.data_dir().string()},
            {"SMARTMESSAGES_DATABASE_URL", service.database_url()},
            {"SMARTMESSAGES_HTTP_BASE_URL", service.base_url()},
            {"SMARTMESSAGES_MAIL_SMTP_URL", capture.url()},
            {"SMARTMESSAGES_SENDING_BATCH_SIZE", std::to_string(batch)}};
  }

  std::unique_ptr<WorkerProcess> worker(const std::vector<std::string>& args, std::size_t batch) {
    const auto log = scratch.path() / ("worker-" + std::to_string(++runs) + ".log");
    return std::make_unique<WorkerProcess>(args, env(batch), log);
  }

  // An account, a verified domain, a list of `n` confirmed subscribers imported through the
  // CLI, and a started campaign to it.
  void start_campaign_to(int n) {
    services::ControllerDetails d{"Example Ltd",          "Ada Owner",
                                  "1 High Street, Leeds", "owner@example.org",
                                  "https://example.org",  "privacy@example.org"};
    account = required(services::create_account_as_operator(*app, d, ""), "account").ids.account_id;
    verified_domain(*app, account);
    const std::int64_t list = make_list(*app, account);

    const auto csv = scratch.path() / "people.csv";
    {
      std::ofstream out(csv);
      out << "email\n";
      for (int i = 0; i < n; ++i) out << "person" << i << "@example.net\n";
    }
    auto imported = service.run_cli(
        {"import", "--account", std::to_string(account), "--list", std::to_string(list), "--source",
         "Shop sign-up sheet", "--basis", "consent", csv.string()},
        "", {}, 120s);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;

    campaign = make_campaign(*app, account, {list});
    require(services::start_campaign(*app, account, campaign), "start");
  }

  std::map<std::string, int> received() const {
    std::map<std::string, int> out;
    for (const auto& m : capture.messages()) {
      for (const auto& r : m.rcpt_tos) ++out[r];
    }
    return out;
  }

  // The unknown count as the API gives it: the campaign (GET /api/v1/campaigns/{id}, its
  // progress) and its report (GET .../report, its deliveries).
  std::pair<std::int64_t, std::int64_t> reported_unknown() {
    service.start();
    auto key = service.run_cli({"apikey", "create", "--account", std::to_string(account)});
    EXPECT_EQ(key.exit_code, 0) << key.err;
    const HeaderList auth = {{"Authorization", "Bearer " + std::string(trim_whitespace(key.out))}};
    HttpClient http(service.base_url());
    const std::string path = "/api/v1/campaigns/" + std::to_string(campaign);
    auto one = http.get(path, auth);
    auto report = http.get(path + "/report", auth);
    EXPECT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(report.status, 200) << report.body;
    auto a = nlohmann::json::parse(one.body, nullptr, false);
    auto b = nlohmann::json::parse(report.body, nullptr, false);
    if (!a.is_object() || !b.is_object()) return {-1, -1};
    return {a["progress"]["unknown"].get<std::int64_t>(),
            b["deliveries"]["unknown"].get<std::int64_t>()};
  }
};

TEST_P(WorkerBinaryTest, KilledFiveTimesNoAddressGetsTwoMessages) {
  constexpr int kRecipients = 5000;
  start_campaign_to(kRecipients);
  const auto seed = std::random_device{}();
  std::mt19937 random(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));

  for (int kill = 0; kill < 5; ++kill) {
    const std::size_t before = capture.messages().size();
    // Somewhere in the next batches: some kills land between batches, most inside one.
    const std::size_t more = std::uniform_int_distribution<std::size_t>(1, 400)(random);
    auto w = worker({"worker"}, 50);
    const bool arrived = capture.wait_for(before + more, 120s);
    ASSERT_TRUE(arrived) << "kill " << kill << ": no progress; log:\n" << w->log();
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(random)));
    EXPECT_EQ(w->kill(SIGKILL), 128 + SIGKILL);
  }
  auto last = worker({"worker", "--until-idle"}, 50);
  auto exited = last->wait(240s);
  ASSERT_TRUE(exited.has_value()) << "the last run did not finish; log:\n" << last->log();
  ASSERT_EQ(*exited, 0) << last->log();

  auto states = delivery_states(*app, campaign);
  ASSERT_EQ(states.size(), static_cast<std::size_t>(kRecipients));
  auto got = received();
  std::int64_t sent = 0, unknown = 0;
  for (const auto& [email, status] : states) {
    ASSERT_LE(got[email], 1) << email << " received twice";
    if (status == "sent") {
      ++sent;
      EXPECT_EQ(got[email], 1) << email << " is sent but never arrived";
    } else {
      ASSERT_EQ(status, "unknown") << email;
      ++unknown;
    }
  }
  EXPECT_EQ(sent + unknown, kRecipients);
  EXPECT_GT(sent, 0);
  EXPECT_EQ(campaign_status(*app, account, campaign), "sent");
  auto p = required(services::campaign_progress(*app, account, campaign), "progress");
  EXPECT_EQ(p.unknown, unknown);
  auto [in_campaign, in_report] = reported_unknown();
  EXPECT_EQ(in_campaign, unknown);
  EXPECT_EQ(in_report, unknown);
  std::cerr << "crash test: " << sent << " sent, " << unknown << " unknown, "
            << capture.messages().size() << " arrived\n";
}

TEST_P(WorkerBinaryTest, TwoWorkerProcessesNeverSendTheSameDelivery) {
  constexpr int kRecipients = 1000;
  start_campaign_to(kRecipients);

  auto a = worker({"worker", "--until-idle"}, 20);
  auto b = worker({"worker", "--until-idle"}, 20);
  auto a_exit = a->wait(240s);
  auto b_exit = b->wait(240s);
  ASSERT_EQ(a_exit.value_or(-1), 0) << a->log();
  ASSERT_EQ(b_exit.value_or(-1), 0) << b->log();

  auto got = received();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kRecipients));
  for (const auto& [email, n] : got) ASSERT_EQ(n, 1) << email;
  auto p = required(services::campaign_progress(*app, account, campaign), "progress");
  EXPECT_EQ(p.sent, kRecipients);
  // Both took part.
  auto lease = app->db->acquire();
  auto rows = (*lease)->run(
      "SELECT claimed_by, COUNT(*) FROM deliveries WHERE campaign_id = $1 GROUP BY claimed_by",
      {campaign});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 2u) << "both workers should have sent part of the campaign";
}

TEST_P(WorkerBinaryTest, SigtermFinishesTheBatchAndExitsCleanly) {
  start_campaign_to(400);
  auto w = worker({"worker"}, 50);
  ASSERT_TRUE(capture.wait_for(10, 60s)) << w->log();
  EXPECT_EQ(w->kill(SIGTERM), 0) << w->log();

  // Stopped cleanly: nothing was left in flight, so nothing is unknown.
  auto p = required(services::campaign_progress(*app, account, campaign), "progress");
  EXPECT_EQ(p.unknown, 0);
  EXPECT_EQ(p.sending, 0);
  EXPECT_EQ(p.sent, static_cast<std::int64_t>(capture.messages().size()));
  EXPECT_NE(w->log().find("Stopping after the batch in flight"), std::string::npos);

  auto rest = worker({"worker", "--until-idle"}, 50);
  ASSERT_EQ(rest->wait(120s).value_or(-1), 0) << rest->log();
  EXPECT_EQ(received().size(), 400u);
}

SM_INSTANTIATE_FOR_ENGINES(WorkerBinaryTest);

}  // namespace
}  // namespace sm::testing
