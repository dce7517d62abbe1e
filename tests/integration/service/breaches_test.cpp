// The breach register on both engines: recording checks what it is given and keeps the
// organisation names; notify emails each affected account's contact address at once (the
// outbox holds the notices), records when and to whom, and never sends twice. Then the same
// through the binary: `breach record` prints the id alone on stdout, `notify` and `list`; and
// /operator/breaches, which only a user granted operator access by the command line sees.
#include <gmock/gmock.h>

#include "services/accounts.hpp"
#include "services/breaches.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "test_app.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class BreachesTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  BreachesTest() : t_(GetParam()) {
    a_ = t_.create_account("Alpha Ltd", "owner@alpha.test");
    b_ = t_.create_account("Beta Ltd", "owner@beta.test");
    c_ = t_.create_account("Gamma Ltd", "owner@gamma.test");
  }

  TestApp t_;
  std::int64_t a_ = 0, b_ = 0, c_ = 0;
};

TEST_P(BreachesTest, RecordingKeepsWhatHappenedAndWhom) {
  services::BreachReport r;
  r.summary = "A backup disk was lost in transit.";
  r.data_affected = "Subscriber addresses and sign-up IP addresses";
  r.found_at = t_.app().now() - kHour;
  r.accounts = {b_, a_, b_};
  auto id = services::record_breach(t_.app(), r);
  ASSERT_TRUE(id.ok()) << id.error().message;

  auto b = services::find_breach(t_.app(), *id);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->summary, r.summary);
  EXPECT_EQ(b->data_affected, r.data_affected);
  EXPECT_EQ(b->found_at, t_.app().now() - kHour);
  EXPECT_EQ(b->recorded_at, t_.app().now());
  EXPECT_FALSE(b->all_accounts);
  ASSERT_EQ(b->accounts.size(), 2u);  // named twice, affected once
  EXPECT_EQ(b->accounts[0].account_id, a_);
  EXPECT_EQ(b->accounts[0].organisation, "Alpha Ltd");
  EXPECT_FALSE(b->accounts[0].notified_at.has_value());

  // The register keeps the name it had: a later rename does not rewrite history.
  auto alpha = services::find_account(t_.app(), a_);
  auto d = alpha->details;
  d.organisation = "Alpha Renamed Ltd";
  ASSERT_TRUE(services::update_details(t_.app(), a_, d).ok());
  EXPECT_EQ(services::find_breach(t_.app(), *id)->accounts[0].organisation, "Alpha Ltd");

  services::BreachReport all;
  all.summary = "The web server was compromised.";
  all.all_accounts = true;
  auto all_id = services::record_breach(t_.app(), all);
  ASSERT_TRUE(all_id.ok());
  auto everyone = services::find_breach(t_.app(), *all_id);
  EXPECT_TRUE(everyone->all_accounts);
  EXPECT_EQ(everyone->accounts.size(), 3u);
  EXPECT_EQ(everyone->found_at, t_.app().now());

  auto register_ = services::list_breaches(t_.app());
  ASSERT_EQ(register_->size(), 2u);
  EXPECT_EQ((*register_)[0].id, *all_id);  // newest first
}

TEST_P(BreachesTest, BadReportsAreRefusedAndRecordNothing) {
  auto refused = [&](services::BreachReport r, const std::string& field, const std::string& why) {
    auto id = services::record_breach(t_.app(), r);
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().field, field);
    EXPECT_THAT(id.error().message, HasSubstr(why));
  };
  services::BreachReport r;
  r.accounts = {a_};
  refused(r, "summary", "Say what happened");
  r.summary = "Lost laptop";
  r.found_at = t_.app().now() + kDay;
  refused(r, "found_at", "in the future");
  r.found_at.reset();
  r.accounts = {a_, 999999};
  refused(r, "accounts", "no account 999999");
  r.accounts = {};
  refused(r, "accounts", "--account ID");
  r.accounts = {a_};
  r.all_accounts = true;
  refused(r, "accounts", "not both");
  EXPECT_TRUE(services::list_breaches(t_.app())->empty());
}

TEST_P(BreachesTest, NotifyEmailsEachContactAtOnceAndOnlyOnce) {
  services::BreachReport r;
  r.summary = "An API key with read access was published by mistake.";
  r.data_affected = "Subscriber addresses of two lists";
  r.found_at = t_.app().now() - 2 * kHour;
  r.accounts = {a_, c_};
  auto id = services::record_breach(t_.app(), r);
  ASSERT_TRUE(id.ok());

  t_.clock().advance(kMinute);
  auto sent = services::notify_breach(t_.app(), *id);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(sent->sent, 2);
  EXPECT_EQ(sent->failed, 0);
  auto files = t_.outbox();
  ASSERT_EQ(files.size(), 2u);
  std::string all_mail;
  for (const auto& f : files) all_mail += parse_eml(f).to + "\n" + parse_eml(f).text + "\n";
  EXPECT_THAT(all_mail, HasSubstr("owner@alpha.test"));
  EXPECT_THAT(all_mail, HasSubstr("owner@gamma.test"));
  EXPECT_THAT(all_mail, Not(HasSubstr("owner@beta.test")));
  auto one = parse_eml(files[0]);
  EXPECT_THAT(one.subject, HasSubstr("Personal data breach notice"));
  EXPECT_THAT(one.subject, HasSubstr("breach " + std::to_string(*id)));
  EXPECT_THAT(one.text, HasSubstr(r.summary));
  EXPECT_THAT(one.text, HasSubstr(r.data_affected));
  EXPECT_THAT(one.text, HasSubstr("Found: " + format_utc(*r.found_at)));
  EXPECT_THAT(one.text, HasSubstr("72 hours"));

  auto b = services::find_breach(t_.app(), *id);
  for (const auto& a : b->accounts) {
    EXPECT_EQ(a.notified_at, t_.app().now());
    EXPECT_THAT(a.notified_to, MatchesRegex("owner@(alpha|gamma)\\.test"));
  }
  auto again = services::notify_breach(t_.app(), *id);
  EXPECT_EQ(again->sent, 0);
  EXPECT_EQ(again->already, 2);
  EXPECT_EQ(t_.outbox().size(), 2u);
  EXPECT_EQ(services::notify_breach(t_.app(), 424242).error().code, Errc::not_found);
}

