// The list and field pages through the real binary, on both engines: an account holder
// creates, edits and deletes a list, declares fields, and is refused without a CSRF token, on
// another account's list and for a special-category field. Also the lists API with a key.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/test_database.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "copper-Lantern-meadow-38-thistle";

class ListPagesTest : public ::testing::TestWithParam<TestEngine> {};

// A browser signed in to one account: made by the operator CLI, signed in through /login.
class AccountHolder {
 public:
  AccountHolder(const ServiceProcess& svc, const std::string& org, const std::string& email)
      : client_(svc.base_url()) {
    CliResult made =
        svc.run_cli({"account", "create", "--org", org, "--email", email, "--password-stdin"},
                    std::string(kPassword) + "\n");
    if (made.exit_code != 0) throw std::runtime_error("account create: " + made.err);
    account_id_ = std::stoll(made.out);
    sign_in(email, kPassword);
  }

  // Signs this browser in as `email`.
  void sign_in(const std::string& email, const std::string& password) {
    HttpResponse login = client_.get("/login");
    HttpResponse in = client_.post_form("/login",
                                        {{"email", email},
                                         {"password", password},
                                         {"form_token", input_value(login.body, "form_token")}},
                                        origin());
    if (in.status != 303) throw std::runtime_error("sign-in answered " + std::to_string(in.status));
  }

  explicit AccountHolder(const ServiceProcess& svc) : client_(svc.base_url()) {}

  HeaderList origin() const { return {{"Origin", client_.base_url()}}; }

  // Sends `fields` to `action` with the CSRF token of `page`, as its form would.
  HttpResponse submit(const std::string& page, const std::string& action, HeaderList fields) {
    fields.emplace_back("csrf", input_value(client_.get(page).body, "csrf"));
    return client_.post_form(action, fields, origin());
  }

  HttpClient& client() { return client_; }
  std::int64_t account_id() const { return account_id_; }

 private:
  HttpClient client_;
  std::int64_t account_id_ = 0;
};

// "/lists/7?created=1" → "/lists/7".
std::string list_path(const HttpResponse& created) {
  std::string location = created.header("Location");
  std::smatch m;
  if (!std::regex_search(location, m, std::regex("/lists/[0-9]+"))) return "";
  return m[0];
}

TEST_P(ListPagesTest, CreateEditAndDeleteAList) {
  ServiceProcess svc(GetParam());
  AccountHolder owner(svc, "Garden Club", "owner@garden.test");
  HttpClient& c = owner.client();

  HttpResponse index = c.get("/lists");
  EXPECT_EQ(200, index.status);
  EXPECT_THAT(index.body, HasSubstr("No lists yet"));
  EXPECT_THAT(index.body, HasSubstr("href=\"/lists/new\""));
  EXPECT_THAT(c.get("/lists/new").body, HasSubstr("{{confirm_url}}"));

  HttpResponse created = owner.submit("/lists/new", "/lists/new",
                                      {{"name", "Seed swap"},
                                       {"description", "Twice a year."},
                                       {"confirm_subject", ""},
                                       {"confirm_body", ""}});
  ASSERT_EQ(303, created.status) << created.body;
  const std::string path = list_path(created);
  ASSERT_FALSE(path.empty());

  HttpResponse overview = c.get(path);
  EXPECT_EQ(200, overview.status);
  EXPECT_THAT(overview.body, HasSubstr("Seed swap"));
  EXPECT_THAT(overview.body, HasSubstr(svc.base_url() + "/s/"));
  EXPECT_THAT(overview.body, HasSubstr("<textarea id=\"form-html\" rows=\"14\" readonly>"));
  EXPECT_THAT(overview.body, HasSubstr("name=&quot;homepage&quot;"));
  EXPECT_THAT(overview.body, HasSubstr(path + "/subscribers"));
  EXPECT_THAT(overview.body, HasSubstr(path + "/import"));
  EXPECT_THAT(c.get("/lists").body, HasSubstr("Seed swap"));

  HttpResponse refused = owner.submit(
      path + "/edit", path + "/edit",
      {{"name", "Seed swap"}, {"confirm_subject", "Hi"}, {"confirm_body", "Hello {{nickname}}"}});
  EXPECT_EQ(422, refused.status);
  EXPECT_THAT(refused.body, HasSubstr("{{nickname}}"));
  EXPECT_THAT(refused.body, HasSubstr("aria-invalid=\"true\""));

  HttpResponse saved = owner.submit(path + "/edit", path + "/edit",
                                    {{"name", "Seed and plant swap"},
                                     {"description", ""},
                                     {"confirm_subject", "Confirm {{list_name}}"},
                                     {"confirm_body", "Press: {{confirm_url}}"}});
  EXPECT_EQ(303, saved.status) << saved.body;
  EXPECT_THAT(c.get(path + "/edit").body, HasSubstr("Press: {{confirm_url}}"));

  // Without confirm=yes the POST only leads to the confirmation page.
  HttpResponse unconfirmed = owner.submit(path + "/delete", path + "/delete", {});
  EXPECT_EQ(303, unconfirmed.status);
  EXPECT_EQ(200, c.get(path).status);
  HttpResponse deleted = owner.submit(path + "/delete", path + "/delete", {{"confirm", "yes"}});
  EXPECT_EQ(303, deleted.status);
  EXPECT_EQ(404, c.get(path).status);
}

