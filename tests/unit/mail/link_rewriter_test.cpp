// The link rewriter: which links are trackable, that replacing them changes the href bytes
// and nothing else, and the analytics parameters merged into existing queries and fragments.
#include "mail/link_rewriter.hpp"

#include <gtest/gtest.h>

#include "mail/utm_parameters.hpp"

namespace sm::mail {
namespace {

std::vector<std::string> urls_of(std::string_view html) {
  std::vector<std::string> out;
  for (const auto& l : find_trackable_links(html)) out.push_back(l.url);
  return out;
}

TEST(LinkRewriter, FindsWebLinksInSourceOrder) {
  std::string html =
      "<p><a href=\"https://a.example/one\">1</a> <a href='http://b.example/two?x=1&amp;y=2'>2"
      "</a></p><table><tr><td><a href=HTTPS://c.example/>3</a></td></tr></table>";
  EXPECT_EQ(urls_of(html),
            (std::vector<std::string>{"https://a.example/one", "http://b.example/two?x=1&y=2",
                                      "HTTPS://c.example/"}));
}

TEST(LinkRewriter, LeavesOutWhatCannotOrMustNotBeTracked) {
  std::string html =
      "<a href=\"mailto:x@example.org\">m</a>"
      "<a href=\"#top\">anchor</a>"
      "<a href=\"/relative\">rel</a>"
      "<a href=\"tel:+441234\">tel</a>"
      "<a data-no-track href=\"https://private.example/\">no</a>"
      "<a href=\"https://shop.example/?u={{subscriber.id}}\">merge</a>"
      "<a href=\"{{unsubscribe_url}}\">leave</a>"
      "<a href=\"javascript:alert(1)\">js</a>"
      "<a href=\"https://bad.example/&#1;x\">control</a>"
      "<a>no href</a><area href=\"https://area.example/\">"
      "<a href=\"https://kept.example/\">kept</a>";
  EXPECT_EQ(urls_of(html), (std::vector<std::string>{"https://kept.example/"}));
}

TEST(LinkRewriter, ReadsTheDestinationAsABrowserDoes) {
  EXPECT_EQ(urls_of("<a href=\"  https://a.example/pa\tth\n?q=1  \">x</a>"),
            (std::vector<std::string>{"https://a.example/path?q=1"}));
  EXPECT_EQ(urls_of("<a href=\"https://a.example/caf\xc3\xa9 menu\">x</a>"),
            (std::vector<std::string>{"https://a.example/caf%C3%A9%20menu"}));
}

TEST(LinkRewriter, ReplacesOnlyTheHrefValues) {
  std::string html =
      "<!-- keep --><p class=x>Hi {{subscriber.first_name}},</p>\n"
      "<a title=\"t\" href='https://a.example/1' class=\"btn\">One</a>\n"
      "<a href=https://b.example/2>Two</a><a href=\"mailto:m@example.org\">Mail</a>";
  auto links = find_trackable_links(html);
  ASSERT_EQ(links.size(), 2u);
  std::string out =
      replace_links(html, links, {"https://t.example/l/A&B", "https://t.example/l/C"});
  EXPECT_EQ(out,
            "<!-- keep --><p class=x>Hi {{subscriber.first_name}},</p>\n"
            "<a title=\"t\" href=\"https://t.example/l/A&amp;B\" class=\"btn\">One</a>\n"
            "<a href=\"https://t.example/l/C\">Two</a><a href=\"mailto:m@example.org\">Mail</a>");
}

TEST(LinkRewriter, ReplacesASubsetAndLeavesTheRest) {
  std::string html = "<a href=\"https://a.example/\">a</a><a href=\"https://b.example/\">b</a>";
  auto links = find_trackable_links(html);
  ASSERT_EQ(links.size(), 2u);
  std::vector<TrackableLink> second{links[1]};
  EXPECT_EQ(replace_links(html, second, {"X"}),
            "<a href=\"https://a.example/\">a</a><a href=\"X\">b</a>");
}

TEST(LinkRewriter, ACloneFromBadNestingCountsOnce) {
  // The parser's adoption agency clones the <a> into the next paragraph.
  std::string html = "<a href=\"https://a.example/\"><p>one</a>two</p>";
  auto links = find_trackable_links(html);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(replace_links(html, links, {"Z"}), "<a href=\"Z\"><p>one</a>two</p>");
}

TEST(LinkRewriter, SurvivesDeepNesting) {
  std::string html;
  for (int i = 0; i < 5000; ++i) html += "<div>";
  html += "<a href=\"https://deep.example/\">x</a>";
  EXPECT_EQ(urls_of(html), (std::vector<std::string>{"https://deep.example/"}));
}

const UtmParameters kUtm{"newsletter", "email", "Spring sale & more"};

TEST(UtmParameters, AddsAQueryWhenThereIsNone) {
  EXPECT_EQ(add_utm_parameters("https://shop.example/p", kUtm),
            "https://shop.example/p?utm_source=newsletter&utm_medium=email&"
            "utm_campaign=Spring%20sale%20%26%20more");
}

TEST(UtmParameters, KeepsTheQueryAndTheFragment) {
  EXPECT_EQ(add_utm_parameters("https://shop.example/p?size=m&colour=red#reviews", kUtm),
            "https://shop.example/p?size=m&colour=red&utm_source=newsletter&utm_medium=email&"
            "utm_campaign=Spring%20sale%20%26%20more#reviews");
  EXPECT_EQ(add_utm_parameters("https://shop.example/#top", kUtm),
            "https://shop.example/?utm_source=newsletter&utm_medium=email&"
            "utm_campaign=Spring%20sale%20%26%20more#top");
  EXPECT_EQ(add_utm_parameters("https://shop.example/p?#a?b", kUtm),
            "https://shop.example/p?utm_source=newsletter&utm_medium=email&"
            "utm_campaign=Spring%20sale%20%26%20more#a?b");
  EXPECT_EQ(add_utm_parameters("https://shop.example/p?a=1&", kUtm),
            "https://shop.example/p?a=1&utm_source=newsletter&utm_medium=email&"
            "utm_campaign=Spring%20sale%20%26%20more");
}

TEST(UtmParameters, LeavesTheAuthorsOwnParametersAlone) {
  EXPECT_EQ(add_utm_parameters("https://s.example/?utm_source=blog&x=1", kUtm),
            "https://s.example/?utm_source=blog&x=1&utm_medium=email&"
            "utm_campaign=Spring%20sale%20%26%20more");
  EXPECT_EQ(add_utm_parameters("https://s.example/?utm_source=a&utm_medium=b&utm_campaign=c", kUtm),
            "https://s.example/?utm_source=a&utm_medium=b&utm_campaign=c");
}

TEST(UtmParameters, AddsNothingEmpty) {
  EXPECT_EQ(add_utm_parameters("https://s.example/", {"", "", ""}), "https://s.example/");
  EXPECT_EQ(add_utm_parameters("https://s.example/", {"", "email", ""}),
            "https://s.example/?utm_medium=email");
}

TEST(UtmParameters, EncodesEverythingButUnreservedCharacters) {
  EXPECT_EQ(percent_encode_query_value("A-z_0.9~ é/?#&="), "A-z_0.9~%20%C3%A9%2F%3F%23%26%3D");
}

}  // namespace
}  // namespace sm::mail
