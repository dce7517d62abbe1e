// SmtpTransport against a real SMTP server (aiosmtpd, through SmtpCapture) on loopback.
#include "mail/smtp_transport.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
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

// --- send_batch over the pool of sessions ---

using SteadyClock = std::chrono::steady_clock;

// A batch whose message i goes to r<i>@example.net, with i in the subject.
struct Batch {
  std::vector<Envelope> envelopes;
  std::vector<std::string> mimes;

  std::vector<Outgoing> outgoing() const {
    std::vector<Outgoing> out;
    for (std::size_t i = 0; i < envelopes.size(); ++i) out.push_back({&envelopes[i], mimes[i]});
    return out;
  }
};

std::string recipient(std::size_t i) { return "r" + std::to_string(i) + "@example.net"; }

Batch numbered_batch(std::size_t count, std::size_t first = 0) {
  const std::string mime = sample_mime("Batch");
  Batch b;
  for (std::size_t i = first; i < first + count; ++i) {
    b.envelopes.push_back({"bounces+" + std::to_string(i) + "@example.org", {recipient(i)}});
    b.mimes.push_back("X-Number: " + std::to_string(i) + "\r\n" + mime);
  }
  return b;
}

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

void expect_all_ok(const std::vector<Status>& results) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].error().detail;
  }
}

TEST(SmtpTransportBatch, TwoHundredMessagesEachArriveOnce) {
  SmtpCapture capture;
  SmtpOptions options;
  options.max_connections = 4;
  auto transport = transport_for(capture.url(), options);
  const Batch batch = numbered_batch(200);

  const auto results = transport->send_batch(batch.outgoing());
  ASSERT_EQ(results.size(), 200u);
  expect_all_ok(results);
  ASSERT_TRUE(capture.wait_for(200, kArrival));

  std::map<std::string, int> seen;
  for (const auto& m : capture.messages()) {
    ASSERT_EQ(m.rcpt_tos.size(), 1u);
    ++seen[m.rcpt_tos[0]];
    // Each envelope went with its own message.
    const std::size_t number = std::stoul(m.rcpt_tos[0].substr(1));
    EXPECT_TRUE(m.raw == batch.mimes[number]) << number;
    EXPECT_EQ(m.mail_from, batch.envelopes[number].mail_from);
  }
  ASSERT_EQ(seen.size(), 200u);
  for (const auto& [address, times] : seen) EXPECT_EQ(times, 1) << address;
}

TEST(SmtpTransportBatch, SessionsAreReusedAcrossBatches) {
  SmtpCapture capture;
  SmtpOptions options;
  options.max_connections = 3;
  auto transport = transport_for(capture.url(), options);
  for (std::size_t round = 0; round < 5; ++round) {
    const Batch batch = numbered_batch(40, round * 40);
    expect_all_ok(transport->send_batch(batch.outgoing()));
  }
  ASSERT_TRUE(capture.wait_for(200, kArrival));
  // The first batch opens the pool's three sessions at once; nothing opens another.
  EXPECT_EQ(capture.connections(), 3);
  std::set<int> sessions;
  for (const auto& m : capture.messages()) sessions.insert(m.connection);
  EXPECT_EQ(sessions.size(), 3u);
}

TEST(SmtpTransportBatch, ThreadsShareThePool) {
  SmtpCapture capture;
  SmtpOptions options;
  options.max_connections = 3;
  auto transport = transport_for(capture.url(), options);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t round = 0; round < 3; ++round) {
        const Batch batch = numbered_batch(20, (t * 3 + round) * 20);
        expect_all_ok(transport->send_batch(batch.outgoing()));
        expect_all_ok({transport->send(batch.envelopes[0], batch.mimes[0])});
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(capture.wait_for(252, kArrival));
  EXPECT_EQ(capture.messages().size(), 252u);
  EXPECT_LE(capture.connections(), 3);
}