TEST_P(ListPagesTest, AnotherAccountsListIsNotFoundAndFormsNeedTheCsrfToken) {
  ServiceProcess svc(GetParam());
  AccountHolder alpha(svc, "Alpha Ltd", "owner@alpha.test");
  AccountHolder beta(svc, "Beta Ltd", "owner@beta.test");
  HttpResponse created = alpha.submit("/lists/new", "/lists/new", {{"name", "Alpha news"}});
  const std::string path = list_path(created);
  ASSERT_FALSE(path.empty());

  for (const std::string& p : {path, path + "/edit", path + "/delete"}) {
    HttpResponse r = beta.client().get(p);
    EXPECT_EQ(404, r.status) << p;
    EXPECT_THAT(r.body, Not(HasSubstr("Alpha news")));
  }
  EXPECT_EQ(404, beta.submit("/lists", path + "/delete", {{"confirm", "yes"}}).status);
  EXPECT_EQ(404, beta.submit("/lists", path + "/edit", {{"name", "Taken"}}).status);
  EXPECT_EQ(404, beta.client().get("/lists/abc").status);

  const std::string csrf = input_value(alpha.client().get(path).body, "csrf");
  HeaderList with = {{"confirm", "yes"}, {"csrf", csrf}};
  EXPECT_EQ(
      403, alpha.client().post_form(path + "/delete", {{"confirm", "yes"}}, alpha.origin()).status);
  EXPECT_EQ(403, alpha.client()
                     .post_form(path + "/delete", with, {{"Origin", "https://evil.example"}})
                     .status);
  EXPECT_EQ(403, alpha.client().post_form("/lists/new", {{"name", "X"}}, alpha.origin()).status);
  EXPECT_EQ(
      403,
      alpha.client().post_form("/fields", {{"key", "a"}, {"label", "A"}}, alpha.origin()).status);
  EXPECT_THAT(alpha.client().get(path).body, HasSubstr("Alpha news"));

  HttpClient stranger(svc.base_url());
  EXPECT_EQ(303, stranger.get("/lists").status);
}

TEST_P(ListPagesTest, FieldsAreDeclaredAndSpecialCategoriesRefusedOnThePage) {
  ServiceProcess svc(GetParam());
  AccountHolder owner(svc, "Field Co", "owner@fields.test");
  HttpClient& c = owner.client();

  HttpResponse refused = owner.submit(
      "/fields", "/fields", {{"label", "Religion"}, {"key", "faith_group"}, {"type", "text"}});
  EXPECT_EQ(422, refused.status);
  EXPECT_THAT(refused.body, HasSubstr("GDPR article 9"));
  EXPECT_THAT(refused.body, HasSubstr("value=\"Religion\""));
  HttpResponse gender =
      owner.submit("/fields", "/fields", {{"label", "Gender"}, {"key", "g"}, {"type", "text"}});
  EXPECT_THAT(gender.body, HasSubstr("does not store gender"));

  HttpResponse added = owner.submit("/fields", "/fields",
                                    {{"label", "Favourite plant"},
                                     {"key", "plant"},
                                     {"type", "choice"},
                                     {"choices", "Roses\r\nTulips\r\n"}});
  EXPECT_EQ(303, added.status) << added.body;
  HttpResponse page = c.get("/fields");
  EXPECT_THAT(page.body, HasSubstr("Favourite plant"));
  EXPECT_THAT(page.body, HasSubstr("Roses, Tulips"));
  EXPECT_THAT(page.body, Not(HasSubstr("Religion")));

  HttpResponse list = owner.submit("/lists/new", "/lists/new", {{"name", "Plants"}});
  EXPECT_THAT(c.get(list_path(list)).body, HasSubstr("name=&quot;f_plant&quot;"));

  std::smatch m;
  ASSERT_TRUE(std::regex_search(page.body, m, std::regex("/fields/[0-9]+/remove")));
  EXPECT_EQ(303, owner.submit("/fields", m[0], {}).status);
  EXPECT_THAT(c.get("/fields").body, Not(HasSubstr("Favourite plant")));
}

