// The data access portal end to end through the real binary on both engines: two accounts
// hold an address (imported by the CLI), a second address is on the same lists; /portal
// answers byte for byte the same for a held and an unknown address and sets no cookie; the
// emailed link's button sets the portal cookie; the page and the export show both accounts
// and nothing of the other address.
#include <gmock/gmock.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "services/app.hpp"
#include "services/lists.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/test_database.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class PortalHttpTest : public ::testing::TestWithParam<TestEngine> {};

// A list made directly in the service's database, since lists have no command.
std::int64_t make_list(const ServiceProcess& svc, std::int64_t account, const std::string& name) {
  services::App app;
  app.clock = std::make_unique<SystemClock>();
  app.config.data_dir = svc.data_dir().string();
  app.keys = std::make_unique<KeyRing>(*KeyRing::load_or_create(svc.data_dir()));
  auto db = store::Database::open(svc.database_url(), 1);
  if (!db.ok()) throw std::runtime_error("database: " + db.error().detail);
  app.db = std::move(db).value();
  return services::create_list(app, account, {name, "Monthly.", "", ""})->id;
}

// An account whose list holds ann and bob, imported by the CLI.
void account_holding_both(const ServiceProcess& svc, const std::string& organisation,
                          const std::string& email) {
  CliResult made =
      svc.run_cli({"account", "create", "--org", organisation, "--email", email, "--contact",
                   "Jo Bloggs", "--address", "2 Mill Lane, York", "--password-stdin"},
                  "violet-Harbour-tractor-91-quill\n");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::int64_t account = std::stoll(made.out);
  std::int64_t list = make_list(svc, account, organisation + " news");
  auto csv = svc.data_dir() / (std::to_string(account) + ".csv");
  std::ofstream(csv) << "email\nann@example.org\nbob@example.net\n";
  CliResult r =
      svc.run_cli({"import", "--account", std::to_string(account), "--list", std::to_string(list),
                   "--source", "Paper form at the fair", "--basis", "consent", csv.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

HttpResponse request_link(HttpClient& c, const std::string& email) {
  HttpResponse form = c.get("/portal");
  EXPECT_EQ(form.status, 200);
  EXPECT_FALSE(form.has_header("Set-Cookie"));
  return c.post_form("/portal",
                     {{"email", email}, {"form_token", input_value(form.body, "form_token")}},
                     {{"Origin", c.base_url()}});
}

std::string link_in(const ServiceProcess& svc, const OutboxMessage& m) {
  for (const auto& link : m.links) {
    if (link.rfind(svc.base_url() + "/portal/open/", 0) == 0) {
      return link.substr(svc.base_url().size());
    }
  }
  return "";
}

TEST_P(PortalHttpTest, RequestOpenViewAndExportThroughTheBinary) {
  ServiceProcess svc(GetParam(), {.env = {}, .start = false});
  account_holding_both(svc, "Alder Books", "owner@alder.test");
  account_holding_both(svc, "Birch Bakery", "owner@birch.test");
  svc.start();
  HttpClient c(svc.base_url());

  HttpResponse known = request_link(c, "ann@example.org");
  HttpResponse unknown = request_link(c, "nobody@example.com");
  ASSERT_EQ(known.status, 200) << known.body;
  EXPECT_EQ(known.status, unknown.status);
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_EQ(known.header("Content-Type"), unknown.header("Content-Type"));
  EXPECT_EQ(known.header("Content-Length"), unknown.header("Content-Length"));
  EXPECT_FALSE(known.has_header("Set-Cookie"));
  EXPECT_FALSE(unknown.has_header("Set-Cookie"));

  ASSERT_TRUE(svc.wait_for_outbox(1)) << svc.log();
  auto messages = svc.outbox_messages();
  ASSERT_EQ(messages.size(), 1u);  // nothing to nobody@
  EXPECT_THAT(messages[0].to, HasSubstr("ann@example.org"));
  std::string link = link_in(svc, messages[0]);
  ASSERT_FALSE(link.empty()) << messages[0].text;

  HttpResponse page = c.get(link);
  EXPECT_EQ(page.status, 200);
  EXPECT_FALSE(page.has_header("Set-Cookie"));
  HttpResponse opened = c.post_form(link, {}, {{"Origin", c.base_url()}});
  ASSERT_EQ(opened.status, 303) << opened.body;
  std::string cookie = opened.header("Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("sm_portal="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, Not(HasSubstr("Expires")));
  ASSERT_TRUE(c.cookie("sm_portal").has_value());

  HttpResponse data = c.get("/portal/data");
  ASSERT_EQ(data.status, 200);
  EXPECT_THAT(data.body, HasSubstr("Alder Books"));
  EXPECT_THAT(data.body, HasSubstr("Birch Bakery"));
  EXPECT_THAT(data.body, HasSubstr("Paper form at the fair"));
  EXPECT_THAT(data.body, Not(HasSubstr("bob@")));
  EXPECT_EQ(data.header("Cache-Control"), "no-store");

  HttpResponse exported = c.get("/portal/export.json");
  ASSERT_EQ(exported.status, 200);
  json j = json::parse(exported.body);
  ASSERT_EQ(j["accounts"].size(), 2u);
  EXPECT_EQ(j["accounts"][0]["subscriptions"][0]["status"], "confirmed");
  EXPECT_THAT(exported.body, Not(HasSubstr("bob@")));

  // The link is used up: opening it again from another browser fails.
  HttpClient other(svc.base_url());
  EXPECT_EQ(other.post_form(link, {}, {{"Origin", other.base_url()}}).status, 404);
  EXPECT_EQ(other.get("/portal/data").status, 303);
  EXPECT_THAT(svc.log(), Not(HasSubstr("ann@example.org")));
}

SM_INSTANTIATE_FOR_ENGINES(PortalHttpTest);

}  // namespace
}  // namespace sm::testing
