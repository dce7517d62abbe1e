// Sending domains through the real binary, on both engines: /api/v1/domains with a key made
// by the CLI (add, list, read, duplicate, bad name, another account, delete), and the pages
// (add a domain on /domains and see its records; a forged POST is refused).
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "support/free_port.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/test_database.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "copper-Lantern-meadow-38-thistle";

class DomainHttpTest : public ::testing::TestWithParam<TestEngine> {};

struct JsonReply {
  long status = 0;
  std::string body;
  json parsed() const { return json::parse(body, nullptr, false); }
};

JsonReply call(const ServiceProcess& svc, const std::string& method, const std::string& path,
               const std::string& key, const std::string& body = "") {
  ApiReply r = call_api(svc.base_url(), method, path, key, body);
  return {r.status, r.text};
}

std::int64_t create_account(const ServiceProcess& svc, const std::string& email) {
  CliResult made = svc.run_cli(
      {"account", "create", "--org", "Org of " + email, "--email", email, "--password-stdin"},
      std::string(kPassword) + "\n");
  if (made.exit_code != 0) throw std::runtime_error("account create: " + made.err);
  return std::stoll(made.out);
}

std::string api_key(const ServiceProcess& svc, std::int64_t account) {
  CliResult key =
      svc.run_cli({"apikey", "create", "--account", std::to_string(account), "--name", "t"});
  std::smatch m;
  if (key.exit_code != 0 || !std::regex_search(key.out, m, std::regex("sm_[A-Za-z0-9_-]+"))) {
    throw std::runtime_error("apikey create: " + key.err);
  }
  return m[0].str();
}

TEST_P(DomainHttpTest, TheApiAddsListsReadsAndDeletesDomains) {
  ServiceProcess svc(GetParam());
  const std::string mine = api_key(svc, create_account(svc, "owner@mine.test"));
  const std::string theirs = api_key(svc, create_account(svc, "owner@theirs.test"));

  JsonReply made = call(svc, "POST", "/api/v1/domains", mine, R"({"domain":"Mail.Mine.Test"})");
  ASSERT_EQ(201, made.status) << made.body;
  json d = made.parsed();
  EXPECT_EQ("mail.mine.test", d["domain"]);
  EXPECT_EQ(false, d["verified"]);
  ASSERT_GE(d["records"].size(), 3u);
  EXPECT_EQ("TXT", d["records"][0]["type"]);
  EXPECT_THAT(d["records"][0]["name"].get<std::string>(), HasSubstr("._domainkey.mail.mine.test"));
  EXPECT_THAT(d["records"][0]["value"].get<std::string>(), HasSubstr("k=ed25519; p="));
  EXPECT_THAT(d["records"][1]["value"].get<std::string>(), HasSubstr("k=rsa; p="));
  EXPECT_EQ("_dmarc.mail.mine.test", d["records"].back()["name"]);
  const std::string path = "/api/v1/domains/" + std::to_string(d["id"].get<std::int64_t>());

  JsonReply one = call(svc, "GET", path, mine);
  ASSERT_EQ(200, one.status);
  EXPECT_EQ(d["records"], one.parsed()["records"]);
  JsonReply all = call(svc, "GET", "/api/v1/domains", mine);
  ASSERT_EQ(1u, all.parsed()["domains"].size());
  EXPECT_THAT(all.body, Not(HasSubstr("PRIVATE")));

  JsonReply dup = call(svc, "POST", "/api/v1/domains", mine, R"({"domain":"mail.mine.test"})");
  EXPECT_EQ(409, dup.status);
  EXPECT_THAT(dup.parsed()["detail"].get<std::string>(), HasSubstr("already has"));
  JsonReply bad = call(svc, "POST", "/api/v1/domains", mine, R"({"domain":"localhost"})");
  EXPECT_EQ(422, bad.status);
  EXPECT_EQ("domain", bad.parsed()["field"]);
  EXPECT_EQ(422, call(svc, "POST", "/api/v1/domains", mine, R"({"domain":5})").status);

  EXPECT_EQ(404, call(svc, "GET", path, theirs).status);
  EXPECT_EQ(404, call(svc, "DELETE", path, theirs).status);
  EXPECT_TRUE(call(svc, "GET", "/api/v1/domains", theirs).parsed()["domains"].empty());
  EXPECT_EQ(401, call(svc, "GET", "/api/v1/domains", "sm_wrong").status);

  EXPECT_EQ(204, call(svc, "DELETE", path, mine).status);
  EXPECT_EQ(404, call(svc, "GET", path, mine).status);
}

