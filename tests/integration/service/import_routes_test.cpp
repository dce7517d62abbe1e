// Import and export from outside the services, on both engines: the API called through the
// router in-process, and `smartmessages import`, `export` and `suppressions` through the real
// binary.
#include <gmock/gmock.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "api/routes.hpp"
#include "http/router.hpp"
#include "services/api_keys.hpp"
#include "services/lists.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "test_app.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ImportApiTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  ImportApiTest() : t_(GetParam()) {
    api::add_import_api(router_, t_.app());
    account_ = t_.create_account();
    services::ListForm f{"Garden news", "Monthly tips.", "", ""};
    list_ = services::create_list(t_.app(), account_, f)->id;
    key_ = services::create_api_key(t_.app(), account_, "test")->key;
  }

  http::Response call(http::Method m, const std::string& path, std::string body = "",
                      const std::string& key = "") {
    http::Request req;
    req.method = m;
    auto q = path.find('?');
    req.path = path.substr(0, q);
    req.query = q == std::string::npos ? "" : path.substr(q + 1);
    req.target = path;
    req.body = std::move(body);
    req.headers.set("Authorization", "Bearer " + (key.empty() ? key_ : key));
    req.headers.set("Content-Type", "text/csv");
    auto match = router_.match(req);
    if (match.handler == nullptr) return http::Response::not_found_text();
    return (*match.handler)(req);
  }

  std::string imports_path() const { return "/api/v1/lists/" + std::to_string(list_) + "/imports"; }

  TestApp t_;
  http::Router router_;
  std::int64_t account_ = 0;
  std::int64_t list_ = 0;
  std::string key_;
};

TEST_P(ImportApiTest, ImportsACsvBodyAndAnswersTheReport) {
  auto r = call(http::Method::post, imports_path() + "?source=CRM%20export&basis=contract",
                "email\nann@example.org\nnot-an-address\nann@example.org\n");
  ASSERT_EQ(r.status, 201) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["status"], "done");
  EXPECT_EQ(body["rows_seen"], 3);
  EXPECT_EQ(body["imported"], 1);
  EXPECT_EQ(body["refused"]["invalid_address"], 1);
  EXPECT_EQ(body["refused"]["duplicate"], 1);
  EXPECT_EQ(body["refused"]["suppressed"], 0);
  std::string id = std::to_string(body["id"].get<std::int64_t>());
  EXPECT_EQ(body["report_url"], "/api/v1/imports/" + id + "/report.csv");

  auto again = call(http::Method::get, "/api/v1/imports/" + id);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["imported"], 1);
  auto report = call(http::Method::get, "/api/v1/imports/" + id + "/report.csv");
  EXPECT_THAT(report.body, HasSubstr("3,invalid_address,not-an-address,"));
  auto csv = call(http::Method::get, "/api/v1/lists/" + std::to_string(list_) + "/export");
  EXPECT_EQ(csv.status, 200);
  EXPECT_THAT(csv.body, HasSubstr("ann@example.org,confirmed,Garden news,"));
}

TEST_P(ImportApiTest, RefusalsAreProblemsWithSentences) {
  auto no_source = call(http::Method::post, imports_path() + "?basis=consent", "email\n");
  EXPECT_EQ(no_source.status, 422);
  EXPECT_THAT(no_source.body, HasSubstr("Say where these addresses came from"));
  auto religion = call(http::Method::post, imports_path() + "?source=x&basis=consent",
                       "email,religion\na@example.org,x\n");
  EXPECT_EQ(religion.status, 422);
  EXPECT_THAT(religion.body, HasSubstr("cannot be imported"));
}

TEST_P(ImportApiTest, AnotherAccountsIdsAnswer404) {
  auto ok = call(http::Method::post, imports_path() + "?source=x&basis=consent", "email\n");
  ASSERT_EQ(ok.status, 201);
  std::string id = std::to_string(json::parse(ok.body)["id"].get<std::int64_t>());
  std::int64_t other = t_.create_account("Other Ltd", "other@example.org");
  std::string other_key = services::create_api_key(t_.app(), other, "other")->key;
  EXPECT_EQ(call(http::Method::get, "/api/v1/imports/" + id, "", other_key).status, 404);
  EXPECT_EQ(
      call(http::Method::post, imports_path() + "?source=x&basis=consent", "email\n", other_key)
          .status,
      404);
  EXPECT_EQ(
      call(http::Method::get, "/api/v1/lists/" + std::to_string(list_) + "/export", "", other_key)
          .status,
      404);
}

SM_INSTANTIATE_FOR_ENGINES(ImportApiTest);

class ImportCliTest : public ::testing::TestWithParam<TestEngine> {};

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A list made directly in the service's database, since lists have no command.
std::int64_t make_list(const ServiceProcess& svc, std::int64_t account) {
  services::App app;
  app.clock = std::make_unique<SystemClock>();
  app.config.data_dir = svc.data_dir().string();
  app.keys = std::make_unique<KeyRing>(*KeyRing::load_or_create(svc.data_dir()));
  auto db = store::Database::open(svc.database_url(), 1);
  if (!db.ok()) throw std::runtime_error("database: " + db.error().detail);
  app.db = std::move(db).value();
  return services::create_list(app, account, {"News", "Monthly.", "", ""})->id;
}

