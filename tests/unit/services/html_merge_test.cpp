// Sanitised HTML prepared for merging, and the URL check after the merge.
#include "services/html_merge.hpp"

#include <gmock/gmock.h>

#include "core/html_escape.hpp"
#include "core/template.hpp"
#include "mail/html_sanitizer.hpp"

namespace sm::services {
namespace {

using ::testing::HasSubstr;

// The sanitised HTML of `html`, prepared, rendered with `data`, and finished.
std::string merged(std::string_view html, const TemplateValue& data, int* neutralised = nullptr) {
  auto prepared = prepare_merge_html(mail::sanitize_html(html).html);
  EXPECT_TRUE(prepared.ok()) << prepared.error().message;
  if (!prepared.ok()) return {};
  auto parsed = ParsedTemplate::parse(*prepared);
  EXPECT_TRUE(parsed.ok());
  auto out = finish_merged_html(parsed->render(data));
  EXPECT_TRUE(out.ok());
  if (neutralised) *neutralised = out->neutralised;
  return out->html;
}

std::string refusal(std::string_view html) {
  auto prepared = prepare_merge_html(mail::sanitize_html(html).html);
  if (prepared.ok()) return "ok";
  EXPECT_EQ(prepared.error().field, "body");
  return prepared.error().message;
}

TemplateValue with_site(std::string site) {
  TemplateValue sub;
  sub.set("site", std::move(site));
  TemplateValue data;
  data.set("subscriber", std::move(sub));
  return data;
}

TEST(HtmlMerge, KeepsSafeUrlsAndMarkupAsTheyWere) {
  int n = -1;
  EXPECT_EQ(merged("<p><a href=\"https://example.org/?a=1&amp;b=2\">x</a> "
                   "<img src=\"https://example.org/i.png\" alt=\"\"></p>",
                   {}, &n),
            "<p><a href=\"https://example.org/?a=1&amp;b=2\">x</a> "
            "<img src=\"https://example.org/i.png\" alt=\"\"></p>");
  EXPECT_EQ(n, 0);
  EXPECT_EQ(merged("<a href=\"{{subscriber.site}}\">me</a>", with_site("https://jane.example/")),
            "<a href=\"https://jane.example/\">me</a>");
}

TEST(HtmlMerge, AValueCannotMakeAnUnsafeUrl) {
  for (const char* evil : {"javascript:alert(1)", "  JAVASCRIPT:alert(1)", "vbscript:x",
                           "data:text/html,x", "foo:bar"}) {
    int n = 0;
    std::string html =
        merged("<a href=\"{{subscriber.site}}\">me</a><img src=\"{{subscriber.site}}\">",
               with_site(evil), &n);
    EXPECT_EQ(html, "<a href=\"#\">me</a><img src=\"\">") << evil;
    EXPECT_EQ(n, 2) << evil;
  }
  // A character reference in a value stays text: the browser reads "&#106;..." there, a
  // relative URL with a fragment, not "javascript:".
  EXPECT_EQ(merged("<a href=\"{{subscriber.site}}\">me</a>", with_site("&#106;avascript:alert(1)")),
            "<a href=\"&amp;#106;avascript:alert(1)\">me</a>");
  // A value in the middle of a URL whose scheme is written in the template is harmless.
  EXPECT_EQ(merged("<a href=\"https://x.example/?q={{subscriber.site}}\">q</a>",
                   with_site("javascript:alert(1)\"onclick=\"x")),
            "<a href=\"https://x.example/?q=javascript:alert(1)&quot;onclick=&quot;x\">q</a>");
  // Sections inside one URL are fine and checked as rendered.
  TemplateValue vip = with_site("x");
  vip.set("vip", true);
  EXPECT_EQ(
      merged("<a href=\"{{#vip}}https://vip.example{{/vip}}{{^vip}}javascript:x{{/vip}}\">v</a>",
             vip),
      "<a href=\"https://vip.example\">v</a>");
}

TEST(HtmlMerge, SectionsMustStayInOneElementOrAttribute) {
  EXPECT_EQ(refusal("<p>{{#vip}}a <b>b</b> c{{/vip}}</p>"), "ok");
  EXPECT_EQ(refusal("<p>{{#vip}}</p><p>VIP</p><p>{{/vip}}</p>"), "ok") << "lone tags unwrap";
  EXPECT_EQ(refusal("<div>{{#vip}}<p>VIP</p>{{/vip}}</div>"), "ok");
  EXPECT_THAT(refusal("<div>{{#vip}}</div><div>{{/vip}}</div>"),
              HasSubstr("{{#vip}} and {{/vip}} must be in the same paragraph"));
  EXPECT_THAT(refusal("<p>{{#vip}}<b>bold{{/vip}}</b></p>"), HasSubstr("must be in the same"));
  EXPECT_THAT(refusal("<a title=\"{{#vip}}\" href=\"https://x.example\">x</a>{{/vip}}"),
              HasSubstr("must be in the same"));
  EXPECT_THAT(refusal("<p>{{#vip}} never closed</p>"), HasSubstr("{{#vip}} is not closed"));
  EXPECT_THAT(refusal("<p>{{/vip}}</p>"), HasSubstr("closes a section that was not opened"));
  EXPECT_EQ(refusal("<style>p { color: red }</style><p>{{vip}}</p>"), "ok");
  EXPECT_THAT(refusal("<style>p { color: {{vip}} }</style>"),
              HasSubstr("Merge tags cannot be used inside <style>"));
  EXPECT_THAT(refusal("<p>{{! a comment <b>spanning</b> markup }}</p>"),
              HasSubstr("is not closed within the same text or link"));
  EXPECT_THAT(refusal("<p>{{{vip}}}</p>"), HasSubstr("without escaping"));
}

TEST(HtmlMerge, UnpairedMarkersAreRefused) {
  EXPECT_FALSE(finish_merged_html("<a href=\"\x01javascript:x\">").ok());
  EXPECT_FALSE(finish_merged_html("x\x02y").ok());
  EXPECT_FALSE(finish_merged_html("\x01a\x03b\x02").ok());
  EXPECT_TRUE(finish_merged_html("plain").ok());
}

TEST(HtmlMerge, EscapingRoundTrips) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_unescape("&lt;&gt;&amp;&quot;&apos;&#106;&#x6A;&#X6a;&amp;amp;&bogus;&#;"),
            "<>&\"'jjj&amp;&bogus;&#;");
  EXPECT_EQ(html_unescape("&#0;&#x110000;&#xD800;"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(html_unescape(html_escape("a<b>&\"'c")), "a<b>&\"'c");
}

}  // namespace
}  // namespace sm::services
