// Rendered messages, read back by Python's email package: no defects, and the same text.
#include <gtest/gtest.h>

#include <string>

#include "mail/mime.hpp"
#include "python_tools.hpp"
#include "support/scratch_dir.hpp"

namespace sm::mail {
namespace {

using sm::testing::check_mime;
using sm::testing::read_with_python;

constexpr Millis kDate = 1796306709000;

class MimeCheck : public ::testing::Test {
 protected:
  // Renders `m`, requires check_mime.py to find nothing, and returns Python's reading of it.
  nlohmann::json render_and_check(const Message& m) {
    auto mime = render(m, kDate);
    EXPECT_TRUE(mime.ok()) << (mime.ok() ? "" : mime.error().message);
    if (!mime.ok()) return {};
    const auto path = dir_.path() / ("m" + std::to_string(++count_) + ".eml");
    sm::testing::write_text(path, *mime);
    const auto verdict = check_mime(path);
    EXPECT_EQ(verdict.exit_code, 0) << verdict.output << "\n" << *mime;
    EXPECT_EQ(verdict.output, "ok\n");
    return read_with_python(path);
  }

  sm::testing::ScratchDir dir_;
  int count_ = 0;
};

Message ascii_message() {
  Message m;
  m.from = {"news@example.org", "Example News"};
  m.to = {{"jane@example.net", "Jane Doe"}};
  m.subject = "Your weekly digest";
  m.text_body = "Hello Jane,\n\nHere is what happened this week.\n";
  return m;
}

TEST_F(MimeCheck, AsciiMessage) {
  const auto seen = render_and_check(ascii_message());
  EXPECT_EQ(seen["subject"], "Your weekly digest");
  EXPECT_EQ(seen["from"][0][0], "Example News");
  EXPECT_EQ(seen["from"][0][1], "news@example.org");
  EXPECT_EQ(seen["content_type"], "text/plain");
  EXPECT_EQ(seen["text"], "Hello Jane,\n\nHere is what happened this week.\n");
}

TEST_F(MimeCheck, Utf8SubjectAndNames) {
  Message m = ascii_message();
  m.from.display_name = "Caf\xC3\xA9 M\xC3\xBCller & S\xC3\xB6hne";
  m.to = {{"jane@example.net", "J\xC3\xB6rg \"JJ\" O'Neil, Jr."},
          {"kenji@example.jp", "\xE5\xB1\xB1\xE7\x94\xB0 \xE5\x81\xA5\xE5\x8F\xB8"},
          {"plain@example.com", ""}};
  m.reply_to = {{"help@example.org", "Help, Desk (EU)"}};
  std::string subject =
      "Gr\xC3\xBC\xC3\x9F"
      "e \xE2\x80\x94 ";
  for (int i = 0; i < 12; ++i) subject += "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x93\xA7 ";
  m.subject = subject;
  m.headers = {{"X-Campaign", "Fr\xC3\xBChling 2026"}};

  const auto seen = render_and_check(m);
  EXPECT_EQ(seen["subject"], subject);
  EXPECT_EQ(seen["from"][0][0], m.from.display_name);
  EXPECT_EQ(seen["to"][0][0], m.to[0].display_name);
  EXPECT_EQ(seen["to"][1][0], m.to[1].display_name);
  EXPECT_EQ(seen["to"][2][1], "plain@example.com");
  EXPECT_EQ(seen["reply_to"][0][0], "Help, Desk (EU)");
  EXPECT_EQ(seen["extra"]["X-Campaign"], "Fr\xC3\xBChling 2026");
}

TEST_F(MimeCheck, LongLinesAndAwkwardText) {
  Message m = ascii_message();
  m.subject = std::string(1500, 's');
  m.text_body = std::string(2000, 'x') + "\n" + std::string(100, '=') + "  \n.leading dot\n" +
                "From the start\ntrailing tab\t\n\xC3\xA9" + std::string(300, ' ') + "\xC3\xA9";
  m.headers = {{"X-Long", std::string(1200, 'k') + " and words " + std::string(80, 'w')}};
  const auto seen = render_and_check(m);
  EXPECT_EQ(seen["subject"], m.subject);
  EXPECT_EQ(seen["text"], m.text_body + "\n");
}

TEST_F(MimeCheck, HtmlAlternative) {
  Message m = ascii_message();
  m.html_body =
      "<!doctype html><html><body><p style=\"color: #333\">Hello <b>Jane</b> \xE2\x80\x94 "
      "caf\xC3\xA9</p>" +
      std::string(400, 'h') +
      "\n<a href=\"https://example.org/?a=1&b=2\">x</a>"
      "</body></html>\n";
  const auto seen = render_and_check(m);
  EXPECT_EQ(seen["content_type"], "multipart/alternative");
  EXPECT_EQ(seen["text"], m.text_body);
  EXPECT_EQ(seen["html"], m.html_body);
}

TEST_F(MimeCheck, EmptyBodies) {
  Message m = ascii_message();
  m.text_body.clear();
  render_and_check(m);
  m.html_body = "<p>only html</p>";
  const auto seen = render_and_check(m);
  EXPECT_EQ(seen["html"], "<p>only html</p>");
}

TEST_F(MimeCheck, TheCheckerFindsBrokenMessages) {
  const auto path = dir_.path() / "broken.eml";
  sm::testing::write_text(
      path, "From: a@example.org\nSubject: bare LF\n\n" + std::string(1200, 'x') + "\n");
  const auto verdict = check_mime(path);
  EXPECT_EQ(verdict.exit_code, 1) << verdict.output;
  EXPECT_NE(verdict.output.find("CRLF"), std::string::npos) << verdict.output;
  EXPECT_NE(verdict.output.find("limit 998"), std::string::npos) << verdict.output;
}

}  // namespace
}  // namespace sm::mail
