// The plain-text part generated from a campaign's HTML.
#include "mail/html_to_text.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace sm::mail {
namespace {

TEST(HtmlToText, SeparatesParagraphsAndKeepsLineBreaks) {
  EXPECT_EQ(html_to_text("<p>One\n   two</p><p>Three<br>four</p>"), "One two\n\nThree\nfour\n");
  EXPECT_EQ(html_to_text("<div>a</div><div>b</div>"), "a\nb\n");
}

TEST(HtmlToText, WritesListsWithBulletsAndNumbers) {
  EXPECT_EQ(html_to_text("<p>Intro</p><ul><li>one</li><li>two<ul><li>deep</li></ul></li></ul>"
                         "<ol start=\"3\"><li>three</li><li>four</li></ol>"),
            "Intro\n\n- one\n- two\n  - deep\n\n3. three\n4. four\n");
}

TEST(HtmlToText, WritesLinksWithTheirUrlOnce) {
  EXPECT_EQ(html_to_text("<p><a href=\"https://example.org/a\">Read</a>, "
                         "<a href=\"https://example.org\">https://example.org</a>, "
                         "<a href=\"mailto:hi@example.org\">hi@example.org</a>, "
                         "<a href=\"#top\">top</a>, <a href=\"{{unsubscribe_url}}\">stop</a></p>"),
            "Read (https://example.org/a), https://example.org, hi@example.org, top, stop\n"
            "({{unsubscribe_url}})\n");
}

TEST(HtmlToText, UnderlinesHeadings) {
  EXPECT_EQ(html_to_text("<h1>Big news</h1><h2>Détails</h2><p>x</p>"),
            "Big news\n========\n\nDétails\n-------\n\nx\n");
}

TEST(HtmlToText, WritesTablesRowByRow) {
  EXPECT_EQ(html_to_text("<table><tr><th>Name</th><th>Price</th></tr>"
                         "<tr><td>Tea</td><td>&pound;2</td></tr></table><p>after</p>"),
            "Name | Price\nTea | \xC2\xA3"
            "2\n\nafter\n");
  // A layout table of one cell per row is just its text.
  EXPECT_EQ(html_to_text("<table><tr><td><p>a</p></td></tr><tr><td>b</td></tr></table>"),
            "a\n\nb\n");
}

TEST(HtmlToText, DecodesEntitiesAndQuotes) {
  EXPECT_EQ(html_to_text("<blockquote><p>&lt;Fish &amp; chips&gt;</p><p>&quot;ok&quot;</p>"
                         "</blockquote>"),
            "> <Fish & chips>\n>\n> \"ok\"\n");
}

TEST(HtmlToText, KeepsPreformattedText) {
  EXPECT_EQ(html_to_text("<pre>a  b\n  c</pre>"), "a  b\n  c\n");
}

TEST(HtmlToText, IgnoresScriptsStylesAndImagesWithoutAlt) {
  EXPECT_EQ(html_to_text("<style>p{}</style><script>x</script><p>a <img src=x> "
                         "<img src=y alt=\"Logo\"> b</p>"),
            "a Logo b\n");
}

TEST(HtmlToText, WrapsAt76ColumnsWithoutTrailingSpaces) {
  std::string words;
  for (int i = 0; i < 60; ++i) words += "word ";
  std::string long_url = "https://example.org/" + std::string(90, 'x');
  std::string text = html_to_text("<p>" + words + "&nbsp; </p><ul><li>" + words +
                                  "</li></ul>"
                                  "<p><a href=\"" +
                                  long_url + "\">link</a></p>");
  std::istringstream lines(text);
  bool saw_url = false;
  for (std::string line; std::getline(lines, line);) {
    if (line == "(" + long_url + ")") {
      saw_url = true;
      continue;
    }
    EXPECT_LE(line.size(), 76u) << line;
    EXPECT_FALSE(line.ends_with(' ')) << line;
  }
  EXPECT_TRUE(saw_url) << text;
  EXPECT_NE(text.find("\n  word"), std::string::npos) << "list lines continue indented";
}

TEST(HtmlToText, EmptyInputIsEmpty) {
  EXPECT_EQ(html_to_text(""), "");
  EXPECT_EQ(html_to_text("<p> </p><div></div>"), "");
}

}  // namespace
}  // namespace sm::mail
