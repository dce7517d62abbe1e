// Lists on both engines: creation with the default confirmation email, the merge-tag rules,
// counts by status, deletion with its subscriptions, and one account never reaching another's.
#include "services/lists.hpp"

#include "test_app.hpp"

namespace sm::testing {
namespace {

using services::ListForm;

class ListsTest : public ::testing::TestWithParam<TestEngine> {};

// Adds a subscriber with one subscription in `status`, as the subscription service would.
void add_subscription(TestApp& t, std::int64_t account_id, std::int64_t list_id,
                      const std::string& email, const std::string& status) {
  auto lease = t.app().db->acquire();
  ASSERT_TRUE(lease.ok());
  auto sub = (*lease)->run(
      "INSERT INTO subscribers (account_id, email, email_normalized, created_at, updated_at) "
      "VALUES ($1, $2, $2, $3, $3) RETURNING id",
      {account_id, email, kTestStart});
  ASSERT_TRUE(sub.ok()) << sub.error().detail;
  auto s = (*lease)->run(
      "INSERT INTO subscriptions (account_id, list_id, subscriber_id, status, token_salt, "
      "created_at) VALUES ($1, $2, $3, $4, 'salt', $5)",
      {account_id, list_id, sub->front().integer(0), status, kTestStart});
  ASSERT_TRUE(s.ok()) << s.error().detail;
}

std::int64_t subscription_rows(TestApp& t, std::int64_t list_id) {
  auto lease = t.app().db->acquire();
  auto r = (*lease)->run("SELECT COUNT(*) FROM subscriptions WHERE list_id = $1", {list_id});
  return r.ok() ? r->front().integer(0) : -1;
}

TEST_P(ListsTest, CreatesAListWithAPublicIdAndTheDefaultConfirmationEmail) {
  TestApp t(GetParam());
  auto account = t.create_account();
  auto l = services::create_list(t.app(), account, {"  Monthly news ", "Once a month.", "", ""});
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(l->name, "Monthly news");
  EXPECT_EQ(l->public_id.size(), 12u);
  EXPECT_EQ(l->public_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos);
  EXPECT_NE(l->confirm_body.find("{{confirm_url}}"), std::string::npos);
  EXPECT_NE(l->confirm_body.find("{{postal_address}}"), std::string::npos);
  EXPECT_NE(l->confirm_body.find("ignore this email"), std::string::npos);
  EXPECT_EQ(l->created_at, kTestStart);
  EXPECT_EQ(services::subscribe_url(t.app(), *l), "http://127.0.0.1:8080/s/" + l->public_id);

  auto other = services::create_list(t.app(), account, {"Offers", "", "", ""});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->public_id, l->public_id);
  auto all = services::account_lists(t.app(), account);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "Monthly news");
}

TEST_P(ListsTest, RefusesAConfirmationEmailWithoutTheLinkOrWithUnknownTags) {
  TestApp t(GetParam());
  auto account = t.create_account();
  auto no_link = services::create_list(t.app(), account, {"News", "", "Hi", "Welcome!"});
  ASSERT_FALSE(no_link.ok());
  EXPECT_EQ(no_link.error().field, "confirm_body");
  EXPECT_NE(no_link.error().message.find("{{confirm_url}}"), std::string::npos);

  auto unknown =
      services::create_list(t.app(), account, {"News", "", "Hi {{first_name}}", "{{confirm_url}}"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "confirm_subject");
  EXPECT_NE(unknown.error().message.find("{{first_name}}"), std::string::npos);

  auto section_only = services::create_list(t.app(), account,
                                            {"News", "", "", "{{#confirm_url}}x{{/confirm_url}}"});
  EXPECT_FALSE(section_only.ok());
  auto unclosed =
      services::create_list(t.app(), account, {"News", "", "", "{{confirm_url}} {{#website}}open"});
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.error().field, "confirm_body");

  auto no_name = services::create_list(t.app(), account, {"  ", "", "", ""});
  ASSERT_FALSE(no_name.ok());
  EXPECT_EQ(no_name.error().field, "name");

  auto fine = services::create_list(
      t.app(), account,
      {"News", "", "Join {{ list_name }}", "Open {{{confirm_url}}}\n{{organisation}}"});
  EXPECT_TRUE(fine.ok()) << fine.error().message;
}