TEST_P(ImportCliTest, ImportWithReportThenExport) {
  ServiceProcess svc(GetParam(), {.env = {}, .start = false});
  CliResult made = svc.run_cli({"account", "create", "--org", "Example Ltd", "--email",
                                "owner@example.org", "--password-stdin"},
                               "violet-Harbour-tractor-91-quill\n");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string account = std::to_string(std::stoll(made.out));
  std::string list = std::to_string(make_list(svc, std::stoll(made.out)));

  auto csv = svc.data_dir() / "people.csv";
  auto report = svc.data_dir() / "refused.csv";
  write_file(csv, "email\nann@example.org\nbroken\nbob@example.org\nann@example.org\n");
  CliResult r =
      svc.run_cli({"import", "--account", account, "--list", list, "--source", "Shop sign-up sheet",
                   "--basis", "consent", "--report", report.string(), csv.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("4 rows read, 2 imported, 2 refused."));
  EXPECT_THAT(r.err, HasSubstr("invalid_address: 1"));
  EXPECT_THAT(r.err, HasSubstr("duplicate: 1"));
  EXPECT_THAT(read_file(report), HasSubstr("3,invalid_address,broken,"));
  EXPECT_THAT(read_file(report), HasSubstr("5,duplicate,ann@example.org,"));

  CliResult out = svc.run_cli({"export", "--account", account, "--list", list});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_THAT(out.out, HasSubstr("bob@example.org,confirmed,News,"));
  EXPECT_THAT(out.out, HasSubstr("Shop sign-up sheet,consent"));

  auto hashes = svc.data_dir() / "hashes.txt";
  write_file(hashes, std::string(64, 'a') + "\nnope\n");
  CliResult in = svc.run_cli({"suppressions", "import", "--account", account, hashes.string()});
  EXPECT_EQ(in.exit_code, 0) << in.err;
  EXPECT_THAT(in.err, HasSubstr("1 added, 0 already suppressed, 1 lines"));
  CliResult listed = svc.run_cli({"suppressions", "export", "--account", account});
  EXPECT_EQ(listed.out, std::string(64, 'a') + "\n");

  CliResult bad = svc.run_cli({"import", "--account", account, "--list", list, "--source", "x",
                               "--basis", "consent", (svc.data_dir() / "missing.csv").string()});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("Cannot read"));
}

SM_INSTANTIATE_FOR_ENGINES(ImportCliTest);

class ImportWebTest : public ::testing::TestWithParam<TestEngine> {};

constexpr char kPassword[] = "violet-Harbour-tractor-91-quill";

void sign_in(HttpClient& c) {
  HttpResponse form = c.get("/login");
  ASSERT_EQ(form.status, 200);
  HttpResponse r = c.post_form("/login",
                               {{"email", "owner@example.org"},
                                {"password", kPassword},
                                {"form_token", input_value(form.body, "form_token")}},
                               {{"Origin", c.base_url()}});
  ASSERT_EQ(r.status, 303) << r.body;
}

// Polls the import page until it stops refreshing itself; the page when it did.
// Reloads the import page, as its refresh does, until it stops refreshing. The bound is
// generous because under ASan on a busy 2-core machine a few thousand rows take seconds.
HttpResponse wait_for_import(HttpClient& c, const std::string& page) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  HttpResponse r;
  do {
    r = c.get(page);
    if (r.status == 200 && r.body.find("http-equiv=\"refresh\"") == std::string::npos) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  return r;
}

TEST_P(ImportWebTest, UploadRunsInTheBackgroundAndReachesTheReport) {
  ServiceProcess svc(GetParam());
  CliResult made = svc.run_cli({"account", "create", "--org", "Example Ltd", "--email",
                                "owner@example.org", "--password-stdin"},
                               std::string(kPassword) + "\n");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string list = std::to_string(make_list(svc, std::stoll(made.out)));
  HttpClient c(svc.base_url());
  sign_in(c);

  std::string csv = "email\n";
  for (int i = 0; i < 2500; ++i) csv += "p" + std::to_string(i) + "@example.org\n";
  csv += "broken\np1@example.org\n";
  HttpResponse form = c.get("/lists/" + list + "/import");
  ASSERT_EQ(form.status, 200) << form.body;
  HeaderList fields{{"csrf", input_value(form.body, "csrf")},
                    {"source", "Shop sign-up sheet"},
                    {"basis", "consent"}};
  HttpResponse up = c.post_multipart("/lists/" + list + "/import", fields, "file", "people.csv",
                                     csv, {{"Origin", c.base_url()}});
  ASSERT_EQ(up.status, 303) << up.body;
  std::string page = up.header("Location");
  ASSERT_THAT(page, ::testing::StartsWith("/imports/"));

  HttpResponse done = wait_for_import(c, page);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(element_text(done.body, "import-status"), "done");
  EXPECT_EQ(element_text(done.body, "rows-seen"), "2502");
  EXPECT_EQ(element_text(done.body, "rows-imported"), "2500");
  EXPECT_EQ(element_text(done.body, "rows-refused"), "2");
  HttpResponse report = c.get(page + "/report.csv");
  EXPECT_EQ(report.status, 200);
  EXPECT_THAT(report.body, HasSubstr("2502,invalid_address,broken,"));
  EXPECT_THAT(report.body, HasSubstr("2503,duplicate,p1@example.org,"));

  HttpResponse forged = c.post_multipart("/lists/" + list + "/import", fields, "file", "x.csv", csv,
                                         {{"Origin", "http://evil.example"}});
  EXPECT_EQ(forged.status, 403);
  HttpResponse exported = c.get("/lists/" + list + "/export.csv");
  EXPECT_THAT(exported.body, HasSubstr("p2499@example.org,confirmed,News,"));
  EXPECT_EQ(svc.stop(), 0);
}

SM_INSTANTIATE_FOR_ENGINES(ImportWebTest);

}  // namespace
}  // namespace sm::testing
