// Campaign merge tags against the fields an account really declared, on both engines, and the
// body pipeline from Markdown or HTML to sanitised HTML and plain text.
#include "services/campaign_content.hpp"

#include "core/template.hpp"
#include "services/subscriber_fields.hpp"
#include "test_app.hpp"

namespace sm::testing {
namespace {

using services::FieldDefinition;
using services::FieldType;

class CampaignContentTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  void SetUp() override {
    account_ = t_.create_account();
    declare("first_name", "First name", FieldType::text);
    declare("vip", "VIP", FieldType::boolean);
    declare("website", "Their website", FieldType::text);
  }

  void declare(std::string key, std::string label, FieldType type) {
    auto made = services::declare_field(t_.app(), account_, {0, key, label, type, {}});
    ASSERT_TRUE(made.ok()) << made.error().message;
  }

  // The message of the refusal of `text`, or "ok".
  std::string check(std::string_view text) {
    Status s = services::check_campaign_tags(t_.app(), account_, text);
    if (s.ok()) return "ok";
    EXPECT_EQ(s.error().code, Errc::invalid_input);
    return s.error().message;
  }

  TestApp t_{GetParam()};
  std::int64_t account_ = 0;
};

TEST_P(CampaignContentTest, AcceptsDeclaredFieldsAndTheFixedTags) {
  EXPECT_EQ(check("Hello {{subscriber.first_name}} <{{email}}>, from {{organisation}}, "
                  "{{postal_address}}, {{contact_email}}, {{website}}, {{privacy_contact}}. "
                  "{{unsubscribe_url}} {{preferences_url}} {{portal_url}} {{web_version_url}} "
                  "{{list_name}} {{subscriber.website}}"),
            "ok");
  EXPECT_EQ(check("{{#subscriber.vip}}Thanks!{{/subscriber.vip}}"
                  "{{^subscriber.first_name}}Hello there{{/subscriber.first_name}}"
                  "{{ subscriber.first_name }}{{! a note for the team }}"),
            "ok");
  EXPECT_EQ(check("no tags at all"), "ok");
}

TEST_P(CampaignContentTest, NamesAFieldTheAccountNeverDeclared) {
  EXPECT_EQ(check("Size {{subscriber.shoe_size}}"),
            "{{subscriber.shoe_size}} is not a field of this account; declare it under Fields "
            "or remove it.");
  EXPECT_EQ(check("{{#subscriber.member}}x{{/subscriber.member}}"),
            "{{#subscriber.member}} is not a field of this account; declare it under Fields or "
            "remove it.");
}

TEST_P(CampaignContentTest, FieldsOfAnotherAccountAreUnknown) {
  auto other = t_.create_account("Other Ltd", "other@example.org");
  ASSERT_TRUE(services::declare_field(t_.app(), other, {0, "shoe_size", "Shoe size", {}, {}}).ok());
  EXPECT_NE(check("{{subscriber.shoe_size}}"), "ok");
  EXPECT_TRUE(services::check_campaign_tags(t_.app(), other, "{{subscriber.shoe_size}}").ok());
}

TEST_P(CampaignContentTest, NamesUnknownTagsAndBareFieldKeys) {
  std::string unknown = check("Hi {{firstname}}");
  EXPECT_TRUE(unknown.starts_with("{{firstname}} is not a merge tag.")) << unknown;
  EXPECT_EQ(check("Hi {{first_name}}"),
            "{{first_name}} is not a merge tag; subscriber fields are written "
            "{{subscriber.first_name}}.");
  EXPECT_TRUE(check("{{.}}").starts_with("{{.}} is not a merge tag."));
}

TEST_P(CampaignContentTest, RefusesUnescapedPartialsAndDelimiterChanges) {
  EXPECT_EQ(check("{{{subscriber.first_name}}}"),
            "{{{subscriber.first_name}}} would insert the value without escaping it; write "
            "{{subscriber.first_name}} instead.");
  EXPECT_TRUE(check("{{& email}}").starts_with("{{&email}} would insert"));
  EXPECT_EQ(check("{{> footer}}"), "{{>footer}}: partials cannot be used in campaigns.");
  EXPECT_EQ(check("{{=<% %>=}} <% shoe_size %>"),
            "{{=<% %>=}}: changing the tag delimiters is not supported.");
}

TEST_P(CampaignContentTest, RefusesWhatTheRendererWouldNotParse) {
  EXPECT_TRUE(check("{{#subscriber.vip}}never closed").starts_with("The merge tags are not"));
  EXPECT_TRUE(check("{{#subscriber.vip}}x{{/subscriber.first_name}}").starts_with("The merge"));
  EXPECT_TRUE(check("Hello {{subscriber.first_name").starts_with("The merge tags are not"));
}

TEST_P(CampaignContentTest, WhatPassesRendersWithTheSameNames) {
  std::string text =
      "{{#subscriber.vip}}VIP {{/subscriber.vip}}{{subscriber.first_name}} {{list_name}}";
  ASSERT_EQ(check(text), "ok");
  TemplateValue data;
  data.set("subscriber", TemplateValue().set("first_name", "Ada").set("vip", true));
  data.set("list_name", "News & views");
  auto out = render_template(text, data);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "VIP Ada News &amp; views");
}

TEST_P(CampaignContentTest, PreparesAMarkdownBodyWithTagsIntact) {
  auto body = services::prepare_body(
      services::BodyFormat::markdown,
      "# Hello {{subscriber.first_name}}\n\nRead [online]({{web_version_url}}).\n");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->html,
            "<h1>Hello {{subscriber.first_name}}</h1>\n"
            "<p>Read <a href=\"{{web_version_url}}\">online</a>.</p>\n");
  EXPECT_EQ(body->text,
            "Hello {{subscriber.first_name}}\n===============================\n\n"
            "Read online ({{web_version_url}}).\n");
  EXPECT_TRUE(body->removed.empty());
  EXPECT_EQ(check(body->html), "ok");
  EXPECT_EQ(check(body->text), "ok");
}

TEST_P(CampaignContentTest, PreparesAnHtmlBodyAndSaysWhatWasRemoved) {
  auto body = services::prepare_body(services::BodyFormat::html,
                                     "<p onclick=\"x()\">Hi</p><script>alert(1)</script>");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->html, "<p>Hi</p>");
  EXPECT_EQ(body->text, "Hi\n");
  EXPECT_EQ(body->removed,
            (std::vector<std::string>{"onclick attribute on <p>", "<script> element"}));

  auto big = services::prepare_body(services::BodyFormat::html,
                                    std::string(services::kMaxBodyBytes + 1, 'x'));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().field, "body");
}

SM_INSTANTIATE_FOR_ENGINES(CampaignContentTest);

}  // namespace
}  // namespace sm::testing
