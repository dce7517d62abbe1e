// End-to-end through the real binary: an account holder creates a list in the web pages, a
// person subscribes on the hosted page, confirms from the email and leaves from the link, and
// the account holder's "Add subscriber" form then refuses the suppressed address.
#include <gmock/gmock.h>

#include <regex>
#include <string>

#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/test_database.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPassword[] = "violet-Harbour-tractor-91-quill";

class SubscribeHttpTest : public ::testing::TestWithParam<TestEngine> {};

std::string first_match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) {
    throw std::runtime_error("no " + pattern + " in:\n" + text.substr(0, 2000));
  }
  return m.size() > 1 ? m[1].str() : m[0].str();
}

HttpResponse account_form(HttpClient& c, const std::string& page, const std::string& action,
                          HeaderList fields) {
  HttpResponse form = c.get(page);
  fields.emplace_back("csrf", input_value(form.body, "csrf"));
  return c.post_form(action, fields, {{"Origin", c.base_url()}});
}

TEST_P(SubscribeHttpTest, SubscribeConfirmLeaveAndTheAdminFormRefusesTheAddress) {
  ServiceProcess svc(GetParam());
  CliResult made = svc.run_cli(
      {"account", "create", "--org", "Fernhill Bakery", "--email", "owner@example.org", "--contact",
       "Ada", "--address", "1 Mill Lane", "--website", "https://example.org", "--password-stdin"},
      std::string(kPassword) + "\n");
  ASSERT_EQ(made.exit_code, 0) << made.err;

  HttpClient owner(svc.base_url());
  HttpResponse login = owner.get("/login");
  owner.post_form("/login",
                  {{"email", "owner@example.org"},
                   {"password", kPassword},
                   {"form_token", input_value(login.body, "form_token")}},
                  {{"Origin", svc.base_url()}});
  HttpResponse created = account_form(owner, "/lists/new", "/lists/new",
                                      {{"name", "Bread news"}, {"description", "Monthly."}});
  ASSERT_EQ(created.status, 303) << created.body;
  std::string list_path = first_match(created.header("Location"), "^(/lists/[0-9]+)");
  std::string public_id = first_match(owner.get(list_path).body, "/s/([A-Za-z2-7]+)");

  // The person: no cookie anywhere on the way.
  HttpClient person(svc.base_url());
  HttpResponse form = person.get("/s/" + public_id);
  ASSERT_EQ(form.status, 200);
  HttpResponse sent = person.post_form("/s/" + public_id,
                                       {{"email", "reader@example.net"},
                                        {"homepage", ""},
                                        {"form_token", input_value(form.body, "form_token")}},
                                       {{"Referer", svc.base_url() + "/s/" + public_id}});
  EXPECT_THAT(sent.body, HasSubstr("Check your inbox"));
  EXPECT_TRUE(sent.header_values("Set-Cookie").empty());
  ASSERT_TRUE(svc.wait_for_outbox(1));
  std::string confirm;
  for (const auto& m : svc.outbox_messages()) {
    for (const auto& link : m.links) {
      if (link.find("/confirm/") != std::string::npos) confirm = link;
    }
  }
  ASSERT_FALSE(confirm.empty());
  EXPECT_EQ(person.get(confirm).status, 200);
  HttpResponse confirmed = person.post_form(confirm, {}, {{"DNT", "1"}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  std::string leave = first_match(confirmed.body, "href=\"(/u/[^\"]+)\"");
  EXPECT_EQ(person.get(leave).status, 200);
  HttpResponse one_click = person.post_form(leave, {{"List-Unsubscribe", "One-Click"}});
  EXPECT_EQ(one_click.status, 200);
  EXPECT_THAT(one_click.header("Content-Type"), HasSubstr("text/plain"));
  EXPECT_FALSE(person.cookie("sm_session").has_value());

  HttpResponse refused = account_form(owner, list_path + "/subscribers", list_path + "/subscribers",
                                      {{"email", "reader@example.net"},
                                       {"mode", "confirmed"},
                                       {"source", "Paper form"},
                                       {"basis", "consent"}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_THAT(refused.body, HasSubstr("Only the person can lift that"));
  HttpResponse members = owner.get(list_path + "/subscribers?status=unsubscribed");
  EXPECT_THAT(members.body, HasSubstr("reader@example.net"));
}

SM_INSTANTIATE_FOR_ENGINES(SubscribeHttpTest);

}  // namespace
}  // namespace sm::testing
