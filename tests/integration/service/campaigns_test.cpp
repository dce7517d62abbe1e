// Campaigns on both engines: creating, editing, reading and deleting drafts, and every rule of
// the composer refused with a sentence on the field at fault (line breaks in header values, a
// From address outside the account's verified domains, unknown merge tags, lists of another
// account, sections that would leave markup open, ...). The verified domain is checked for
// real against dnsmasq on loopback (verified_domain.hpp).
#include <gmock/gmock.h>

#include "services/campaigns.hpp"
#include "services/lists.hpp"
#include "services/sending.hpp"
#include "services/subscriber_fields.hpp"
#include "services/subscriptions.hpp"
#include "test_app.hpp"
#include "verified_domain.hpp"

namespace sm::testing {
namespace {

using services::BodyFormat;
using services::CampaignForm;
using services::CampaignStatus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CampaignsTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  void SetUp() override {
    account_ = t_.create_account();
    domain_ = add_verified_domain(t_.app(), t_.dir(), account_, "news.example.org");
    auto list = services::create_list(t_.app(), account_, {"News", "Monthly.", "", ""});
    ASSERT_TRUE(list.ok()) << list.error().message;
    list_ = list->id;
    auto field = services::declare_field(
        t_.app(), account_, {0, "first_name", "First name", services::FieldType::text, {}});
    ASSERT_TRUE(field.ok()) << field.error().message;
  }

  CampaignForm form() const {
    CampaignForm f;
    f.name = "December news";
    f.subject = "News for {{subscriber.first_name}}";
    f.preheader = "What happened this month";
    f.from_name = "Example News";
    f.from_email = "hello@News.Example.org";
    f.reply_to = "replies@example.net";
    f.body = "# Hello {{subscriber.first_name}}\n\nThis month we planted **trees**.\n";
    f.list_ids = {list_};
    return f;
  }

  // The refusal of `f` as "field: message", or "ok".
  std::string refusal(const CampaignForm& f) {
    auto made = services::create_campaign(t_.app(), account_, f);
    if (made.ok()) return "ok";
    EXPECT_EQ(made.error().code, Errc::invalid_input) << made.error().message;
    return made.error().field + ": " + made.error().message;
  }

  services::Campaign create(const CampaignForm& f) {
    auto made = services::create_campaign(t_.app(), account_, f);
    if (!made.ok()) throw std::runtime_error("create: " + made.error().message);
    return made->campaign;
  }

  TestApp t_{GetParam()};
  std::int64_t account_ = 0;
  std::int64_t list_ = 0;
  services::SendingDomain domain_;
};

TEST_P(CampaignsTest, ADraftIsStoredAndReadBack) {
  auto made = services::create_campaign(t_.app(), account_, form());
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_TRUE(made->removed.empty());
  const services::Campaign& c = made->campaign;
  EXPECT_GT(c.id, 0);
  EXPECT_EQ(c.status, CampaignStatus::draft);
  EXPECT_EQ(c.public_id.size(), 16u);
  EXPECT_EQ(c.from_email, "hello@news.example.org");
  EXPECT_EQ(c.sending_domain_id, domain_.id);
  EXPECT_EQ(c.reply_to, "replies@example.net");
  EXPECT_THAT(c.text, HasSubstr("This month we planted trees."));
  EXPECT_FALSE(c.text_edited);
  ASSERT_EQ(c.lists.size(), 1u);
  EXPECT_EQ(c.lists[0].name, "News");
  EXPECT_EQ(c.created_at, kTestStart);

  auto found = services::find_campaign(t_.app(), account_, c.id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->subject, "News for {{subscriber.first_name}}");
  EXPECT_EQ(found->body, form().body);
  EXPECT_TRUE(found->editable());
  EXPECT_TRUE(found->deletable());
  auto all = services::account_campaigns(t_.app(), account_);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().id, c.id);
}

