// The phishing defence through the real binary, on both engines: PATCH /api/v1/account names
// a verification page, which is fetched at once from a web server on loopback (allowed by
// the test-only setting, named through dnsmasq and dns.server); /verify/{id} then shows the
// controller details with the page and since when, without a cookie, or a clear warning for an
// account that is not verified. The controller details page names and checks a page too, and
// the hosted sign-up page links to /verify/{id}. With the default settings, loopback targets
// are refused and nothing connects to the listener.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "loopback_web.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "copper-Lantern-meadow-38-thistle";

class VerifyHttpTest : public ::testing::TestWithParam<TestEngine> {};

struct JsonReply {
  long status = 0;
  json body;
};

JsonReply call(const ServiceProcess& svc, const std::string& method, const std::string& path,
               const std::string& key, const std::string& body = "") {
  ApiReply r = call_api(svc.base_url(), method, path, key, body);
  return {r.status, r.body};
}

std::string create_account(const ServiceProcess& svc, const std::string& org,
                           const std::string& email) {
  CliResult made = svc.run_cli(
      {"account", "create", "--org", org, "--email", email, "--contact", "Ada", "--address",
       "1 High St", "--website", "https://example.test", "--password-stdin"},
      std::string(kPassword) + "\n");
  if (made.exit_code != 0) throw std::runtime_error("account create: " + made.err);
  return made.out.substr(0, made.out.find('\n'));
}

std::string api_key(const ServiceProcess& svc, const std::string& account) {
  CliResult key = svc.run_cli({"apikey", "create", "--account", account, "--name", "t"});
  std::smatch m;
  if (key.exit_code != 0 || !std::regex_search(key.out, m, std::regex("sm_[A-Za-z0-9_-]+"))) {
    throw std::runtime_error("apikey create: " + key.err);
  }
  return m[0].str();
}

TEST_P(VerifyHttpTest, TheApiNamesAPageAndTheVerifyPageShowsIt) {
  ScratchDir dir;
  LoopbackWeb web;
  AddressDns dns(dir, {{"www.shop.test", "127.0.0.1"}, {"inside.shop.test", "10.9.8.7"}});
  ServiceProcess svc(GetParam(),
                     {{{"SMARTMESSAGES_FETCH_ALLOW_LOOPBACK", "true"},
                       {"SMARTMESSAGES_FETCH_ALLOWED_PORTS", "443, " + std::to_string(web.port())},
                       {"SMARTMESSAGES_DNS_SERVER", dns.server()}},
                      true});
  const std::string id = create_account(svc, "Shop Ltd", "owner@shop.test");
  const std::string key = api_key(svc, id);
  const std::string link = svc.base_url() + "/verify/" + id;
  const std::string page = "http://www.shop.test:" + std::to_string(web.port()) + "/about";
  web.page("/about", "<html><body><footer><a href=\"" + link +
                         "\">Our newsletter</a>"
                         "</footer></body></html>");

  JsonReply before = call(svc, "GET", "/api/v1/account", key);
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.body["verification"]["verified"], false);
  EXPECT_EQ(before.body["verification"]["link"], link);
  EXPECT_TRUE(before.body["verification"]["page_url"].is_null());

  JsonReply set =
      call(svc, "PATCH", "/api/v1/account", key, json{{"verification_page", page}}.dump());
  ASSERT_EQ(set.status, 200) << set.body.dump();
  EXPECT_EQ(set.body["verification"]["verified"], true);
  EXPECT_EQ(set.body["verification"]["page_url"], page);
  EXPECT_TRUE(set.body["verification"]["verified_since"].is_number());
  EXPECT_EQ(set.body["organisation"], "Shop Ltd");
  EXPECT_EQ(web.connections(), 1);

  HttpClient visitor(svc.base_url());
  HttpResponse shown = visitor.get("/verify/" + id);
  ASSERT_EQ(shown.status, 200);
  EXPECT_FALSE(shown.has_header("Set-Cookie"));
  EXPECT_THAT(element_text(shown.body, "verification-result"), HasSubstr("Verified"));
  EXPECT_THAT(shown.body, HasSubstr("href=\"" + page + "\""));
  EXPECT_THAT(shown.body, HasSubstr("It has linked here since 20"));
  EXPECT_THAT(shown.body, HasSubstr("1 High St"));
  EXPECT_THAT(shown.body, HasSubstr("owner@shop.test"));

  // A name that points inside is refused with a sentence, and nothing changes.
  JsonReply inside = call(
      svc, "PATCH", "/api/v1/account", key,
      json{{"verification_page", "http://inside.shop.test:" + std::to_string(web.port()) + "/"}}
          .dump());
  EXPECT_EQ(inside.status, 422);
  EXPECT_EQ(inside.body["field"], "verification_page");
  EXPECT_THAT(inside.body["detail"].get<std::string>(), HasSubstr("private network address"));
  EXPECT_EQ(call(svc, "GET", "/api/v1/account", key).body["verification"]["page_url"], page);
  EXPECT_EQ(call(svc, "PATCH", "/api/v1/account", key, R"({"verification_page": 5})").status, 422);
  JsonReply renamed = call(svc, "PATCH", "/api/v1/account", key, R"({"website": 7})");
  EXPECT_EQ(renamed.status, 422);
  EXPECT_EQ(web.connections(), 1);

  // Another account has named nothing: a clear warning.
  const std::string other = create_account(svc, "Other Ltd", "owner@other.test");
  HttpResponse warned = visitor.get("/verify/" + other);
  ASSERT_EQ(warned.status, 200);
  EXPECT_THAT(element_text(warned.body, "verification-result"), HasSubstr("Not verified"));
  EXPECT_THAT(warned.body, HasSubstr("Do not trust links"));
  EXPECT_THAT(warned.body, Not(HasSubstr(page)));
  EXPECT_EQ(visitor.get("/verify/999999").status, 404);
  EXPECT_EQ(visitor.get("/verify/abc").status, 404);

  // null stops verification.
  JsonReply stopped = call(svc, "PATCH", "/api/v1/account", key, R"({"verification_page":null})");
  ASSERT_EQ(stopped.status, 200);
  EXPECT_EQ(stopped.body["verification"]["verified"], false);
  EXPECT_THAT(element_text(visitor.get("/verify/" + id).body, "verification-result"),
              HasSubstr("Not verified"));
}

