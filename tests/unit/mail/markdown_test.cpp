// Markdown bodies: CommonMark to HTML in cmark's safe mode, with merge tags kept as written.
#include "mail/markdown.hpp"

#include <gtest/gtest.h>

#include "mail/html_sanitizer.hpp"

namespace sm::mail {
namespace {

TEST(Markdown, RendersCommonMark) {
  EXPECT_EQ(markdown_to_html("# News\n\nHello *you* and **all**.\n\n- one\n- two\n"),
            "<h1>News</h1>\n<p>Hello <em>you</em> and <strong>all</strong>.</p>\n"
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n");
  EXPECT_EQ(markdown_to_html("[site](https://example.org/?a=1&b=2 \"Title\")"),
            "<p><a href=\"https://example.org/?a=1&amp;b=2\" title=\"Title\">site</a></p>\n");
}

TEST(Markdown, OmitsRawHtml) {
  std::string html = markdown_to_html("Hi <script>alert(1)</script>\n\n<div onclick=x>y</div>\n");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("onclick"), std::string::npos);
  EXPECT_NE(html.find("raw HTML omitted"), std::string::npos);
}

TEST(Markdown, DropsUnsafeLinkTargets) {
  EXPECT_EQ(markdown_to_html("[x](javascript:alert(1))"), "<p><a href=\"\">x</a></p>\n");
  EXPECT_EQ(markdown_to_html("[x](data:text/html,hi)"), "<p><a href=\"\">x</a></p>\n");
  EXPECT_EQ(markdown_to_html("![dot](data:image/png;base64,AAAA)"),
            "<p><img src=\"data:image/png;base64,AAAA\" alt=\"dot\" /></p>\n");
}

TEST(Markdown, KeepsMergeTagsInLinkTargets) {
  EXPECT_EQ(markdown_to_html("[Unsubscribe]({{unsubscribe_url}}) {{subscriber.first_name}}"),
            "<p><a href=\"{{unsubscribe_url}}\">Unsubscribe</a> {{subscriber.first_name}}</p>\n");
  // Other percent-encoding stays as cmark wrote it.
  EXPECT_EQ(markdown_to_html("[x](https://example.org/%7Bid%7D)"),
            "<p><a href=\"https://example.org/%7Bid%7D\">x</a></p>\n");
}

TEST(Markdown, OutputPassesTheSanitiserUnchanged) {
  std::string html = markdown_to_html("# T\n\n> quote\n\n1. a\n2. b\n\n```\ncode\n```\n\n---\n");
  SanitizedHtml clean = sanitize_html(html);
  EXPECT_TRUE(clean.removed.empty()) << ::testing::PrintToString(clean.removed);
  EXPECT_EQ(sanitize_html(clean.html).html, clean.html);
}

TEST(Markdown, ReplacesInvalidUtf8) {
  EXPECT_EQ(markdown_to_html("a\xff"), "<p>a\xEF\xBF\xBD</p>\n");
}

}  // namespace
}  // namespace sm::mail