// dns.server reaches the binary: a server that does not answer makes the check a 503 with a
// sentence, and the domain stays unverified. (Checks against served records: the service test.)
TEST_P(DomainHttpTest, VerifyAsksTheConfiguredDnsServer) {
  ServiceProcess::Options options;
  options.env = {{"SMARTMESSAGES_DNS_SERVER", "127.0.0.1:" + std::to_string(free_loopback_port())}};
  ServiceProcess svc(GetParam(), options);
  const std::string mine = api_key(svc, create_account(svc, "owner@dns.test"));
  const std::string theirs = api_key(svc, create_account(svc, "owner@other.test"));
  JsonReply made = call(svc, "POST", "/api/v1/domains", mine, R"({"domain":"dns.test"})");
  ASSERT_EQ(201, made.status) << made.body;
  const std::string path = "/api/v1/domains/" + std::to_string(made.parsed()["id"].get<int>());

  EXPECT_EQ(404, call(svc, "POST", path + "/verify", theirs).status);
  JsonReply checked = call(svc, "POST", path + "/verify", mine);
  EXPECT_EQ(503, checked.status) << checked.body;
  EXPECT_THAT(checked.parsed()["detail"].get<std::string>(), HasSubstr("did not answer"));
  EXPECT_EQ(false, call(svc, "GET", path, mine).parsed()["verified"]);
}

TEST_P(DomainHttpTest, ThePagesAddADomainAndShowItsRecords) {
  ServiceProcess svc(GetParam());
  create_account(svc, "owner@pages.test");
  HttpClient c(svc.base_url());
  const HeaderList origin = {{"Origin", c.base_url()}};
  HttpResponse login = c.get("/login");
  HttpResponse in = c.post_form("/login",
                                {{"email", "owner@pages.test"},
                                 {"password", kPassword},
                                 {"form_token", input_value(login.body, "form_token")}},
                                origin);
  ASSERT_EQ(303, in.status);

  HttpResponse index = c.get("/domains");
  ASSERT_EQ(200, index.status);
  EXPECT_THAT(index.body, HasSubstr("No sending domains yet"));
  EXPECT_THAT(index.body, HasSubstr("href=\"/domains\""));
  const std::string csrf = input_value(index.body, "csrf");

  EXPECT_EQ(403, c.post_form("/domains", {{"domain", "pages.test"}}, origin).status);
  HttpResponse refused = c.post_form("/domains", {{"domain", "pages"}, {"csrf", csrf}}, origin);
  EXPECT_EQ(422, refused.status);
  EXPECT_THAT(refused.body, HasSubstr("aria-invalid=\"true\""));
  EXPECT_THAT(refused.body, HasSubstr("like example.org"));

  HttpResponse added = c.post_form("/domains", {{"domain", "pages.test"}, {"csrf", csrf}}, origin);
  ASSERT_EQ(303, added.status) << added.body;
  std::smatch m;
  const std::string location = added.header("Location");
  ASSERT_TRUE(std::regex_search(location, m, std::regex("/domains/[0-9]+")));
  const std::string page_path = m[0];

  HttpResponse page = c.get(page_path);
  ASSERT_EQ(200, page.status);
  EXPECT_THAT(page.body, HasSubstr("Not verified"));
  EXPECT_THAT(page.body, HasSubstr("action=\"" + page_path + "/check\""));
  EXPECT_THAT(page.body, HasSubstr("<code>sm-ed-"));
  EXPECT_THAT(page.body, HasSubstr("._domainkey.pages.test</code>"));
  EXPECT_THAT(page.body, HasSubstr("<code>v=DKIM1; k=rsa; p="));
  EXPECT_THAT(page.body, HasSubstr("<code>_dmarc.pages.test</code>"));
  EXPECT_THAT(page.body, HasSubstr("v=DMARC1; p=none; rua=mailto:owner@pages.test"));
  EXPECT_THAT(c.get("/domains").body, HasSubstr("pages.test"));

  HttpResponse dup = c.post_form("/domains", {{"domain", "PAGES.test"}, {"csrf", csrf}}, origin);
  EXPECT_EQ(409, dup.status);
  EXPECT_THAT(dup.body, HasSubstr("already has pages.test"));

  EXPECT_EQ(200, c.get(page_path + "/delete").status);
  HttpResponse deleted =
      c.post_form(page_path + "/delete", {{"confirm", "yes"}, {"csrf", csrf}}, origin);
  EXPECT_EQ(303, deleted.status);
  EXPECT_EQ(404, c.get(page_path).status);
}

SM_INSTANTIATE_FOR_ENGINES(DomainHttpTest);

}  // namespace
}  // namespace sm::testing