TEST_P(VerifyHttpTest, TheDetailsPageNamesAPageAndTheSignUpPageLinksHere) {
  ScratchDir dir;
  LoopbackWeb web;
  AddressDns dns(dir, {{"www.club.test", "127.0.0.1"}});
  ServiceProcess svc(GetParam(),
                     {{{"SMARTMESSAGES_FETCH_ALLOW_LOOPBACK", "true"},
                       {"SMARTMESSAGES_FETCH_ALLOWED_PORTS", std::to_string(web.port())},
                       {"SMARTMESSAGES_DNS_SERVER", dns.server()}},
                      true});
  const std::string id = create_account(svc, "Club Ltd", "owner@club.test");
  const std::string link = svc.base_url() + "/verify/" + id;
  web.page("/", "<a href=\"" + link + "\">lists</a>");

  HttpClient c(svc.base_url());
  const HeaderList origin = {{"Origin", c.base_url()}};
  HttpResponse login = c.get("/login");
  ASSERT_EQ(303, c.post_form("/login",
                             {{"email", "owner@club.test"},
                              {"password", kPassword},
                              {"form_token", input_value(login.body, "form_token")}},
                             origin)
                     .status);
  HttpResponse details = c.get("/account/details");
  ASSERT_EQ(details.status, 200);
  EXPECT_THAT(details.body, HasSubstr("&lt;a href=\"" + link + "\"&gt;"));
  EXPECT_THAT(details.body, HasSubstr("action=\"/account/verification\""));
  const std::string csrf = input_value(details.body, "csrf");
  const std::string page = "http://www.club.test:" + std::to_string(web.port()) + "/";

  EXPECT_EQ(403,
            c.post_form("/account/verification", {{"verification_page", page}}, origin).status);
  EXPECT_EQ(web.connections(), 0);
  HttpResponse bad =
      c.post_form("/account/verification",
                  {{"verification_page", "http://127.0.0.1:22/"}, {"csrf", csrf}}, origin);
  EXPECT_EQ(bad.status, 422);
  EXPECT_THAT(bad.body, HasSubstr("aria-invalid=\"true\""));
  EXPECT_THAT(bad.body, HasSubstr("port 22"));

  HttpResponse saved =
      c.post_form("/account/verification", {{"verification_page", page}, {"csrf", csrf}}, origin);
  ASSERT_EQ(saved.status, 303) << saved.body;
  HttpResponse after = c.get(saved.header("Location"));
  EXPECT_THAT(element_text(after.body, "verification-status"), HasSubstr("Verified"));
  EXPECT_THAT(after.body, HasSubstr("The page links to " + link));

  // The hosted sign-up page links to the verification page.
  HttpResponse lists = c.get("/lists/new");
  ASSERT_EQ(lists.status, 200);
  HttpResponse made = c.post_form(
      "/lists/new", {{"name", "News"}, {"description", "Monthly news"}, {"csrf", csrf}}, origin);
  ASSERT_EQ(made.status, 303) << made.body;
  HttpResponse list_page = c.get(made.header("Location"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(list_page.body, m, std::regex("/s/[A-Za-z0-9_-]+")));
  HttpClient visitor(svc.base_url());
  HttpResponse signup = visitor.get(m[0].str());
  ASSERT_EQ(signup.status, 200);
  EXPECT_THAT(signup.body, HasSubstr("href=\"/verify/" + id + "\""));
}

TEST_P(VerifyHttpTest, ByDefaultLoopbackIsRefusedAndNothingConnects) {
  LoopbackWeb web;
  ServiceProcess svc(
      GetParam(),
      {{{"SMARTMESSAGES_FETCH_ALLOWED_PORTS", "80,443," + std::to_string(web.port())}}, true});
  const std::string key = api_key(svc, create_account(svc, "Plain Ltd", "owner@plain.test"));
  const std::string p = std::to_string(web.port());
  for (const std::string& url : std::vector<std::string>{
           "http://127.0.0.1:" + p + "/", "http://0x7f000001:" + p + "/",
           "http://2130706433:" + p + "/", "http://[::ffff:127.0.0.1]:" + p + "/",
           "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/"}) {
    JsonReply r =
        call(svc, "PATCH", "/api/v1/account", key, json{{"verification_page", url}}.dump());
    EXPECT_EQ(r.status, 422) << url << " " << r.body.dump();
    EXPECT_EQ(r.body["field"], "verification_page") << url;
  }
  EXPECT_EQ(web.connections(), 0);
}

SM_INSTANTIATE_FOR_ENGINES(VerifyHttpTest);

}  // namespace
}  // namespace sm::testing
