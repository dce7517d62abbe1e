// The two ways in for bounces and complaints, through the real binary on both engines:
// `smartmessages bounce` reading a message on standard input (as a Postfix pipe runs it, with
// the exit codes pipe(8) understands) and POST /api/v1/inbound with and without the operator's
// token; then the subscriber's page showing what came back.
//
// The campaign is sent from the test process by the real sending worker over SMTP (aiosmtpd),
// on the service's own database and secret key, so the VERP addresses are the ones the
// service checks; the service itself is told not to send (sending.enabled = false).
#include <curl/curl.h>
#include <gmock/gmock.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "integration/service/sending_fixture.hpp"
#include "services/accounts.hpp"
#include "services/bounces.hpp"
#include "services/send_worker.hpp"
#include "services/sending.hpp"
#include "services/suppression.hpp"
#include "support/free_port.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/smtp_capture.hpp"
#include "support/source_dir.hpp"
#include "support/test_database.hpp"

namespace sm::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr char kPassword[] = "copper-Lantern-meadow-38-thistle";
constexpr char kToken[] = "inbound-secret-0123456789abcdef";
constexpr char kCorpusVerp[] = "bounces+1042.aG7kLq2ZpX@bounces.example.org";
constexpr char kCorpusMessageId[] = "d1042.aG7kLq2ZpX@example.org";

