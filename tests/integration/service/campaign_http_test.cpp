// Campaigns through the real binary, on both engines: the API (create, refuse with the field
// named, read with progress, update, test send, schedule, cancel, send, delete, another
// account's key) and the pages (composer with field errors, the sandboxed preview and its
// Content-Security-Policy, test send, schedule, send, progress, the public web version). The
// sending domain is verified by the binary itself, against dnsmasq on loopback.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "integration/mail/python_tools.hpp"
#include "support/free_port.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/test_database.hpp"
#include "verified_domain.hpp"

namespace sm::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kPassword[] = "copper-Lantern-meadow-38-thistle";

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

// A service whose dns.server is a loopback port where the test serves the domain's records.
class CampaignHttpTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  CampaignHttpTest() : dns_port_(free_loopback_port()), svc_(GetParam(), options(dns_port_)) {}

  static ServiceProcess::Options options(int dns_port) {
    ServiceProcess::Options o;
    o.env = {{"SMARTMESSAGES_DNS_SERVER", "127.0.0.1:" + std::to_string(dns_port)}};
    return o;
  }

  std::int64_t create_account(const std::string& email) {
    CliResult made =
        svc_.run_cli({"account", "create", "--org", "Org of " + email, "--email", email,
                      "--contact", "Ada Owner", "--address", "1 High Street, Leeds", "--website",
                      "https://example.org", "--password-stdin"},
                     std::string(kPassword) + "\n");
    if (made.exit_code != 0) throw std::runtime_error("account create: " + made.err);
    return std::stoll(made.out);
  }

  std::string api_key(std::int64_t account) {
    CliResult key =
        svc_.run_cli({"apikey", "create", "--account", std::to_string(account), "--name", "t"});
    std::smatch m;
    if (key.exit_code != 0 || !std::regex_search(key.out, m, std::regex("sm_[A-Za-z0-9_-]+"))) {
      throw std::runtime_error("apikey create: " + key.err);
    }
    return m[0].str();
  }

  // Adds the domain through the API, serves its records and has the binary check them.
  void verify_domain(const std::string& key, const std::string& domain) {
    JsonReply made = call(svc_, "POST", "/api/v1/domains", key, json{{"domain", domain}}.dump());
    ASSERT_EQ(201, made.status) << made.body;
    const json domain_json = made.parsed();  // kept: the loop below iterates into it
    std::vector<services::DnsRecord> records;
    for (const auto& r : domain_json["records"]) {
      records.push_back({r["type"], r["name"], r["value"], ""});
    }
    dns_ = std::make_unique<LoopbackDnsServer>(scratch_, records, std::vector{domain}, dns_port_);
    const std::string path = "/api/v1/domains/" + std::to_string(domain_json["id"].get<int>());
    JsonReply checked = call(svc_, "POST", path + "/verify", key);
    ASSERT_EQ(200, checked.status) << checked.body;
    ASSERT_EQ(true, checked.parsed()["verified"]) << checked.body << svc_.log();
  }

  // A list with `n` confirmed subscribers; returns its id.
  std::int64_t list_with_subscribers(const std::string& key, int n) {
    JsonReply list = call(svc_, "POST", "/api/v1/lists", key,
                          json{{"name", "Garden news"}, {"description", "Monthly."}}.dump());
    EXPECT_EQ(201, list.status) << list.body;
    const std::int64_t id = list.parsed()["id"];
    for (int i = 0; i < n; ++i) {
      JsonReply added =
          call(svc_, "POST", "/api/v1/lists/" + std::to_string(id) + "/subscribers", key,
               json{{"email", "reader" + std::to_string(i) + "@example.net"},
                    {"confirmed", true},
                    {"source", "Sign-up sheet at the shop"},
                    {"basis", "consent"}}
                   .dump());
      EXPECT_EQ(201, added.status) << added.body;
    }
    return id;
  }

  int dns_port_;
  ScratchDir scratch_;
  ServiceProcess svc_;
  std::unique_ptr<LoopbackDnsServer> dns_;
};

