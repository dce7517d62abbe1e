#include "mail/mime.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail/mime_encoding.hpp"

namespace sm::mail {
namespace {

constexpr Millis kDate = 1796306709000;  // Thu, 03 Dec 2026 14:05:09 UTC

Message basic_message() {
  Message m;
  m.from = {"news@example.org", "Example News"};
  m.to = {{"jane@example.net", "Jane Doe"}};
  m.subject = "Hello";
  m.text_body = "Hi Jane,\nthanks for subscribing.\n";
  return m;
}

std::string render_ok(const Message& m) {
  auto mime = render(m, kDate);
  EXPECT_TRUE(mime.ok()) << (mime.ok() ? "" : mime.error().message);
  return mime.ok() ? *mime : std::string();
}

// The header block, up to the blank line.
std::string headers_of(const std::string& mime) {
  return mime.substr(0, mime.find("\r\n\r\n") + 2);
}

void expect_refused(const Message& m, const std::string& header) {
  auto mime = render(m, kDate);
  ASSERT_FALSE(mime.ok());
  EXPECT_EQ(mime.error().code, Errc::invalid_input);
  EXPECT_NE(mime.error().message.find(header), std::string::npos) << mime.error().message;
}

TEST(RenderDate, IsRfc5322InUtc) {
  EXPECT_EQ(format_rfc5322_date(kDate), "Thu, 03 Dec 2026 14:05:09 +0000");
  EXPECT_EQ(format_rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_rfc5322_date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
}

TEST(Render, PlainMessageHasTheStandardHeadersInOrder) {
  const std::string mime = render_ok(basic_message());
  const std::string h = headers_of(mime);
  std::size_t at = 0;
  for (const char* name :
       {"Date: Thu, 03 Dec 2026 14:05:09 +0000\r\n", "From: Example News <news@example.org>\r\n",
        "To: Jane Doe <jane@example.net>\r\n", "Subject: Hello\r\n", "Message-ID: <",
        "MIME-Version: 1.0\r\n", "Content-Type: text/plain; charset=utf-8\r\n",
        "Content-Transfer-Encoding: quoted-printable\r\n"}) {
    const std::size_t found = h.find(name, at);
    ASSERT_NE(found, std::string::npos) << name << " missing or out of order in\n" << h;
    at = found;
  }
  EXPECT_EQ(h.find("Reply-To"), std::string::npos);
  EXPECT_TRUE(mime.ends_with("\r\n\r\nHi Jane,\r\nthanks for subscribing.\r\n"));
}

TEST(Render, EveryLineEndIsCrlf) {
  Message m = basic_message();
  m.text_body = "one\ntwo\rthree\r\n";
  m.html_body = "<p>one</p>\n";
  const std::string mime = render_ok(m);
  for (std::size_t i = 0; i < mime.size(); ++i) {
    if (mime[i] == '\n') {
      ASSERT_TRUE(i > 0 && mime[i - 1] == '\r') << "bare LF at " << i;
    }
    if (mime[i] == '\r') {
      ASSERT_TRUE(i + 1 < mime.size() && mime[i + 1] == '\n') << "bare CR at " << i;
    }
  }
}

TEST(Render, GeneratesARandomMessageIdInTheSendersDomain) {
  const std::string a = headers_of(render_ok(basic_message()));
  const std::string b = headers_of(render_ok(basic_message()));
  const auto id = [](const std::string& h) {
    const std::size_t start = h.find("Message-ID: <") + 13;
    return h.substr(start, h.find('>', start) - start);
  };
  EXPECT_TRUE(id(a).ends_with("@example.org")) << id(a);
  EXPECT_EQ(id(a).size(), 32 + std::string("@example.org").size());
  EXPECT_NE(id(a), id(b));
}

TEST(Render, KeepsAGivenMessageIdAndRefusesAMalformedOne) {
  Message m = basic_message();
  m.message_id = "<campaign-7.delivery-9@example.org>";
  EXPECT_NE(render_ok(m).find("Message-ID: <campaign-7.delivery-9@example.org>\r\n"),
            std::string::npos);
  m.message_id = "no-brackets@example.org";
  expect_refused(m, "Message-ID");
}

TEST(Render, ReplyToAndSeveralRecipients) {
  Message m = basic_message();
  m.to.push_back({"bob@example.net", ""});
  m.reply_to = {{"help@example.org", "Help, Desk"}};
  const std::string h = headers_of(render_ok(m));
  EXPECT_NE(h.find("To: Jane Doe <jane@example.net>, bob@example.net\r\n"), std::string::npos);
  EXPECT_NE(h.find("Reply-To: \"Help, Desk\" <help@example.org>\r\n"), std::string::npos);
}

TEST(Render, NonAsciiSubjectAndNamesBecomeEncodedWords) {
  Message m = basic_message();
  m.from.display_name = "Caf\xC3\xA9 M\xC3\xBCller";
  m.subject =
      "Gr\xC3\xBC\xC3\x9F"
      "e aus K\xC3\xB6ln";
  const std::string h = headers_of(render_ok(m));
  EXPECT_NE(h.find("From: =?UTF-8?"), std::string::npos) << h;
  EXPECT_NE(h.find("Subject: =?UTF-8?"), std::string::npos) << h;
  for (unsigned char c : h) EXPECT_LT(c, 0x80);
}

TEST(Render, LongHeadersAreFoldedAndNoLineExceeds998) {
  Message m = basic_message();
  for (int i = 0; i < 30; ++i) m.subject += " another word";
  m.headers.push_back({"X-Token", std::string(2000, 'k')});
  for (int i = 0; i < 10; ++i) m.to.push_back({"r" + std::to_string(i) + "@example.net", "R"});
  const std::string mime = render_ok(m);
  EXPECT_LE(longest_line(mime), kHeaderLineLimit);
  const std::string h = headers_of(mime);
  std::size_t start = 0;
  while (start < h.size()) {
    const std::size_t end = h.find("\r\n", start);
    const std::string line = h.substr(start, end - start);
    if (line.find("X-Token") == std::string::npos && !line.starts_with(" =?UTF-8?")) {
      EXPECT_LE(line.size(), kHeaderLineTarget) << line;
    }
    start = end + 2;
  }
}

TEST(Render, BodyLinesStayWithin76) {
  Message m = basic_message();
  m.text_body = std::string(500, 'x') + "\n" + std::string(300, '=');
  const std::string mime = render_ok(m);
  const std::string body = mime.substr(mime.find("\r\n\r\n") + 4);
  EXPECT_LE(longest_line(body), kQuotedPrintableLineLimit);
}

TEST(Render, ExtraHeadersFollowTheStandardOnes) {
  Message m = basic_message();
  m.headers = {{"List-Id", "Weekly <weekly.example.org>"},
               {"List-Unsubscribe", "<https://example.org/u/abc>"}};
  const std::string h = headers_of(render_ok(m));
  const std::size_t list_id = h.find("List-Id: Weekly <weekly.example.org>\r\n");
  ASSERT_NE(list_id, std::string::npos) << h;
  EXPECT_GT(list_id, h.find("MIME-Version"));
  EXPECT_GT(h.find("List-Unsubscribe: <https://example.org/u/abc>\r\n"), list_id);
}

TEST(Render, MultipartAlternativeHasTextThenHtml) {
  Message m = basic_message();
  m.text_body = "Plain =_sm_ text";
  m.html_body = "<p>Caf\xC3\xA9</p>";
  const std::string mime = render_ok(m);
  const std::string key = "boundary=\"";
  const std::size_t at = mime.find(key);
  ASSERT_NE(at, std::string::npos);
  const std::string boundary =
      mime.substr(at + key.size(), mime.find('"', at + key.size()) - at - key.size());
  EXPECT_TRUE(boundary.starts_with("=_sm_"));
  EXPECT_NE(headers_of(mime).find("Content-Type: multipart/alternative;"), std::string::npos);

  const std::string delimiter = "\r\n--" + boundary + "\r\n";
  const std::size_t first = mime.find(delimiter);
  const std::size_t second = mime.find(delimiter, first + 1);
  const std::size_t close = mime.find("\r\n--" + boundary + "--\r\n");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(close, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, close);
  const std::string text_part = mime.substr(first, second - first);
  const std::string html_part = mime.substr(second, close - second);
  EXPECT_NE(text_part.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(text_part.find("Plain =3D_sm_ text"), std::string::npos);
  EXPECT_NE(html_part.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(html_part.find("<p>Caf=C3=A9</p>"), std::string::npos);
  EXPECT_EQ(mime.find(boundary, close + boundary.size() + 4), std::string::npos);
}

TEST(Render, BoundariesDiffer) {
  Message m = basic_message();
  m.html_body = "<p>x</p>";
  const std::string a = render_ok(m);
  const std::string b = render_ok(m);
  EXPECT_NE(a.substr(a.find("boundary=")), b.substr(b.find("boundary=")));
}

TEST(HeaderInjection, SubjectWithLineBreakIsRefused) {
  for (const char* bad :
       {"Hi\r\nBcc: victim@example.com", "Hi\nX: y", "Hi\rX", "tab\there", "nul", "del\x7F"}) {
    Message m = basic_message();
    m.subject = bad;
    if (std::string(bad) == "nul") m.subject = std::string("a\0b", 3);
    expect_refused(m, "Subject");
  }
}

TEST(HeaderInjection, DisplayNamesAndAddressesAreChecked) {
  Message m = basic_message();
  m.to[0].display_name = "Jane\r\nBcc: victim@example.com";
  expect_refused(m, "To");

  m = basic_message();
  m.from.display_name = "News\n";
  expect_refused(m, "From");

  m = basic_message();
  m.reply_to = {{"help@example.org\r\nBcc: x@example.com", ""}};
  expect_refused(m, "Reply-To");

  m = basic_message();
  m.to[0].address = "jane@example.net>, evil@example.com";
  expect_refused(m, "To");
}

TEST(HeaderInjection, ExtraHeaderValuesAndNamesAreChecked) {
  Message m = basic_message();
  m.headers = {{"List-Id", "weekly\r\nBcc: victim@example.com"}};
  expect_refused(m, "List-Id");

  for (const char* name : {"", "X Bad", "X:Bad", "X-\xC3\xA9", "X-\r\nBcc"}) {
    m = basic_message();
    m.headers = {{name, "v"}};
    expect_refused(m, "extra header name");
  }
}

TEST(HeaderInjection, ExtraHeadersCannotReplaceTheMailersOwn) {
  for (const char* name : {"From", "subject", "CONTENT-TYPE", "Message-Id"}) {
    Message m = basic_message();
    m.headers = {{name, "x"}};
    expect_refused(m, "cannot be set as an extra header");
  }
}

TEST(Render, RefusesInvalidUtf8) {
  Message m = basic_message();
  m.subject = "bad \xC3";
  expect_refused(m, "Subject");
  m = basic_message();
  m.html_body = "\xFF";
  expect_refused(m, "HTML body");
}

TEST(Render, NeedsASenderAndARecipient) {
  Message m = basic_message();
  m.from = {};
  expect_refused(m, "From");
  m = basic_message();
  m.to.clear();
  expect_refused(m, "recipient");
}

TEST(AddressDomain, IsThePartAfterTheAt) {
  EXPECT_EQ(address_domain("jane@example.org"), "example.org");
  EXPECT_EQ(address_domain("nobody"), "");
}

}  // namespace
}  // namespace sm::mail
