#include <gtest/gtest.h>

#include <string>

#include "mail/outbox_transport.hpp"
#include "mail/smtp_transport.hpp"
#include "mail/transport.hpp"

namespace sm::mail {
namespace {

std::string url_error(const std::string& url) {
  auto parsed = parse_smtp_url(url);
  EXPECT_FALSE(parsed.ok()) << url;
  if (parsed.ok()) return {};
  EXPECT_EQ(parsed.error().code, Errc::invalid_input);
  return parsed.error().message;
}

TEST(SmtpUrl, PlainHostAndPort) {
  auto parsed = parse_smtp_url("smtp://relay.example.org:2525");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->implicit_tls);
  EXPECT_TRUE(parsed->user.empty());
  EXPECT_TRUE(parsed->url.starts_with("smtp://relay.example.org:2525")) << parsed->url;
}

TEST(SmtpUrl, CredentialsAreDecodedAndKeptOutOfTheUrl) {
  auto parsed = parse_smtp_url("smtps://mailer:p%40ss%3Aword@relay.example.org:465");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->implicit_tls);
  EXPECT_EQ(parsed->user, "mailer");
  EXPECT_EQ(parsed->password, "p@ss:word");
  EXPECT_EQ(parsed->url.find("mailer"), std::string::npos) << parsed->url;
  EXPECT_EQ(parsed->url.find("ss"), std::string::npos) << parsed->url;
}

TEST(SmtpUrl, SchemeIsCaseInsensitive) { EXPECT_TRUE(parse_smtp_url("SMTP://relay").ok()); }

TEST(SmtpUrl, WrongSchemeIsNamed) {
  EXPECT_EQ(url_error("http://relay.example.org"),
            "mail.smtp_url must start with smtp:// or smtps://.");
  EXPECT_EQ(url_error("relay.example.org:25"),
            "mail.smtp_url must start with smtp:// or smtps://.");
}

TEST(SmtpUrl, OtherMistakesAreNamed) {
  EXPECT_NE(url_error("smtp://").find("mail.smtp_url"), std::string::npos);
  EXPECT_NE(url_error("smtp://relay:99999").find("port"), std::string::npos);
  EXPECT_NE(url_error("smtp://relay?x=1").find("query"), std::string::npos);
  EXPECT_NE(url_error("smtp://user@relay").find("password"), std::string::npos);
}

TEST(SmtpUrl, ErrorsNeverRepeatThePassword) {
  const std::string message = url_error("smtp://u:hunter2@relay:0x?q=1");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(MakeTransport, EmptyUrlMeansOutbox) {
  auto transport = make_transport("", "/tmp/does-not-matter");
  ASSERT_TRUE(transport.ok());
  EXPECT_NE(dynamic_cast<OutboxTransport*>(transport->get()), nullptr);
}

TEST(MakeTransport, UrlMeansSmtp) {
  auto transport = make_transport("smtp://127.0.0.1:2525", "");
  ASSERT_TRUE(transport.ok());
  EXPECT_NE(dynamic_cast<SmtpTransport*>(transport->get()), nullptr);
}

TEST(MakeTransport, BadUrlIsAnError) {
  auto transport = make_transport("smtpx://relay", "/tmp/x");
  ASSERT_FALSE(transport.ok());
  EXPECT_EQ(transport.error().code, Errc::invalid_input);
}

TEST(SmtpTransport, RefusesEnvelopeAddressesThatCouldInjectCommands) {
  auto transport = SmtpTransport::create("smtp://127.0.0.1:1");
  ASSERT_TRUE(transport.ok());
  for (const Envelope& bad :
       {Envelope{"a@example.org\r\nRCPT TO:<x@example.com>", {"b@example.org"}},
        Envelope{"a@example.org", {"b@example.org>"}}, Envelope{"a@example.org", {}},
        Envelope{"a@example.org", {""}}}) {
    Status sent = (*transport)->send(bad, "Subject: x\r\n\r\nx\r\n");
    ASSERT_FALSE(sent.ok());
    EXPECT_EQ(sent.error().code, Errc::invalid_input);
  }
}

TEST(SmtpTransport, RefusedConnectionIsRetryable) {
  // Port 1 on loopback has no listener in a test environment.
  auto transport = SmtpTransport::create("smtp://127.0.0.1:1");
  ASSERT_TRUE(transport.ok());
  Status sent = (*transport)->send({"a@example.org", {"b@example.org"}}, "x\r\n");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::unavailable);
  EXPECT_NE(sent.error().detail.find("curl_code="), std::string::npos);
}

}  // namespace
}  // namespace sm::mail