TEST_P(CampaignsTest, EditingRegeneratesTheTextUnlessTheAuthorWroteIt) {
  auto c = create(form());
  CampaignForm f = form();
  f.body = "Only this now.";
  f.list_ids = {};
  t_.clock().advance(kMinute);
  auto saved = services::update_campaign(t_.app(), account_, c.id, f);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_THAT(saved->campaign.text, HasSubstr("Only this now."));
  EXPECT_TRUE(saved->campaign.lists.empty());
  EXPECT_EQ(saved->campaign.updated_at, kTestStart + kMinute);

  f.text_edited = true;
  f.text = "My own words, {{subscriber.first_name}}.";
  saved = services::update_campaign(t_.app(), account_, c.id, f);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->campaign.text, "My own words, {{subscriber.first_name}}.");
  EXPECT_TRUE(saved->campaign.text_edited);
}

TEST_P(CampaignsTest, SanitisingIsReportedButTheSourceIsKept) {
  CampaignForm f = form();
  f.body_format = BodyFormat::html;
  f.body = "<p onclick=\"x()\">Hi</p><script>alert(1)</script><a href=\"javascript:x\">y</a>";
  auto made = services::create_campaign(t_.app(), account_, f);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_THAT(made->removed, ElementsAre("onclick attribute on <p>", "<script> element",
                                         "javascript: link on <a>"));
  EXPECT_EQ(made->campaign.body, f.body);
}

TEST_P(CampaignsTest, LineBreaksInHeaderValuesAreRefused) {
  for (auto [member, field] : {std::pair{&CampaignForm::subject, "subject"},
                               {&CampaignForm::from_name, "from_name"},
                               {&CampaignForm::preheader, "preheader"},
                               {&CampaignForm::name, "name"}}) {
    for (const char* evil : {"Hi\r\nBcc: victim@example.com", "Hi\nthere", "Hi\rthere"}) {
      CampaignForm f = form();
      f.*member = evil;
      EXPECT_THAT(refusal(f), ::testing::StartsWith(std::string(field) + ": "));
      EXPECT_THAT(refusal(f), HasSubstr("cannot contain line breaks; write it on one line."));
    }
  }
  CampaignForm f = form();
  f.from_email = "hello@news.example.org\r\nBcc: x@example.com";
  EXPECT_EQ(refusal(f),
            "from_email: The From address cannot contain line breaks; write it on "
            "one line.");
  f = form();
  f.reply_to = "a@example.net\nX: y";
  EXPECT_EQ(refusal(f),
            "reply_to: The reply-to address cannot contain line breaks; write it on one line.");
  f = form();
  f.subject = std::string("Tab\tstop");
  EXPECT_EQ(refusal(f), "subject: The subject cannot contain control characters.");
}

TEST_P(CampaignsTest, RequiredFieldsAndLimits) {
  CampaignForm f = form();
  f.name = "  ";
  EXPECT_EQ(refusal(f), "name: Give the campaign a name; only your team sees it.");
  f = form();
  f.subject = "";
  EXPECT_EQ(refusal(f), "subject: Write a subject line: it is what people see first.");
  f = form();
  f.subject = std::string(301, 's');
  EXPECT_EQ(refusal(f), "subject: The subject is too long: at most 300 characters.");
  f = form();
  f.rate_per_minute = -1;
  EXPECT_THAT(refusal(f), ::testing::StartsWith("rate_per_minute: Type a whole number"));
  f = form();
  f.body = std::string(services::kMaxBodyBytes + 1, 'x');
  EXPECT_EQ(refusal(f), "body: The body is larger than 1 MB; shorten it or link to the rest.");
  f = form();
  f.text_edited = true;
  f.text = " ";
  EXPECT_THAT(refusal(f), ::testing::StartsWith("text: Write the plain-text part"));
}

TEST_P(CampaignsTest, FromMustBeAtAVerifiedDomainOfTheAccount) {
  CampaignForm f = form();
  f.from_email = "";
  EXPECT_EQ(refusal(f),
            "from_email: Type the address the campaign comes from, at one of your verified "
            "sending domains (see Domains).");
  f.from_email = "not an address";
  EXPECT_THAT(refusal(f), ::testing::StartsWith("from_email: "));
  f.from_email = "hello@elsewhere.example";
  EXPECT_EQ(refusal(f),
            "from_email: elsewhere.example is not one of this account's sending domains. Add it "
            "under Domains and publish its records, or use an address at a verified domain.");

  ASSERT_TRUE(services::add_sending_domain(t_.app(), account_, "unverified.example").ok());
  f.from_email = "hello@unverified.example";
  EXPECT_EQ(refusal(f),
            "from_email: unverified.example is not verified yet. Publish its DNS records and "
            "press Check now under Domains; then campaigns can be sent from it.");

  // Another account's verified domain is not this account's.
  auto other = t_.create_account("Other Ltd", "owner@other.test");
  add_verified_domain(t_.app(), t_.dir(), other, "other.example");
  f.from_email = "hello@other.example";
  EXPECT_THAT(refusal(f), HasSubstr("other.example is not one of this account's"));

  f = form();
  f.reply_to = "nobody";
  EXPECT_THAT(refusal(f), ::testing::StartsWith("reply_to: "));
  f.reply_to = "\"quoted\"@example.net";
  EXPECT_THAT(refusal(f), HasSubstr("Use a plain address"));
}