TEST_P(ListPagesTest, TheApiListsWithAKey) {
  ServiceProcess svc(GetParam());
  AccountHolder owner(svc, "Api Ltd", "owner@api.test");
  owner.submit("/lists/new", "/lists/new", {{"name", "From the page"}});
  CliResult key = svc.run_cli(
      {"apikey", "create", "--account", std::to_string(owner.account_id()), "--name", "t"});
  ASSERT_EQ(0, key.exit_code) << key.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(key.out, m, std::regex("sm_[A-Za-z0-9_-]+")));
  HttpClient api(svc.base_url());
  HttpResponse r = api.get("/api/v1/lists", {{"Authorization", "Bearer " + m[0].str()}});
  ASSERT_EQ(200, r.status) << r.body;
  auto body = nlohmann::json::parse(r.body);
  ASSERT_EQ(1u, body["lists"].size());
  EXPECT_EQ("From the page", body["lists"][0]["name"]);
  EXPECT_EQ(0, body["lists"][0]["counts"]["confirmed"]);
  EXPECT_EQ(401, api.get("/api/v1/lists").status);
}

TEST_P(ListPagesTest, AViewerSeesListsButCannotChangeThem) {
  ServiceProcess svc(GetParam());
  AccountHolder owner(svc, "Team Lists", "owner@teamlists.test");
  HttpResponse created = owner.submit("/lists/new", "/lists/new", {{"name", "Team news"}});
  const std::string path = list_path(created);
  ASSERT_FALSE(path.empty());
  HttpResponse invited = owner.submit("/account/users", "/account/users/invite",
                                      {{"email", "viewer@teamlists.test"}, {"role", "viewer"}});
  ASSERT_EQ(303, invited.status) << invited.body;
  ASSERT_TRUE(svc.wait_for_outbox(1));
  std::string accept;
  for (const auto& m : svc.outbox_messages()) {
    for (const auto& link : m.links) {
      if (link.find("/invite/") != std::string::npos) accept = link;
    }
  }
  ASSERT_FALSE(accept.empty());

  AccountHolder viewer(svc);
  const std::string other_password = "gravel-Window-saffron-62-lark";
  ASSERT_EQ(
      303,
      viewer.client().post_form(accept, {{"password", other_password}}, viewer.origin()).status);
  viewer.sign_in("viewer@teamlists.test", other_password);

  HttpResponse index = viewer.client().get("/lists");
  EXPECT_EQ(200, index.status);
  EXPECT_THAT(index.body, HasSubstr("Team news"));
  EXPECT_THAT(index.body, Not(HasSubstr("href=\"/lists/new\"")));
  EXPECT_EQ(200, viewer.client().get(path).status);
  EXPECT_EQ(200, viewer.client().get("/fields").status);
  EXPECT_EQ(403, viewer.client().get("/lists/new").status);
  EXPECT_EQ(403, viewer.submit("/lists", "/lists/new", {{"name", "Viewer list"}}).status);
  EXPECT_EQ(403, viewer.submit("/lists", path + "/delete", {{"confirm", "yes"}}).status);
  EXPECT_EQ(403, viewer.submit("/fields", "/fields", {{"key", "a"}, {"label", "A"}}).status);
  EXPECT_EQ(200, owner.client().get(path).status);
}

SM_INSTANTIATE_FOR_ENGINES(ListPagesTest);

}  // namespace
}  // namespace sm::testing
