// SmtpTransport against a real SMTP server (aiosmtpd, through SmtpCapture) on loopback.
#include "mail/smtp_transport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "mail/mailer.hpp"
#include "mail/mime.hpp"
#include "support/smtp_capture.hpp"

namespace sm::mail {
namespace {

using namespace std::chrono_literals;
using sm::testing::SmtpCapture;

constexpr auto kArrival = 10s;

std::unique_ptr<SmtpTransport> transport_for(const std::string& url, SmtpOptions options = {}) {
  auto transport = SmtpTransport::create(url, options);
  EXPECT_TRUE(transport.ok()) << (transport.ok() ? "" : transport.error().message);
  return transport.ok() ? std::move(*transport) : nullptr;
}

std::string sample_mime(const std::string& subject) {
  Message m;
  m.from = {"news@example.org", "Example News"};
  m.to = {{"jane@example.net", "Jane"}};
  m.subject = subject;
  // A line starting with a dot checks dot-stuffing in both directions.
  m.text_body = "Hello\n.just a dot line\n..two dots\n.\nend\n";
  m.html_body = "<p>Caf\xC3\xA9</p>";
  auto mime = render(m, 1796306709000);
  EXPECT_TRUE(mime.ok());
  return mime.ok() ? *mime : std::string();
}

TEST(SmtpTransportIntegration, EnvelopeAndContentArriveIntact) {
  SmtpCapture capture;
  auto transport = transport_for(capture.url());
  const std::string mime = sample_mime("Intact");
  const Envelope envelope{"bounces+d42@example.org", {"jane@example.net", "bob@example.net"}};

  Status sent = transport->send(envelope, mime);
  ASSERT_TRUE(sent.ok()) << sent.error().message << " " << sent.error().detail;
  ASSERT_TRUE(capture.wait_for(1, kArrival));
  const auto got = capture.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].mail_from, envelope.mail_from);
  EXPECT_EQ(got[0].rcpt_tos, envelope.recipients);
  EXPECT_TRUE(got[0].raw == mime) << got[0].raw;
}

TEST(SmtpTransportIntegration, NullReversePathForBounces) {
  SmtpCapture capture;
  auto transport = transport_for(capture.url());
  ASSERT_TRUE(transport->send({"", {"jane@example.net"}}, sample_mime("Null sender")).ok());
  ASSERT_TRUE(capture.wait_for(1, kArrival));
  EXPECT_EQ(capture.messages()[0].mail_from, "");
}

TEST(SmtpTransportIntegration, ReusesOneSessionForSeveralMessages) {
  SmtpCapture capture;
  auto transport = transport_for(capture.url());
  for (int i = 0; i < 5; ++i) {
    Status sent = transport->send({"news@example.org", {"jane@example.net"}},
                                  sample_mime("Reuse " + std::to_string(i)));
    ASSERT_TRUE(sent.ok()) << sent.error().detail;
  }
  ASSERT_TRUE(capture.wait_for(5, kArrival));
  for (const auto& m : capture.messages()) EXPECT_EQ(m.connection, 1) << "a second session";
}

TEST(SmtpTransportIntegration, ConcurrentSendsUseAtMostThePoolSize) {
  SmtpCapture capture;
  SmtpOptions options;
  options.max_connections = 3;
  auto transport = transport_for(capture.url(), options);
  const std::string mime = sample_mime("Concurrent");
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        Status sent = transport->send({"news@example.org", {"jane@example.net"}}, mime);
        EXPECT_TRUE(sent.ok()) << (sent.ok() ? "" : sent.error().detail);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(capture.wait_for(30, kArrival));
  std::set<int> sessions;
  for (const auto& m : capture.messages()) {
    sessions.insert(m.connection);
    EXPECT_TRUE(m.raw == mime);
  }
  EXPECT_LE(sessions.size(), 3u);
}

