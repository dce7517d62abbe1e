#include "core/template.hpp"

#include <gtest/gtest.h>

#include "core/assets.hpp"

namespace sm {
namespace {

TEST(Template, EscapesHtmlByDefault) {
  TemplateValue d;
  d.set("name", "<script>alert('x')</script> & co");
  auto out = render_template("Hello {{name}}", d);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "Hello &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; co");
}

TEST(Template, TripleBracesAndEscapeNoneLeaveTextAlone) {
  TemplateValue d;
  d.set("html", "<b>bold</b>");
  EXPECT_EQ(*render_template("{{{html}}}", d), "<b>bold</b>");
  EXPECT_EQ(*render_template("{{html}}", d, Escape::none), "<b>bold</b>");
}

TEST(Template, SectionsListsAndFlags) {
  TemplateValue d;
  TemplateValue::List items;
  items.emplace_back("a");
  items.emplace_back("b");
  d.set("items", std::move(items)).set("on", true).set("off", false);
  auto out = render_template("{{#items}}[{{.}}]{{/items}}{{#on}}on{{/on}}{{^off}}!{{/off}}", d);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "[a][b]on!");
}

TEST(Template, SyntaxErrorIsReported) {
  auto out = render_template("{{#open}} never closed", TemplateValue());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::invalid_input);
}

TEST(Template, EveryEmbeddedPageTemplateParses) {
  auto pages = assets::under("templates/");
  ASSERT_GT(pages.size(), 10u);
  for (const auto& a : pages) {
    auto out = render_template(a.content, TemplateValue());
    EXPECT_TRUE(out.ok()) << a.path << ": " << (out.ok() ? "" : out.error().detail);
  }
}

}  // namespace
}  // namespace sm
