// Backups through the real binary, on both engines: `backup` runs while a campaign is sending
// to a relay on loopback and sign-ups keep arriving through the API, and `restore` puts it
// into a fresh data directory and database. Nothing is missing: every table's row count
// matches the manifest (taken in the same snapshot), the list imported before the backup
// exports byte for byte the same, the rows written during it are a consistent prefix, the
// campaign has all its deliveries and goes on sending, and the secret key came along (API
// keys still authenticate). A non-empty target is refused without --force.
#include <gmock/gmock.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "store/backup.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/smtp_capture.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class BackupTest : public ::testing::TestWithParam<TestEngine> {};

// One JSON API call; a client of its own, so a writer thread can call it.
std::pair<long, json> call(const std::string& base, const std::string& method,
                           const std::string& path, const std::string& key,
                           const std::string& body = "") {
  ApiReply r = call_api(base, method, path, key, body);
  return {r.status, r.body};
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::set<std::string> emails_of(const std::string& csv) {
  std::set<std::string> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) out.insert(line.substr(0, line.find(',')));
  return out;
}

// Keeps adding confirmed subscribers to a list through the API until stopped (at most 5000).
class Writer {
 public:
  Writer(std::string base, std::string key, std::string list)
      : thread_([this, base, key, list] {
          for (int i = 0; i < 5000 && !stop_; ++i) {
            json body = {{"email", "w" + std::to_string(i) + "@writer.test"},
                         {"confirmed", true},
                         {"source", "Backup test sign-ups"},
                         {"basis", "consent"}};
            auto [status, reply] =
                call(base, "POST", "/api/v1/lists/" + list + "/subscribers", key, body.dump());
            if (status == 201)
              ++written_;
            else
              ++failed_;
          }
        }) {}
  ~Writer() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int written() const { return written_; }
  int failed() const { return failed_; }
  void wait_for(int n) const {
    for (int i = 0; i < 3000 && written_ < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> written_{0};
  std::atomic<int> failed_{0};
  std::thread thread_;
};

std::map<std::string, std::int64_t> manifest_tables(const std::filesystem::path& dir) {
  std::map<std::string, std::int64_t> out;
  json m = json::parse(read_file(dir / "manifest.json"));
  for (const auto& [t, n] : m["tables"].items()) out[t] = n.get<std::int64_t>();
  return out;
}

std::map<std::string, std::int64_t> database_tables(const std::string& url) {
  std::map<std::string, std::int64_t> out;
  auto db = store::Database::open(url, 1);
  if (!db.ok()) throw std::runtime_error("open: " + db.error().detail);
  auto lease = (*db)->acquire();
  auto tables = store::user_tables(**lease);
  for (const auto& t : *tables) out[t] = *store::count_rows(**lease, t);
  return out;
}

// Sets a column of the sending domain straight in the service's database: there is no DNS
// here to verify it against.
void mark_domain_verified(const std::string& database_url) {
  auto db = store::Database::open(database_url, 1);
  if (!db.ok()) throw std::runtime_error("open: " + db.error().detail);
  auto lease = (*db)->acquire();
  auto done = (*lease)->run("UPDATE sending_domains SET verified_at = 1");
  if (!done.ok()) throw std::runtime_error("verify: " + done.error().detail);
}

TEST_P(BackupTest, ABackupTakenWhileWritingRestoresWithNothingMissing) {
  SmtpCapture relay;
  ServiceProcess svc(GetParam(), {{{"SMARTMESSAGES_MAIL_SMTP_URL", relay.url()}}, true});
  const std::string account =
      first_line(svc.run_cli({"account", "create", "--org", "Backed Ltd", "--email",
                              "owner@backed.test", "--contact", "Ada", "--address", "1 High St",
                              "--website", "https://backed.test"})
                     .out);
  CliResult key_made = svc.run_cli({"apikey", "create", "--account", account, "--name", "k"});
  const std::string key = first_line(key_made.out);
  ASSERT_THAT(key, ::testing::StartsWith("sm_"));
  auto [s1, imported] = call(svc.base_url(), "POST", "/api/v1/lists", key,
                             R"({"name":"Imported","description":"Before the backup"})");
  ASSERT_EQ(s1, 201) << imported.dump();
  auto [s2, signups] = call(svc.base_url(), "POST", "/api/v1/lists", key,
                            R"({"name":"Sign-ups","description":"During the backup"})");
  ASSERT_EQ(s2, 201);
  const std::string list_a = std::to_string(imported["id"].get<std::int64_t>());
  const std::string list_b = std::to_string(signups["id"].get<std::int64_t>());

  // Before: 400 addresses imported (consent records and receipts with them).
  ScratchDir work;
  {
    std::ofstream csv(work.path() / "people.csv");
    csv << "email\n";
    for (int i = 0; i < 400; ++i) csv << "person" << i << "@imported.test\n";
  }
  CliResult imp =
      svc.run_cli({"import", "--account", account, "--list", list_a, "--source", "Paper forms",
                   "--basis", "consent", (work.path() / "people.csv").string()});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  CliResult export_before = svc.run_cli({"export", "--account", account, "--list", list_a});
  ASSERT_EQ(export_before.exit_code, 0);
  ASSERT_EQ(emails_of(export_before.out).size(), 400u);

  // During: a campaign to the imported list is sending (600 a minute, so it lasts longer
  // than the backup) and sign-ups keep arriving through the API.
  auto [s_domain, domain] =
      call(svc.base_url(), "POST", "/api/v1/domains", key, R"({"domain":"backed.test"})");
  ASSERT_EQ(s_domain, 201) << domain.dump();
  mark_domain_verified(svc.database_url());
  json campaign_body = {{"name", "Backup news"},
                        {"subject", "News"},
                        {"from_email", "news@backed.test"},
                        {"from_name", "Backed Ltd"},
                        {"list_ids", json::array({imported["id"]})},
                        {"markdown", "Hello from **Backed**."},
                        {"rate_per_minute", 600}};
  auto [s_campaign, campaign] =
      call(svc.base_url(), "POST", "/api/v1/campaigns", key, campaign_body.dump());
  ASSERT_EQ(s_campaign, 201) << campaign.dump();
  const std::string campaign_path =
      "/api/v1/campaigns/" + std::to_string(campaign["id"].get<std::int64_t>());
  auto [s_send, sending] = call(svc.base_url(), "POST", campaign_path + "/send", key, "{}");
  ASSERT_EQ(s_send, 202) << sending.dump();
  ASSERT_TRUE(relay.wait_for(5, std::chrono::seconds(60))) << "the campaign did not start";

  const auto dest = work.path() / "backup";
  Writer writer(svc.base_url(), key, list_b);
  writer.wait_for(30);
  const int written_before = writer.written();
  CliResult backup = svc.run_cli({"backup", dest.string()});
  const int written_after = writer.written();
  writer.wait_for(written_after + 20);
  writer.stop();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.err,
              HasSubstr(GetParam() == TestEngine::sqlite ? "online backup API" : "pg_dump"));
  EXPECT_EQ(writer.failed(), 0);
  EXPECT_GT(writer.written(), written_after) << "the writer stopped before the backup ended";
  EXPECT_GE(written_before, 30);

  auto manifest = manifest_tables(dest);
  ASSERT_TRUE(manifest.count("subscriptions"));
  const std::int64_t snapshot_b = manifest["subscriptions"] - 400;
  EXPECT_GE(snapshot_b, written_before);
  EXPECT_LE(snapshot_b, written_after + 1);  // one reply may still be on its way
  EXPECT_TRUE(std::filesystem::exists(dest / "secret.key"));
  auto key_perms = std::filesystem::status(dest / "secret.key").permissions();
  EXPECT_EQ(key_perms & std::filesystem::perms::group_all, std::filesystem::perms::none);

  // A backup never overwrites another.
  CliResult again = svc.run_cli({"backup", dest.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("already holds files"));

  CliResult final_b = svc.run_cli({"export", "--account", account, "--list", list_b});
  auto [s_during, during] = call(svc.base_url(), "GET", campaign_path, key);
  EXPECT_EQ(during["status"], "sending") << "the campaign was still sending after the backup";
  svc.stop();

  // Restore into a fresh installation: an empty data directory and a new database.
  ServiceProcess fresh(GetParam(), ServiceProcess::Options{{}, false});
  CliResult restored = fresh.run_cli({"restore", dest.string()});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_THAT(restored.out, Not(HasSubstr("MISSING")));
  EXPECT_THAT(restored.err, HasSubstr("all matching the manifest"));
  EXPECT_EQ(database_tables(fresh.database_url()), manifest);
  EXPECT_GE(manifest.size(), 15u);

  CliResult refused = fresh.run_cli({"restore", dest.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("is not empty"));
  EXPECT_THAT(refused.err, HasSubstr("--force"));
  CliResult forced = fresh.run_cli({"restore", "--force", dest.string()});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(database_tables(fresh.database_url()), manifest);

  fresh.start();
  // Content, not only counts: the imported list is exactly as it was.
  CliResult export_after = fresh.run_cli({"export", "--account", account, "--list", list_a});
  ASSERT_EQ(export_after.exit_code, 0) << export_after.err;
  EXPECT_EQ(export_after.out, export_before.out);
  // The sign-ups in the backup are the first ones written, each also in the original.
  CliResult restored_b = fresh.run_cli({"export", "--account", account, "--list", list_b});
  auto in_backup = emails_of(restored_b.out);
  auto in_original = emails_of(final_b.out);
  EXPECT_EQ(static_cast<std::int64_t>(in_backup.size()), snapshot_b);
  for (const auto& e : in_backup) EXPECT_TRUE(in_original.count(e)) << e;
  for (std::int64_t i = 0; i < snapshot_b; ++i) {
    EXPECT_TRUE(in_backup.count("w" + std::to_string(i) + "@writer.test")) << i;
  }
  // The campaign came back as it stood: all 400 deliveries, those sent before the snapshot
  // still sent, and the sending goes on in the restored installation.
  auto [s_back, back] = call(fresh.base_url(), "GET", campaign_path, key);
  ASSERT_EQ(s_back, 200) << back.dump();
  EXPECT_EQ(manifest["deliveries"], 400);
  EXPECT_EQ(back["progress"]["total"], 400) << back.dump();
  EXPECT_GE(back["progress"]["sent"].get<std::int64_t>(), 5) << back.dump();
  // The secret key came along: the API key still authenticates.
  auto [s3, acct] = call(fresh.base_url(), "GET", "/api/v1/account", key);
  EXPECT_EQ(s3, 200);
  EXPECT_EQ(acct["organisation"], "Backed Ltd");
}

TEST_P(BackupTest, RestoreRefusesTheOtherEngineAndBrokenBackups) {
  ServiceProcess svc(GetParam(), ServiceProcess::Options{{}, false});
  ScratchDir work;
  CliResult none = svc.run_cli({"restore", (work.path() / "nothing").string()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("has no manifest.json"));

  const auto fake = work.path() / "other";
  std::filesystem::create_directories(fake);
  const bool sqlite = GetParam() == TestEngine::sqlite;
  std::ofstream(fake / "manifest.json") << json{
      {"format", 1},
      {"engine", sqlite ? "postgresql" : "sqlite"},
      {"database_file", sqlite ? "database.pgdump" : "smartmessages.db"},
      {"tables", json::object()}}.dump();
  std::ofstream(fake / (sqlite ? "database.pgdump" : "smartmessages.db")) << "x";
  std::ofstream(fake / "secret.key") << "x";
  CliResult other = svc.run_cli({"restore", fake.string()});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("Restore it into an installation on"));

  std::filesystem::remove(fake / "secret.key");
  CliResult partial = svc.run_cli({"restore", fake.string()});
  EXPECT_EQ(partial.exit_code, 1);
  EXPECT_THAT(partial.err, HasSubstr("lacks secret.key"));
  EXPECT_TRUE(std::filesystem::is_empty(svc.data_dir()));
}

SM_INSTANTIATE_FOR_ENGINES(BackupTest);

}  // namespace
}  // namespace sm::testing