TEST(SmtpTransportBatch, EachRejectionComesBackAtItsIndex) {
  SmtpCapture::Options refusing;
  refusing.rcpt_replies = {{recipient(3), 451}, {recipient(7), 550}};
  SmtpCapture capture(refusing);
  SmtpOptions options;
  options.max_connections = 2;
  auto transport = transport_for(capture.url(), options);
  const Batch batch = numbered_batch(12);

  const auto results = transport->send_batch(batch.outgoing());
  ASSERT_EQ(results.size(), 12u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i == 3 || i == 7) continue;
    EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].error().detail;
  }
  ASSERT_FALSE(results[3].ok());
  EXPECT_EQ(results[3].error().code, Errc::unavailable) << results[3].error().detail;
  EXPECT_NE(results[3].error().detail.find("smtp_reply=451"), std::string::npos);
  ASSERT_FALSE(results[7].ok());
  EXPECT_EQ(results[7].error().code, Errc::invalid_input) << results[7].error().detail;
  EXPECT_NE(results[7].error().detail.find("smtp_reply=550"), std::string::npos);
  for (std::size_t i : {3, 7}) {
    EXPECT_EQ(results[i].error().detail.find("@example"), std::string::npos)
        << results[i].error().detail;
    EXPECT_EQ(results[i].error().message.find("@example"), std::string::npos);
  }

  ASSERT_TRUE(capture.wait_for(10, kArrival));
  std::set<std::string> arrived;
  for (const auto& m : capture.messages()) arrived.insert(m.rcpt_tos.at(0));
  EXPECT_EQ(arrived.size(), 10u);
  EXPECT_FALSE(arrived.count(recipient(3)));
  EXPECT_FALSE(arrived.count(recipient(7)));
}

TEST(SmtpTransportBatch, ABadEnvelopeFailsAloneAndIsNotSent) {
  SmtpCapture capture;
  auto transport = transport_for(capture.url());
  Batch batch = numbered_batch(3);
  batch.envelopes[1].recipients = {"evil@example.net>\r\nRCPT TO:<more@example.net"};

  const auto results = transport->send_batch(batch.outgoing());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, Errc::invalid_input);
  EXPECT_TRUE(results[2].ok());
  ASSERT_TRUE(capture.wait_for(2, kArrival));
  EXPECT_EQ(capture.messages().size(), 2u);
  EXPECT_TRUE(transport->send_batch({}).empty());
}

TEST(SmtpTransportBatch, RateLimitHolds) {
  SmtpCapture capture;
  SmtpOptions options;
  options.max_connections = 4;
  options.messages_per_second = 40;
  auto transport = transport_for(capture.url(), options);
  const Batch batch = numbered_batch(60);

  const auto start = SteadyClock::now();
  expect_all_ok(transport->send_batch(batch.outgoing()));
  const double elapsed = seconds_since(start);
  // 60 at 40 a second: the gate allows two at once, then one every 25 ms, so at least
  // 1.45 s. Unlimited, this batch takes a small part of that; the upper bound only says the
  // limit does not stall.
  EXPECT_GE(elapsed, 1.4);
  EXPECT_LE(elapsed, 15.0);
}

TEST(SmtpTransportBatch, StoppedRelayFailsTheBatchQuickly) {
  std::string url;
  {
    SmtpCapture capture;
    url = capture.url();
  }
  auto transport = transport_for(url);
  const Batch batch = numbered_batch(100);
  const auto start = SteadyClock::now();
  const auto results = transport->send_batch(batch.outgoing());
  EXPECT_LE(seconds_since(start), 5.0);
  ASSERT_EQ(results.size(), 100u);
  for (const Status& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::unavailable);
  }
}

// A socket that accepts connections (the kernel completes them) but never greets: a relay
// that hangs.
class SilentRelay {
 public:
  SilentRelay() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "could not open a listening socket";
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentRelay() { ::close(fd_); }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(SmtpTransportBatch, SilentRelayFailsTheBatchWithinOneConnectTimeout) {
  SilentRelay relay;
  SmtpOptions options;
  options.max_connections = 2;
  options.connect_timeout_ms = 400;
  auto transport = transport_for(relay.url(), options);
  const Batch batch = numbered_batch(40);

  const auto start = SteadyClock::now();
  const auto results = transport->send_batch(batch.outgoing());
  // Each message waiting its own turn would take 40 / 2 * 0.4 = 8 s.
  EXPECT_LE(seconds_since(start), 3.0);
  ASSERT_EQ(results.size(), 40u);
  int not_tried = 0;
  for (const Status& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::unavailable) << r.error().detail;
    if (r.error().detail.find("not tried") != std::string::npos) ++not_tried;
  }
  EXPECT_GE(not_tried, 38);
}

}  // namespace
}  // namespace sm::mail