TEST_P(CampaignsTest, MergeTagsAreCheckedInEveryPart) {
  CampaignForm f = form();
  f.subject = "Hi {{nickname}}";
  EXPECT_THAT(refusal(f), ::testing::StartsWith("subject: {{nickname}} is not a merge tag."));
  f = form();
  f.preheader = "{{subscriber.shoe_size}}";
  EXPECT_EQ(refusal(f),
            "preheader: {{subscriber.shoe_size}} is not a field of this account; declare it "
            "under Fields or remove it.");
  f = form();
  f.body = "Hello {{{subscriber.first_name}}}";
  EXPECT_THAT(refusal(f), ::testing::StartsWith("body: {{{subscriber.first_name}}} would insert"));
  f = form();
  f.body = "Hello {{first_name}}";
  EXPECT_EQ(refusal(f),
            "body: {{first_name}} is not a merge tag; subscriber fields are written "
            "{{subscriber.first_name}}.");
  f = form();
  f.body = "{{#subscriber.first_name}}unclosed";
  EXPECT_THAT(refusal(f), ::testing::StartsWith("body: The merge tags are not well formed"));
  f = form();
  f.text_edited = true;
  f.text = "Bye {{subscriber.age}}";
  EXPECT_THAT(refusal(f), ::testing::StartsWith("text: {{subscriber.age}} is not a field"));
  f = form();
  f.body = "[Read online]({{web_version_url}})";
  EXPECT_THAT(refusal(f), ::testing::StartsWith(
                              "body: {{web_version_url}} links to the web version, which is off"));
  f.web_version = true;
  EXPECT_EQ(refusal(f), "ok");
}

TEST_P(CampaignsTest, SectionsMustNotLeaveMarkupOpen) {
  CampaignForm f = form();
  f.body_format = BodyFormat::html;
  f.body =
      "<div style=\"color: red\">{{#subscriber.first_name}}</div><p>x{{/subscriber.first_name}}"
      "</p>";
  EXPECT_THAT(refusal(f), HasSubstr("must be in the same paragraph, table cell, link or "
                                    "attribute, or each on a line of its own"));
  f.body = "<style>p { color: {{subscriber.first_name}} }</style><p>x</p>";
  EXPECT_THAT(refusal(f), ::testing::StartsWith("body: Merge tags cannot be used inside <style>"));
  // Markdown puts a tag on its own line in a paragraph of its own: that is fine.
  f = form();
  f.body =
      "{{#subscriber.first_name}}\n\nDear {{subscriber.first_name}},\n\n* one\n* two\n\n"
      "{{/subscriber.first_name}}\n\nBye.";
  EXPECT_EQ(refusal(f), "ok");
}

TEST_P(CampaignsTest, ListsMustBeTheAccountsOwn) {
  auto other = t_.create_account("Other Ltd", "owner@other.test");
  auto theirs = services::create_list(t_.app(), other, {"Theirs", "", "", ""});
  ASSERT_TRUE(theirs.ok());
  CampaignForm f = form();
  f.list_ids = {list_, theirs->id};
  EXPECT_EQ(refusal(f), "list_ids: List " + std::to_string(theirs->id) +
                            " is not a list of this account; choose among the lists under "
                            "Lists.");
  f.list_ids = {list_, list_};
  auto c = create(f);
  EXPECT_EQ(c.lists.size(), 1u);
}