TEST_P(CampaignHttpTest, TheApiComposesTestsSchedulesAndSends) {
  const std::int64_t account = create_account("owner@garden.test");
  const std::string key = api_key(account);
  const std::string theirs = api_key(create_account("owner@theirs.test"));
  const std::int64_t list = list_with_subscribers(key, 2);
  json draft = {
      {"name", "December"},         {"subject", "News from the garden"},
      {"from_name", "Garden Club"}, {"from_email", "news@garden.test"},
      {"list_ids", {list}},         {"markdown", "# Hello\n\nThe roses are out. {{email}}\n"}};

  JsonReply early = call(svc_, "POST", "/api/v1/campaigns", key, draft.dump());
  EXPECT_EQ(422, early.status) << early.body;
  EXPECT_EQ("from_email", early.parsed()["field"]);
  EXPECT_THAT(early.parsed()["detail"].get<std::string>(), HasSubstr("garden.test is not one of"));

  verify_domain(key, "garden.test");
  json bad = draft;
  bad["subject"] = "Hi\r\nBcc: everyone@example.com";
  JsonReply refused = call(svc_, "POST", "/api/v1/campaigns", key, bad.dump());
  EXPECT_EQ(422, refused.status);
  EXPECT_EQ("subject", refused.parsed()["field"]);
  EXPECT_THAT(refused.parsed()["detail"].get<std::string>(), HasSubstr("line breaks"));
  bad = draft;
  bad["markdown"] = "Hello {{subscriber.shoe_size}}";
  refused = call(svc_, "POST", "/api/v1/campaigns", key, bad.dump());
  EXPECT_EQ(422, refused.status);
  EXPECT_EQ("body", refused.parsed()["field"]);
  EXPECT_THAT(refused.parsed()["detail"].get<std::string>(), HasSubstr("{{subscriber.shoe_size}}"));
  EXPECT_EQ(422, call(svc_, "POST", "/api/v1/campaigns", key, R"({"name": 5})").status);

  JsonReply made = call(svc_, "POST", "/api/v1/campaigns", key, draft.dump());
  ASSERT_EQ(201, made.status) << made.body;
  const std::int64_t id = made.parsed()["id"];
  const std::string path = "/api/v1/campaigns/" + std::to_string(id);
  EXPECT_EQ("draft", made.parsed()["status"]);
  EXPECT_EQ("markdown", made.parsed()["body_format"]);
  EXPECT_THAT(made.parsed()["text"].get<std::string>(), HasSubstr("The roses are out."));

  JsonReply one = call(svc_, "GET", path, key);
  ASSERT_EQ(200, one.status);
  EXPECT_EQ(0, one.parsed()["progress"]["total"]);
  EXPECT_EQ(1u, call(svc_, "GET", "/api/v1/campaigns", key).parsed()["campaigns"].size());

  JsonReply updated = call(svc_, "PUT", path, key, R"({"subject": "Roses are out"})");
  ASSERT_EQ(200, updated.status) << updated.body;
  EXPECT_EQ("Roses are out", updated.parsed()["subject"]);
  EXPECT_EQ("news@garden.test", updated.parsed()["from_email"]) << "members left out are kept";

  // A test send lands in the outbox, marked.
  JsonReply tested =
      call(svc_, "POST", path + "/test", key, R"({"addresses": ["me@garden.test"]})");
  ASSERT_EQ(200, tested.status) << tested.body;
  ASSERT_TRUE(svc_.wait_for_outbox(1));
  EXPECT_EQ("[Test] Roses are out", svc_.outbox_messages().back().subject);
  JsonReply too_many =
      call(svc_, "POST", path + "/test", key,
           R"({"addresses": ["a@x.test","b@x.test","c@x.test","d@x.test","e@x.test","f@x.test"]})");
  EXPECT_EQ(422, too_many.status);
  EXPECT_EQ("addresses", too_many.parsed()["field"]);

  // Scheduling: not in the past, then cancelled.
  JsonReply past = call(svc_, "POST", path + "/send", key, R"({"at": "2020-01-01T00:00:00Z"})");
  EXPECT_EQ(422, past.status);
  EXPECT_EQ("at", past.parsed()["field"]);
  EXPECT_EQ(422, call(svc_, "POST", path + "/send", key, R"({"at": "tomorrow"})").status);
  JsonReply copy = call(svc_, "POST", "/api/v1/campaigns", key, draft.dump());
  const std::string later = "/api/v1/campaigns/" + std::to_string(copy.parsed()["id"].get<int>());
  JsonReply scheduled =
      call(svc_, "POST", later + "/send", key, R"({"at": "2099-12-24T09:00:00+01:00"})");
  ASSERT_EQ(202, scheduled.status) << scheduled.body;
  EXPECT_EQ("scheduled", scheduled.parsed()["status"]);
  EXPECT_EQ(4101782400000, scheduled.parsed()["scheduled_at"]);
  JsonReply pause = call(svc_, "POST", later + "/pause", key);
  EXPECT_EQ(422, pause.status) << pause.body;
  JsonReply cancelled = call(svc_, "POST", later + "/cancel", key);
  ASSERT_EQ(200, cancelled.status) << cancelled.body;
  EXPECT_EQ("cancelled", cancelled.parsed()["status"]);

  // Sending: both subscribers get the campaign; then it is fixed.
  JsonReply sent = call(svc_, "POST", path + "/send", key);
  ASSERT_EQ(202, sent.status) << sent.body;
  EXPECT_EQ("sending", sent.parsed()["status"]);
  ASSERT_TRUE(svc_.wait_for_outbox(3, std::chrono::seconds(60))) << svc_.log();
  for (const auto& m : svc_.outbox_messages()) {
    if (m.subject != "Roses are out") continue;
    auto verdict = check_mime(m.file);
    EXPECT_EQ("ok\n", verdict.output) << m.file;
    EXPECT_THAT(m.raw, HasSubstr("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    EXPECT_THAT(m.text, HasSubstr("You get this because you subscribed to Garden news"));
  }
  JsonReply after = call(svc_, "GET", path, key);
  EXPECT_EQ(2, after.parsed()["progress"]["total"]);
  EXPECT_EQ(409, call(svc_, "PUT", path, key, R"({"subject": "Too late"})").status);
  EXPECT_EQ(409, call(svc_, "DELETE", path, key).status);
  JsonReply requeued = call(svc_, "POST", path + "/requeue-unknown", key);
  EXPECT_EQ(200, requeued.status) << requeued.body;
  EXPECT_EQ(0, requeued.parsed()["requeued"]);

  // Another account's key sees none of it.
  EXPECT_EQ(404, call(svc_, "GET", path, theirs).status);
  EXPECT_EQ(404, call(svc_, "PUT", path, theirs, R"({"subject": "x"})").status);
  EXPECT_EQ(404, call(svc_, "DELETE", path, theirs).status);
  EXPECT_EQ(404,
            call(svc_, "POST", path + "/test", theirs, R"({"addresses": ["a@b.test"]})").status);
  EXPECT_EQ(404, call(svc_, "POST", path + "/send", theirs).status);
  EXPECT_TRUE(call(svc_, "GET", "/api/v1/campaigns", theirs).parsed()["campaigns"].empty());
  EXPECT_EQ(401, call(svc_, "GET", path, "sm_wrong").status);

  JsonReply third = call(svc_, "POST", "/api/v1/campaigns", key, draft.dump());
  const std::string third_path =
      "/api/v1/campaigns/" + std::to_string(third.parsed()["id"].get<int>());
  EXPECT_EQ(204, call(svc_, "DELETE", third_path, key).status);
  EXPECT_EQ(404, call(svc_, "GET", third_path, key).status);
}

// A browser: signed in through /login.
class Browser {
 public:
  Browser(const ServiceProcess& svc, const std::string& email) : client_(svc.base_url()) {
    HttpResponse login = client_.get("/login");
    HttpResponse in = client_.post_form("/login",
                                        {{"email", email},
                                         {"password", kPassword},
                                         {"form_token", input_value(login.body, "form_token")}},
                                        origin());
    if (in.status != 303) throw std::runtime_error("sign-in answered " + std::to_string(in.status));
  }
  HeaderList origin() const { return {{"Origin", client_.base_url()}}; }
  HttpResponse submit(const std::string& page, const std::string& action, HeaderList fields) {
    fields.emplace_back("csrf", input_value(client_.get(page).body, "csrf"));
    return client_.post_form(action, fields, origin());
  }
  HttpClient& client() { return client_; }

 private:
  HttpClient client_;
};

HeaderList compose(const std::string& subject, std::int64_t list) {
  return {{"name", "December"},
          {"subject", subject},
          {"preheader", "Roses & more"},
          {"from_name", "Garden Club"},
          {"from_local", "news"},
          {"from_domain", "garden.test"},
          {"reply_to", ""},
          {"body_format", "markdown"},
          {"body", "# Hello {{subscriber.first_name}}\n\nThe roses are out.\n"},
          {"text", ""},
          {"web_version", "1"},
          {"rate_per_minute", "1"},
          {"list_ids", std::to_string(list)}};
}

TEST_P(CampaignHttpTest, ThePagesComposePreviewTestAndSend) {
  const std::int64_t account = create_account("owner@garden.test");
  const std::string key = api_key(account);
  Browser b(svc_, "owner@garden.test");
  HttpClient& c = b.client();

  EXPECT_THAT(c.get("/campaigns").body, HasSubstr("No campaigns yet"));
  EXPECT_THAT(c.get("/account").body, HasSubstr("href=\"/campaigns\""));
  HttpResponse blank = c.get("/campaigns/new");
  ASSERT_EQ(200, blank.status);
  EXPECT_THAT(element_text(blank.body, "no-verified-domain"), HasSubstr("no verified sending"));
  EXPECT_THAT(blank.body, HasSubstr("href=\"/domains\""));

  verify_domain(key, "garden.test");
  JsonReply field = call(svc_, "POST", "/api/v1/fields", key,
                         R"({"key": "first_name", "label": "First name", "type": "text"})");
  ASSERT_EQ(201, field.status) << field.body;
  const std::int64_t list = list_with_subscribers(key, 3);

  EXPECT_EQ(403, c.post_form("/campaigns/new", compose("Hi", list), b.origin()).status);
  HttpResponse refused =
      b.submit("/campaigns/new", "/campaigns/new", compose("Hi {{nickname}}", list));
  EXPECT_EQ(422, refused.status);
  EXPECT_THAT(element_text(refused.body, "c-subject-err"),
              HasSubstr("{{nickname}} is not a merge tag"));
  EXPECT_THAT(refused.body,
              HasSubstr("id=\"c-subject\" name=\"subject\" value=\"Hi {{nickname}}\""));
  EXPECT_THAT(refused.body, HasSubstr("aria-invalid=\"true\""));

  HttpResponse created = b.submit("/campaigns/new", "/campaigns/new", compose("Roses", list));
  ASSERT_EQ(303, created.status) << created.body;
  std::smatch m;
  const std::string location = created.header("Location");
  ASSERT_TRUE(std::regex_search(location, m, std::regex("/campaigns/[0-9]+")));
  const std::string path = m[0];

  HttpResponse page = c.get(path);
  ASSERT_EQ(200, page.status);
  EXPECT_THAT(page.body, HasSubstr("<iframe class=\"preview-frame\" id=\"preview-frame\" sandbox "
                                   "src=\"" +
                                   path + "/preview\""));
  EXPECT_THAT(element_text(page.body, "readiness"), HasSubstr("Ready to send."));
  EXPECT_THAT(element_text(page.body, "preview-subject"), HasSubstr("Roses"));

  HttpResponse preview = c.get(path + "/preview");
  ASSERT_EQ(200, preview.status);
  const std::string csp = preview.header("Content-Security-Policy");
  EXPECT_THAT(csp, StartsWith("sandbox;"));
  EXPECT_THAT(csp, HasSubstr("script-src 'none'"));
  EXPECT_THAT(csp, HasSubstr("object-src 'none'"));
  EXPECT_THAT(csp, HasSubstr("frame-ancestors 'self'"));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe-eval")));
  EXPECT_THAT(preview.body, HasSubstr("<h1>Hello [First name]</h1>"));
  EXPECT_THAT(preview.body, HasSubstr("You get this because you subscribed to Garden news"));
  EXPECT_EQ(303, HttpClient(svc_.base_url()).get(path + "/preview").status)
      << "the preview needs a session";

  // Test send: refused with the field, then sent to the outbox.
  HttpResponse many =
      b.submit(path, path + "/test",
               {{"emails", "a@x.test, b@x.test, c@x.test, d@x.test, e@x.test, f@x.test"}});
  EXPECT_EQ(422, many.status);
  EXPECT_THAT(element_text(many.body, "t-emails-err"), HasSubstr("at most 5"));
  HttpResponse tested = b.submit(path, path + "/test", {{"emails", "me@garden.test"}});
  ASSERT_EQ(303, tested.status) << tested.body;
  ASSERT_TRUE(svc_.wait_for_outbox(1));
  EXPECT_EQ("[Test] Roses", svc_.outbox_messages().back().subject);

  // Schedule, then send now: the progress page refreshes while the campaign goes out slowly.
  HttpResponse bad_time = b.submit(path, path + "/send", {{"at", "soon"}});
  EXPECT_EQ(422, bad_time.status);
  EXPECT_THAT(element_text(bad_time.body, "s-at-err"), HasSubstr("date and a time"));
  HttpResponse scheduled = b.submit(path, path + "/send", {{"at", "2099-12-24T09:00"}});
  ASSERT_EQ(303, scheduled.status) << scheduled.body;
  EXPECT_THAT(element_text(c.get(path).body, "campaign-status"), HasSubstr("Scheduled"));
  HttpResponse started = b.submit(path, path + "/send", {});
  ASSERT_EQ(303, started.status) << started.body;
  EXPECT_EQ(path + "/progress?started=1", started.header("Location"));
  HttpResponse progress = c.get(path + "/progress");
  ASSERT_EQ(200, progress.status);
  EXPECT_THAT(progress.body, HasSubstr("<meta http-equiv=\"refresh\" content=\"5\">"));
  EXPECT_THAT(progress.body, HasSubstr("<progress id=\"progress-bar\""));
  EXPECT_THAT(progress.body, HasSubstr("action=\"" + path + "/pause\""));
  EXPECT_THAT(progress.body, HasSubstr("action=\"" + path + "/cancel\""));

  HttpResponse paused = b.submit(path + "/progress", path + "/pause", {});
  ASSERT_EQ(303, paused.status) << paused.body;
  HttpResponse still = c.get(path + "/progress");
  EXPECT_THAT(element_text(still.body, "campaign-status"), HasSubstr("Paused"));
  EXPECT_THAT(still.body, Not(HasSubstr("http-equiv=\"refresh\"")));
  EXPECT_THAT(still.body, HasSubstr("action=\"" + path + "/resume\""));
  EXPECT_EQ(303, b.submit(path + "/progress", path + "/resume", {}).status);

  // The web version: public, no cookie, sandboxed, nobody's data.
  std::smatch w;
  HttpResponse overview = c.get(path);
  ASSERT_TRUE(std::regex_search(overview.body, w, std::regex("/w/[a-z0-9]{16}")));
  HttpClient stranger(svc_.base_url());
  HttpResponse web = stranger.get(w[0]);
  ASSERT_EQ(200, web.status);
  EXPECT_FALSE(web.has_header("Set-Cookie"));
  EXPECT_THAT(web.header("Content-Security-Policy"), StartsWith("sandbox;"));
  EXPECT_THAT(web.header("Content-Security-Policy"), Not(HasSubstr("https:")));
  EXPECT_THAT(web.body, HasSubstr("The roses are out."));
  EXPECT_THAT(web.body, HasSubstr("This is the web version of an email from"));
  EXPECT_THAT(web.body, Not(HasSubstr("[First name]")));
  EXPECT_THAT(web.body, Not(HasSubstr("reader")));
  EXPECT_THAT(web.body, Not(HasSubstr("/u/")));
  EXPECT_EQ(404, stranger.get("/w/aaaaaaaaaaaaaaaa").status);

  // Another account's campaign does not exist for this browser.
  create_account("owner@theirs.test");
  Browser other(svc_, "owner@theirs.test");
  EXPECT_EQ(404, other.client().get(path).status);
  EXPECT_EQ(404, other.client().get(path + "/preview").status);
  EXPECT_EQ(404, other.submit("/campaigns", path + "/pause", {}).status);
}

TEST_P(CampaignHttpTest, SampleLinksOfATestSendDoNothing) {
  HttpClient c(svc_.base_url());
  HttpResponse page = c.get("/sample/unsubscribe");
  EXPECT_EQ(200, page.status);
  EXPECT_FALSE(page.has_header("Set-Cookie"));
  EXPECT_THAT(page.body, HasSubstr("Nothing has changed."));
  EXPECT_EQ(200, c.post_form("/sample/unsubscribe", {{"List-Unsubscribe", "One-Click"}}).status);
}

SM_INSTANTIATE_FOR_ENGINES(CampaignHttpTest);

}  // namespace
}  // namespace sm::testing