TEST_P(BreachesTest, TheCommandLineRecordsNotifiesAndLists) {
  ServiceProcess svc(GetParam(), ServiceProcess::Options{{}, false});
  auto account = [&](const std::string& org, const std::string& email) {
    CliResult made = svc.run_cli({"account", "create", "--org", org, "--email", email});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return made.out.substr(0, made.out.find('\n'));
  };
  const std::string one = account("One Ltd", "contact@one.test");
  const std::string two = account("Two Ltd", "contact@two.test");
  const std::size_t before = svc.outbox_messages().size();  // the set-password links

  CliResult recorded = svc.run_cli(
      {"breach", "record", "--summary", "Database credentials leaked in a log", "--found-at",
       "2026-11-30T08:15Z", "--data", "Addresses", "--account", one, "--account", two});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  EXPECT_THAT(recorded.out, MatchesRegex("[0-9]+\n"));
  const std::string id = recorded.out.substr(0, recorded.out.size() - 1);
  EXPECT_THAT(recorded.err, HasSubstr("breach notify " + id));

  CliResult bad =
      svc.run_cli({"breach", "record", "--summary", "x", "--found-at", "yesterday", "--all"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("2026-12-01T09:30Z"));
  EXPECT_EQ(bad.out, "");
  CliResult both = svc.run_cli({"breach", "record", "--summary", "x", "--all", "--account", one});
  EXPECT_NE(both.exit_code, 0);

  CliResult listed = svc.run_cli({"breach", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("Breach " + id));
  EXPECT_THAT(listed.out, HasSubstr("found:    2026-11-30 08:15 UTC"));
  EXPECT_THAT(listed.out, HasSubstr(one + " One Ltd: not notified"));

  CliResult notified = svc.run_cli({"breach", "notify", id});
  ASSERT_EQ(notified.exit_code, 0) << notified.err;
  EXPECT_THAT(notified.err, HasSubstr("2 notices sent"));
  auto messages = svc.outbox_messages();
  ASSERT_EQ(messages.size(), before + 2);
  EXPECT_THAT(messages.back().text, HasSubstr("Database credentials leaked in a log"));

  CliResult after = svc.run_cli({"breach", "list"});
  EXPECT_THAT(after.out, HasSubstr("2 notified"));
  EXPECT_THAT(after.out, HasSubstr(one + " One Ltd: notified "));
  EXPECT_THAT(after.out, HasSubstr(" at contact@one.test"));
  EXPECT_EQ(svc.run_cli({"breach", "notify", "999"}).exit_code, 1);
}

TEST_P(BreachesTest, OnlyAnOperatorSeesTheRegisterPage) {
  ServiceProcess svc(GetParam());
  const char* password = "copper-Lantern-meadow-38-thistle";
  CliResult made = svc.run_cli(
      {"account", "create", "--org", "Ops Ltd", "--email", "ops@ops.test", "--password-stdin"},
      std::string(password) + "\n");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string account = made.out.substr(0, made.out.find('\n'));
  CliResult recorded =
      svc.run_cli({"breach", "record", "--summary", "Laptop <stolen>", "--account", account});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  const std::string id = recorded.out.substr(0, recorded.out.find('\n'));

  HttpClient anonymous(svc.base_url());
  EXPECT_EQ(anonymous.get("/operator/breaches").status, 303);  // to the sign-in page

  HttpClient c(svc.base_url());
  HttpResponse login = c.get("/login");
  ASSERT_EQ(303, c.post_form("/login",
                             {{"email", "ops@ops.test"},
                              {"password", password},
                              {"form_token", input_value(login.body, "form_token")}},
                             {{"Origin", c.base_url()}})
                     .status);
  EXPECT_EQ(c.get("/operator/breaches").status, 404);  // an account holder, not an operator

  EXPECT_EQ(svc.run_cli({"operator", "grant", "nobody@ops.test"}).exit_code, 1);
  CliResult granted = svc.run_cli({"operator", "grant", "OPS@ops.test"});
  ASSERT_EQ(granted.exit_code, 0) << granted.err;
  EXPECT_THAT(svc.run_cli({"operator", "list"}).out, HasSubstr("ops@ops.test"));
  HttpResponse page = c.get("/operator/breaches");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("id=\"breach-" + id + "\""));
  EXPECT_THAT(page.body, HasSubstr("Laptop &lt;stolen&gt;"));
  EXPECT_THAT(page.body, HasSubstr("Ops Ltd"));
  EXPECT_THAT(page.body, HasSubstr("Not sent"));

  ASSERT_EQ(svc.run_cli({"breach", "notify", id}).exit_code, 0);
  EXPECT_THAT(c.get("/operator/breaches").body, HasSubstr("to ops@ops.test"));

  ASSERT_EQ(svc.run_cli({"operator", "revoke", "ops@ops.test"}).exit_code, 0);
  EXPECT_EQ(c.get("/operator/breaches").status, 404);
}

SM_INSTANTIATE_FOR_ENGINES(BreachesTest);

}  // namespace
}  // namespace sm::testing
