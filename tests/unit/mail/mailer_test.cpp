#include "mail/mailer.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sm::mail {
namespace {

// Remembers what it was given; shared with the test through a shared_ptr.
struct Sent {
  std::mutex mu;
  std::vector<std::pair<Envelope, std::string>> items;
  Status answer;
};

class RecordingTransport final : public Transport {
 public:
  explicit RecordingTransport(std::shared_ptr<Sent> sent) : sent_(std::move(sent)) {}
  Status send(const Envelope& envelope, std::string_view mime) override {
    std::lock_guard lock(sent_->mu);
    sent_->items.emplace_back(envelope, std::string(mime));
    return sent_->answer;
  }

 private:
  std::shared_ptr<Sent> sent_;
};

class MailerTest : public ::testing::Test {
 protected:
  std::shared_ptr<Sent> sent_ = std::make_shared<Sent>();
  ManualClock clock_{1796306709000};
  Mailer mailer_{std::make_unique<RecordingTransport>(sent_),
                 Mailbox{"noreply@example.org", "Smartmessages"}, clock_};
};

Message to_jane() {
  Message m;
  m.to = {{"jane@example.net", "Jane"}, {"bob@example.net", ""}};
  m.subject = "Confirm your subscription";
  m.text_body = "Please confirm.";
  return m;
}

TEST_F(MailerTest, FillsTheDefaultSenderAndBuildsTheEnvelope) {
  ASSERT_TRUE(mailer_.send(to_jane()).ok());
  ASSERT_EQ(sent_->items.size(), 1u);
  const auto& [envelope, mime] = sent_->items[0];
  EXPECT_EQ(envelope.mail_from, "noreply@example.org");
  EXPECT_EQ(envelope.recipients, (std::vector<std::string>{"jane@example.net", "bob@example.net"}));
  EXPECT_NE(mime.find("From: Smartmessages <noreply@example.org>\r\n"), std::string::npos);
  EXPECT_NE(mime.find("Date: Thu, 03 Dec 2026 14:05:09 +0000\r\n"), std::string::npos);
}

TEST_F(MailerTest, KeepsAnExplicitSender) {
  Message m = to_jane();
  m.from = {"owner@lists.example.com", ""};
  ASSERT_TRUE(mailer_.send(m).ok());
  EXPECT_EQ(sent_->items[0].first.mail_from, "owner@lists.example.com");
  EXPECT_NE(sent_->items[0].second.find("From: owner@lists.example.com\r\n"), std::string::npos);
}

TEST_F(MailerTest, AnInvalidMessageIsNotSent) {
  Message m = to_jane();
  m.subject = "x\r\nBcc: victim@example.com";
  Status sent = mailer_.send(m);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::invalid_input);
  EXPECT_TRUE(sent_->items.empty());
}

TEST_F(MailerTest, PassesTransportErrorsOn) {
  sent_->answer = make_error(Errc::unavailable, "relay down");
  Status sent = mailer_.send(to_jane());
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::unavailable);
}

TEST_F(MailerTest, CanBeUsedFromSeveralThreads) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 25; ++k) EXPECT_TRUE(mailer_.send(to_jane()).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sent_->items.size(), 200u);
}

}  // namespace
}  // namespace sm::mail