TEST(SmtpTransportIntegration, TemporaryRejectionIsRetryable) {
  SmtpCapture capture(SmtpCapture::Options{451, ""});
  auto transport = transport_for(capture.url());
  Status sent = transport->send({"news@example.org", {"jane@example.net"}}, sample_mime("4xx"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::unavailable);
  EXPECT_NE(sent.error().message.find("451"), std::string::npos) << sent.error().message;
  EXPECT_NE(sent.error().detail.find("smtp_reply=451"), std::string::npos);
}

TEST(SmtpTransportIntegration, PermanentRejectionIsInvalidInput) {
  SmtpCapture capture(SmtpCapture::Options{554, ""});
  auto transport = transport_for(capture.url());
  Status sent = transport->send({"news@example.org", {"jane@example.net"}}, sample_mime("5xx"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::invalid_input);
  EXPECT_NE(sent.error().detail.find("smtp_reply=554"), std::string::npos);
  // The addresses must not leak into what the caller will log.
  EXPECT_EQ(sent.error().detail.find("jane@"), std::string::npos) << sent.error().detail;
  EXPECT_EQ(sent.error().message.find("jane@"), std::string::npos);
}

TEST(SmtpTransportIntegration, HandleStaysUsableAfterARejection) {
  SmtpCapture capture(SmtpCapture::Options{451, ""});
  auto transport = transport_for(capture.url());
  for (const char* subject : {"first", "second"}) {
    Status sent = transport->send({"a@example.org", {"b@example.org"}}, sample_mime(subject));
    ASSERT_FALSE(sent.ok());
    EXPECT_EQ(sent.error().code, Errc::unavailable) << sent.error().detail;
    EXPECT_NE(sent.error().detail.find("smtp_reply=451"), std::string::npos);
  }
}

TEST(SmtpTransportIntegration, StoppedRelayIsRetryable) {
  std::string url;
  {
    SmtpCapture capture;
    url = capture.url();
  }
  auto transport = transport_for(url);
  Status sent = transport->send({"a@example.org", {"b@example.org"}}, sample_mime("down"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::unavailable);
}

TEST(SmtpTransportIntegration, AuthenticatesWithTheUrlsCredentials) {
  SmtpCapture capture(SmtpCapture::Options{0, "mailer:s3cr%t"});
  const std::string url = "smtp://mailer:s3cr%25t@127.0.0.1:" + std::to_string(capture.port());
  auto transport = transport_for(url);
  Status sent = transport->send({"a@example.org", {"b@example.org"}}, sample_mime("auth"));
  ASSERT_TRUE(sent.ok()) << sent.error().detail;
  ASSERT_TRUE(capture.wait_for(1, kArrival));
  EXPECT_EQ(capture.messages()[0].auth_login, "mailer");
}

TEST(SmtpTransportIntegration, WrongPasswordIsUnauthorized) {
  SmtpCapture capture(SmtpCapture::Options{0, "mailer:right"});
  const std::string url = "smtp://mailer:wrong@127.0.0.1:" + std::to_string(capture.port());
  auto transport = transport_for(url);
  Status sent = transport->send({"a@example.org", {"b@example.org"}}, sample_mime("auth"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::unauthorized) << sent.error().detail;
  EXPECT_EQ(sent.error().detail.find("wrong"), std::string::npos) << sent.error().detail;
}

TEST(SmtpTransportIntegration, RequiredTlsIsNotSilentlySkipped) {
  SmtpCapture capture;  // offers no STARTTLS
  SmtpOptions options;
  options.require_tls = true;
  auto transport = transport_for(capture.url(), options);
  Status sent = transport->send({"a@example.org", {"b@example.org"}}, sample_mime("tls"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::unavailable);
  EXPECT_NE(sent.error().message.find("STARTTLS"), std::string::npos);
  EXPECT_TRUE(capture.messages().empty());
}

TEST(SmtpTransportIntegration, MailerSendsThroughSmtp) {
  SmtpCapture capture;
  auto transport = make_transport(capture.url(), "");
  ASSERT_TRUE(transport.ok());
  ManualClock clock(1796306709000);
  Mailer mailer(std::move(*transport), {"noreply@example.org", "Smartmessages"}, clock);
  Message m;
  m.to = {{"jane@example.net", "Jane"}, {"bob@example.net", ""}};
  m.subject = "Confirm your subscription";
  m.text_body = "Please confirm.";
  ASSERT_TRUE(mailer.send(m).ok());
  ASSERT_TRUE(capture.wait_for(1, kArrival));
  const auto got = capture.messages()[0];
  EXPECT_EQ(got.mail_from, "noreply@example.org");
  EXPECT_EQ(got.rcpt_tos, (std::vector<std::string>{"jane@example.net", "bob@example.net"}));
  EXPECT_NE(got.raw.find("Subject: Confirm your subscription\r\n"), std::string::npos);
}

}  // namespace
}  // namespace sm::mail
