// OutboxTransport writes files an operator can open; check them as a mail client would.
#include "mail/outbox_transport.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "mail/mailer.hpp"
#include "mail/mime.hpp"
#include "python_tools.hpp"
#include "support/scratch_dir.hpp"

namespace sm::mail {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

Message sample() {
  Message m;
  m.from = {"news@example.org", "Example News"};
  m.to = {{"jane@example.net", "J\xC3\xB6rg"}};
  m.subject = "Outbox \xE2\x80\x94 test";
  m.text_body = "Hello.\n";
  m.html_body = "<p>Hello.</p>";
  return m;
}

TEST(OutboxTransportIntegration, WritesTheExactMessageAndItsEnvelope) {
  sm::testing::ScratchDir scratch;
  const fs::path dir = scratch.path() / "data" / "outbox";  // created on first use
  ManualClock clock(1796306709000);
  OutboxTransport outbox(dir, clock);
  auto mime = render(sample(), clock.now_ms());
  ASSERT_TRUE(mime.ok());

  Status sent = outbox.send({"bounces@example.org", {"jane@example.net"}}, *mime);
  ASSERT_TRUE(sent.ok()) << sent.error().detail;
  const auto files = files_in(dir);
  ASSERT_EQ(files.size(), 2u) << "temporary files left behind?";
  const fs::path eml = files[0];
  const fs::path envelope = files[1];
  EXPECT_EQ(eml.extension(), ".eml");
  EXPECT_TRUE(eml.filename().string().starts_with("1796306709000-"));
  EXPECT_EQ(envelope.filename().string(), eml.stem().string() + ".envelope.json");
  EXPECT_TRUE(sm::testing::read_file(eml) == *mime);

  const auto meta = nlohmann::json::parse(sm::testing::read_file(envelope));
  EXPECT_EQ(meta["mail_from"], "bounces@example.org");
  EXPECT_EQ(meta["recipients"], nlohmann::json::array({"jane@example.net"}));

  const auto verdict = sm::testing::check_mime(eml);
  EXPECT_EQ(verdict.exit_code, 0) << verdict.output;
  const auto seen = sm::testing::read_with_python(eml);
  EXPECT_EQ(seen["subject"], "Outbox \xE2\x80\x94 test");
  EXPECT_EQ(seen["to"][0][0], "J\xC3\xB6rg");
}

TEST(OutboxTransportIntegration, ConcurrentSendsGetDistinctFiles) {
  sm::testing::ScratchDir scratch;
  ManualClock clock(1796306709000);  // one instant for all: names must still differ
  auto outbox = std::make_shared<OutboxTransport>(scratch.path(), clock);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(outbox->send({"a@example.org", {"b@example.org"}}, "x\r\n").ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(files_in(scratch.path()).size(), 80u);
}

TEST(OutboxTransportIntegration, UnwritableDirectoryIsUnavailable) {
  sm::testing::ScratchDir scratch;
  const fs::path file = scratch.path() / "not-a-dir";
  sm::testing::write_text(file, "x");
  ManualClock clock(0);
  OutboxTransport outbox(file / "outbox", clock);
  Status sent = outbox.send({"a@example.org", {"b@example.org"}}, "x\r\n");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Errc::unavailable);
  EXPECT_NE(sent.error().detail.find("not-a-dir"), std::string::npos);
}

TEST(OutboxTransportIntegration, MakeTransportWithoutUrlFillsTheOutbox) {
  sm::testing::ScratchDir scratch;
  auto transport = make_transport("", scratch.str());
  ASSERT_TRUE(transport.ok());
  ManualClock clock(1796306709000);
  Mailer mailer(std::move(*transport), {"noreply@example.org", ""}, clock);
  ASSERT_TRUE(mailer.send(sample()).ok());
  const auto files = files_in(scratch.path());
  ASSERT_EQ(files.size(), 2u);
  const auto verdict = sm::testing::check_mime(files[0]);
  EXPECT_EQ(verdict.exit_code, 0) << verdict.output;
}

}  // namespace
}  // namespace sm::mail