TEST_P(ListsTest, UpdatesAndDeletesOnlyWithinItsAccount) {
  TestApp t(GetParam());
  auto mine = t.create_account("Mine Ltd", "mine@example.org");
  auto theirs = t.create_account("Theirs Ltd", "theirs@example.org");
  auto l = services::create_list(t.app(), mine, {"News", "", "", ""});
  ASSERT_TRUE(l.ok());

  EXPECT_EQ(services::find_list(t.app(), theirs, l->id).error().code, Errc::not_found);
  auto foreign_update = services::update_list(t.app(), theirs, l->id, {"Stolen", "", "", ""});
  EXPECT_EQ(foreign_update.error().code, Errc::not_found);
  EXPECT_EQ(services::delete_list(t.app(), theirs, l->id).error().code, Errc::not_found);
  EXPECT_TRUE(services::account_lists(t.app(), theirs)->empty());

  ListForm f{"Weekly news", "Every Friday.", "Confirm {{list_name}}", "Go: {{confirm_url}}"};
  ASSERT_TRUE(services::update_list(t.app(), mine, l->id, f).ok());
  auto saved = services::find_list(t.app(), mine, l->id);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->name, "Weekly news");
  EXPECT_EQ(saved->description, "Every Friday.");
  EXPECT_EQ(saved->confirm_body, "Go: {{confirm_url}}");
  EXPECT_EQ(saved->public_id, l->public_id);

  ASSERT_TRUE(services::delete_list(t.app(), mine, l->id).ok());
  EXPECT_EQ(services::find_list(t.app(), mine, l->id).error().code, Errc::not_found);
}

TEST_P(ListsTest, CountsSubscriptionsByStatusAndDeletesThemWithTheList) {
  TestApp t(GetParam());
  auto account = t.create_account();
  auto l = services::create_list(t.app(), account, {"News", "", "", ""});
  auto other = services::create_list(t.app(), account, {"Other", "", "", ""});
  ASSERT_TRUE(l.ok() && other.ok());
  add_subscription(t, account, l->id, "a@example.org", "pending");
  add_subscription(t, account, l->id, "b@example.org", "confirmed");
  add_subscription(t, account, l->id, "c@example.org", "confirmed");
  add_subscription(t, account, l->id, "d@example.org", "unsubscribed");
  add_subscription(t, account, other->id, "e@example.org", "confirmed");

  auto c = services::list_counts(t.app(), account, l->id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->pending, 1);
  EXPECT_EQ(c->confirmed, 2);
  EXPECT_EQ(c->unsubscribed, 1);

  ASSERT_TRUE(services::delete_list(t.app(), account, l->id).ok());
  EXPECT_EQ(subscription_rows(t, l->id), 0);
  EXPECT_EQ(subscription_rows(t, other->id), 1);
}

TEST_P(ListsTest, FindsAListByItsPublicIdAlone) {
  TestApp t(GetParam());
  auto account = t.create_account();
  auto l = services::create_list(t.app(), account, {"News", "", "", ""});
  ASSERT_TRUE(l.ok());
  auto found = services::find_list_by_public_id(t.app(), l->public_id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, l->id);
  EXPECT_EQ(found->account_id, account);
  std::string upper = l->public_id;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_TRUE(services::find_list_by_public_id(t.app(), upper).ok());
  EXPECT_EQ(services::find_list_by_public_id(t.app(), "aaaaaaaaaaaa").error().code,
            Errc::not_found);
  EXPECT_EQ(services::find_list_by_public_id(t.app(), "").error().code, Errc::not_found);
}

TEST_P(ListsTest, TheCopyPasteFormPostsTheFieldsTheSignUpPageReads) {
  TestApp t(GetParam());
  auto account = t.create_account();
  auto l = services::create_list(t.app(), account, {"News <&>", "", "", ""});
  ASSERT_TRUE(l.ok());
  std::vector<services::FieldDefinition> fields = {
      {1, "first_name", "First name", services::FieldType::text, {}},
      {2, "birthday", "Birthday", services::FieldType::date, {}},
      {3, "member", "Member?", services::FieldType::boolean, {}},
      {4, "city", "City", services::FieldType::choice, {"Leeds", "York & Hull"}}};
  std::string html = services::subscribe_form_html(t.app(), *l, fields);
  auto has = [&](const std::string& s) { return html.find(s) != std::string::npos; };
  EXPECT_TRUE(has("action=\"" + services::subscribe_url(t.app(), *l) + "\""));
  EXPECT_TRUE(has("name=\"email\" type=\"email\""));
  EXPECT_TRUE(has("required"));
  EXPECT_TRUE(has("name=\"f_first_name\" type=\"text\""));
  EXPECT_TRUE(has("name=\"f_birthday\" type=\"date\""));
  EXPECT_TRUE(has("name=\"f_member\" type=\"checkbox\" value=\"true\""));
  EXPECT_TRUE(has("<select id=\"sm-" + l->public_id + "-city\" name=\"f_city\">"));
  EXPECT_TRUE(has("<option>York &amp; Hull</option>"));
  EXPECT_TRUE(has("name=\"homepage\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\""));
  EXPECT_TRUE(has("style=\"position:absolute;left:-10000px\""));
  EXPECT_TRUE(has("<button type=\"submit\">"));
  EXPECT_FALSE(has("form_token"));
  // Every input but the checkbox (wrapped by its label) has a label pointing at it.
  for (const char* id : {"email", "first_name", "birthday", "city", "homepage"}) {
    EXPECT_TRUE(has("<label for=\"sm-" + l->public_id + "-" + id + "\">")) << id;
  }
}

SM_INSTANTIATE_FOR_ENGINES(ListsTest);

}  // namespace
}  // namespace sm::testing