std::string corpus_message(const std::string& name, const std::string& verp) {
  std::ifstream in(std::filesystem::path(source_dir()) / "tests/fuzz/corpus" / name,
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (s.empty()) throw std::runtime_error("no corpus message " + name);
  for (auto at = s.find(kCorpusVerp); at != std::string::npos; at = s.find(kCorpusVerp, at)) {
    s.replace(at, std::strlen(kCorpusVerp), verp);
  }
  // The corpus's Message-ID is not ours: only the VERP address names the delivery.
  for (auto at = s.find(kCorpusMessageId); at != std::string::npos;
       at = s.find(kCorpusMessageId, at)) {
    s.replace(at, std::strlen(kCorpusMessageId), "elsewhere@example.net");
  }
  return s;
}

struct Reply {
  long status = 0;
  std::string body;
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// A raw POST with curl: HttpClient only sends forms.
Reply post(const std::string& url, const std::string& body, const std::vector<std::string>& hs) {
  Reply reply;
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  for (const auto& h : hs) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

ServiceProcess::Options with_token() {
  ServiceProcess::Options o;
  o.env = {{"SMARTMESSAGES_INBOUND_TOKEN", kToken}, {"SMARTMESSAGES_SENDING_ENABLED", "false"}};
  return o;
}

class BounceHttpTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  ServiceProcess svc{GetParam(), with_token()};
  HttpClient browser{svc.base_url()};
  std::int64_t account = 0;
  std::unique_ptr<services::App> app = open_app();
  SmtpCapture capture;

  // The services on the service's own database and keys, as a second node would have them.
  std::unique_ptr<services::App> open_app() {
    auto a = std::make_unique<services::App>();
    a->config.data_dir = svc.data_dir().string();
    a->clock = std::make_unique<SystemClock>();
    a->keys = std::make_unique<KeyRing>(required(KeyRing::load_or_create(svc.data_dir()), "keys"));
    a->db = required(store::Database::open(svc.database_url(), 2), "database");
    a->mailer = std::make_unique<mail::Mailer>(
        required(mail::make_transport("", a->config.outbox_dir()), "outbox"),
        mail::Mailbox{"noreply@example.org", "Smartmessages"}, *a->clock);
    return a;
  }

  void SetUp() override {
    CliResult made = svc.run_cli({"account", "create", "--org", "Example Ltd", "--email",
                                  "owner@example.org", "--password-stdin"},
                                 std::string(kPassword) + "\n");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    account = std::stoll(made.out);
    HttpResponse login = browser.get("/login");
    HttpResponse in = browser.post_form("/login",
                                        {{"email", "owner@example.org"},
                                         {"password", kPassword},
                                         {"form_token", input_value(login.body, "form_token")}},
                                        {{"Origin", svc.base_url()}});
    ASSERT_EQ(in.status, 303);
    use_relay(*app, capture.url(), *app->clock);
    // Every message shows the controller details, so they must be complete to send.
    require(services::update_details(
                *app, account,
                {"Example Ltd", "Ada Owner", "1 High Street, Leeds LS1 1AA", "owner@example.org",
                 "https://example.org", "privacy@example.org"}),
            "details");
    verified_domain(*app, account);
  }

  // Sends a campaign to `addresses` (on a new list) with the real worker; address → VERP.
  std::map<std::string, std::string> send_to(const std::vector<std::string>& addresses) {
    std::int64_t list = make_list(*app, account, "News " + std::to_string(lists_++));
    for (const auto& a : addresses) subscribers_[a] = add_confirmed(*app, account, list, a);
    std::int64_t id = make_campaign(*app, account, {list});
    require(services::start_campaign(*app, account, id), "start");
    services::SendWorkerSettings s;
    s.heartbeat_every = 20ms;
    s.idle_wait = 20ms;
    services::SendWorker worker(*app, s);
    require(worker.run(true), "send");
    std::map<std::string, std::string> verp;
    for (const auto& m : capture.messages()) verp[m.rcpt_tos.at(0)] = m.mail_from;
    return verp;
  }

  bool suppressed(const std::string& email) {
    auto lease = app->db->acquire();
    auto r = services::check_suppressed(*app, **lease, account, *parse_email_address(email));
    return r.ok() && *r;
  }

  std::int64_t subscriber(const std::string& email) { return subscribers_.at(email).subscriber_id; }

 private:
  int lists_ = 0;
  std::map<std::string, services::AddedSubscriber> subscribers_;
};

TEST_P(BounceHttpTest, ThePipeCommandReadsOneMessageAndAnswersWithExitCodes) {
  auto verp = send_to({"ann@example.com", "bob@example.net"});

  CliResult hard = svc.run_cli(
      {"bounce", "--recipient", verp.at("ann@example.com")},
      corpus_message("mail_dsn/postfix_hard_user_unknown.eml", verp.at("ann@example.com")));
  EXPECT_EQ(hard.exit_code, 0) << hard.err;
  EXPECT_EQ(hard.out, "hard_bounce\n");
  EXPECT_TRUE(suppressed("ann@example.com"));
  EXPECT_FALSE(suppressed("bob@example.net"));

  // Without --recipient the Delivered-To header names the VERP address.
  CliResult soft = svc.run_cli(
      {"bounce"}, corpus_message("mail_dsn/exim_soft_delayed.eml", verp.at("bob@example.net")));
  EXPECT_EQ(soft.exit_code, 0) << soft.err;
  EXPECT_EQ(soft.out, "soft_bounce\n");

  CliResult junk = svc.run_cli({"bounce"}, corpus_message("mail_dsn/other_spam.eml", ""));
  EXPECT_EQ(junk.exit_code, 0);
  EXPECT_EQ(junk.out, "not_a_report\n");

  std::string forged = verp.at("bob@example.net");
  forged[forged.find('@') - 1] = forged[forged.find('@') - 1] == '0' ? '1' : '0';
  CliResult fake = svc.run_cli({"bounce", "--recipient", forged},
                               corpus_message("mail_dsn/gmail_hard_no_such_account.eml", forged));
  EXPECT_EQ(fake.exit_code, 0);
  EXPECT_EQ(fake.out, "unmatched\n");
  EXPECT_FALSE(suppressed("bob@example.net"));

  // No database: 75 (EX_TEMPFAIL), so Postfix keeps the message and retries.
  std::string nowhere =
      "postgresql://smartmessages@127.0.0.1:" + std::to_string(free_loopback_port()) + "/none";
  CliResult down = svc.run_cli(
      {"bounce", "--recipient", verp.at("bob@example.net")},
      corpus_message("mail_dsn/gmail_hard_no_such_account.eml", verp.at("bob@example.net")),
      {{"SMARTMESSAGES_DATABASE_URL", nowhere}});
  EXPECT_EQ(down.exit_code, 75) << down.err;
  EXPECT_THAT(down.err, HasSubstr("try again later"));
  EXPECT_FALSE(suppressed("bob@example.net"));

  CliResult counts = svc.run_cli({"bounce", "--counts"});
  EXPECT_EQ(counts.exit_code, 0);
  EXPECT_THAT(counts.out, HasSubstr("hard_bounce 1\n"));
  EXPECT_THAT(counts.out, HasSubstr("not_a_report 1\n"));
  EXPECT_THAT(counts.out, HasSubstr("unmatched 1\n"));
}

TEST_P(BounceHttpTest, TheWebhookNeedsTheOperatorsToken) {
  auto verp = send_to({"laura@outlook.example"});
  std::string url = svc.base_url() + "/api/v1/inbound";
  std::string complaint =
      corpus_message("mail_arf/microsoft_jmrp_abuse.eml", verp.at("laura@outlook.example"));
  const std::string type = "Content-Type: message/rfc822";

  EXPECT_EQ(post(url, complaint, {type}).status, 401);
  EXPECT_EQ(post(url, complaint, {type, "Authorization: Bearer wrong-token-0123456789abc"}).status,
            401);
  // An account's API key is not the operator's token.
  CliResult key = svc.run_cli({"apikey", "create", "--account", std::to_string(account)});
  std::smatch api_key;
  ASSERT_TRUE(std::regex_search(key.out, api_key, std::regex("sm_[A-Za-z0-9_-]+"))) << key.err;
  EXPECT_EQ(post(url, complaint, {type, "Authorization: Bearer " + api_key[0].str()}).status, 401);
  EXPECT_FALSE(suppressed("laura@outlook.example"));

  const std::string auth = std::string("Authorization: Bearer ") + kToken;
  EXPECT_EQ(post(url, complaint, {"Content-Type: text/plain", auth}).status, 415);
  Reply ok = post(url + "?recipient=fbl%40bounces.example.org", complaint, {type, auth});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(nlohmann::json::parse(ok.body).value("outcome", ""), "complaint");
  EXPECT_TRUE(suppressed("laura@outlook.example"));

  Reply junk = post(url, corpus_message("mail_dsn/other_human_reply.eml", ""), {type, auth});
  EXPECT_EQ(junk.status, 200);
  EXPECT_EQ(nlohmann::json::parse(junk.body).value("outcome", ""), "not_a_report");
}

TEST_P(BounceHttpTest, TheSubscribersPageShowsWhatCameBack) {
  auto verp = send_to({"ann@example.com", "bob@example.net"});
  std::string url = svc.base_url() + "/api/v1/inbound";
  const std::vector<std::string> headers = {"Content-Type: message/rfc822",
                                            std::string("Authorization: Bearer ") + kToken};
  ASSERT_EQ(post(url,
                 corpus_message("mail_dsn/microsoft_hard_recipient_not_found.eml",
                                verp.at("ann@example.com")),
                 headers)
                .status,
            200);

  HttpResponse page = browser.get("/subscribers/" + std::to_string(subscriber("ann@example.com")));
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("Bounces and complaints"));
  EXPECT_THAT(page.body, HasSubstr("Hard bounce"));
  EXPECT_THAT(page.body, HasSubstr("5.1.10"));
  EXPECT_THAT(page.body, HasSubstr("RESOLVER.ADR.RecipientNotFound"));
  EXPECT_THAT(page.body, HasSubstr("last bounced for good"));

  HttpResponse other = browser.get("/subscribers/" + std::to_string(subscriber("bob@example.net")));
  ASSERT_EQ(other.status, 200);
  EXPECT_THAT(other.body, ::testing::Not(HasSubstr("Bounces and complaints")));
}

TEST_P(BounceHttpTest, TheWebhookIsOffWithoutAToken) {
  ServiceProcess off(GetParam());
  Reply r = post(off.base_url() + "/api/v1/inbound", "Subject: x\n\n",
                 {"Content-Type: message/rfc822", std::string("Authorization: Bearer ") + kToken});
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("inbound.token"));
}

SM_INSTANTIATE_FOR_ENGINES(BounceHttpTest);

}  // namespace
}  // namespace sm::testing