TEST_P(CampaignsTest, AnotherAccountSeesNothing) {
  auto c = create(form());
  auto other = t_.create_account("Other Ltd", "owner@other.test");
  EXPECT_EQ(services::find_campaign(t_.app(), other, c.id).error().code, Errc::not_found);
  EXPECT_EQ(services::update_campaign(t_.app(), other, c.id, form()).error().code, Errc::not_found);
  EXPECT_EQ(services::delete_campaign(t_.app(), other, c.id).error().code, Errc::not_found);
  EXPECT_EQ(services::duplicate_campaign(t_.app(), other, c.id).error().code, Errc::not_found);
  EXPECT_TRUE(services::account_campaigns(t_.app(), other)->empty());
  EXPECT_TRUE(services::find_campaign(t_.app(), account_, c.id).ok());
}

TEST_P(CampaignsTest, OnceSendingStartsTheContentIsFixed) {
  services::NewSubscriber person;
  person.email = "jane@example.net";
  person.confirmed = true;
  person.source = "Sign-up sheet";
  person.basis = "consent";
  ASSERT_TRUE(services::add_subscriber(t_.app(), account_, list_, person, {}).ok());
  auto c = create(form());

  // Scheduled: nothing has gone out, so it may still change.
  ASSERT_TRUE(services::start_campaign(t_.app(), account_, c.id, t_.app().now() + kHour).ok());
  CampaignForm f = form();
  f.subject = "A better subject";
  auto saved = services::update_campaign(t_.app(), account_, c.id, f);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->campaign.status, CampaignStatus::scheduled);
  EXPECT_EQ(services::delete_campaign(t_.app(), account_, c.id).error().code, Errc::conflict);

  auto started = services::start_campaign(t_.app(), account_, c.id);
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto fixed = services::update_campaign(t_.app(), account_, c.id, form());
  ASSERT_FALSE(fixed.ok());
  EXPECT_EQ(fixed.error().code, Errc::conflict);
  EXPECT_EQ(fixed.error().message,
            "This campaign is sending and can no longer be changed: some people may already "
            "have it. Duplicate it to make a new draft from it.");
  auto deleted = services::delete_campaign(t_.app(), account_, c.id);
  EXPECT_EQ(deleted.error().code, Errc::conflict);
  EXPECT_THAT(deleted.error().message, HasSubstr("Only a draft can be deleted"));

  auto copy = services::duplicate_campaign(t_.app(), account_, c.id);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  EXPECT_EQ(copy->campaign.name, "Copy of December news");
  EXPECT_EQ(copy->campaign.subject, "A better subject");
  EXPECT_EQ(copy->campaign.status, CampaignStatus::draft);
  EXPECT_NE(copy->campaign.public_id, c.public_id);
  EXPECT_TRUE(services::delete_campaign(t_.app(), account_, copy->campaign.id).ok());
  EXPECT_EQ(services::find_campaign(t_.app(), account_, copy->campaign.id).error().code,
            Errc::not_found);
}

TEST_P(CampaignsTest, TheWebVersionIsPublicOnlyWhenOnAndSent) {
  services::NewSubscriber person;
  person.email = "jane@example.net";
  person.confirmed = true;
  person.source = "Sign-up sheet";
  person.basis = "consent";
  ASSERT_TRUE(services::add_subscriber(t_.app(), account_, list_, person, {}).ok());
  CampaignForm f = form();
  auto off = create(f);
  f.web_version = true;
  auto on = create(f);
  EXPECT_EQ(services::find_web_version(t_.app(), on.public_id).error().code, Errc::not_found);
  ASSERT_TRUE(services::start_campaign(t_.app(), account_, on.id).ok());
  ASSERT_TRUE(services::start_campaign(t_.app(), account_, off.id).ok());
  auto found = services::find_web_version(t_.app(), on.public_id);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->id, on.id);
  EXPECT_EQ(services::find_web_version(t_.app(), off.public_id).error().code, Errc::not_found);
  EXPECT_EQ(services::find_web_version(t_.app(), "nosuchid").error().code, Errc::not_found);
  EXPECT_EQ(services::web_version_url(t_.app(), *found), "http://127.0.0.1:8080/w/" + on.public_id);
}

SM_INSTANTIATE_FOR_ENGINES(CampaignsTest);

}  // namespace
}  // namespace sm::testing
