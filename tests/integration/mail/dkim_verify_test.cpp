// Rendered messages signed with both DKIM keys, checked by two independent verifiers:
// python3-dkim (through tests/support/dkim_verify.py) and libopendkim (through
// tests/support/opendkim_verify.hpp), with the public keys given as the records that would be
// published, so no DNS is involved. Every message must get the same verdict from both.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mail/dkim.hpp"
#include "mail/mime.hpp"
#include "python_tools.hpp"
#include "support/opendkim_verify.hpp"
#include "support/scratch_dir.hpp"

namespace sm::mail {
namespace {

constexpr Millis kDate = 1796306709000;

struct TestKeys {
  std::vector<DkimKey> keys;
  nlohmann::json records;
};

// Generated once: an RSA key takes a while, and reusing keys is what production does too.
const TestKeys& test_keys() {
  static const TestKeys keys = [] {
    TestKeys out;
    const DkimKeyPair ed = generate_ed25519_key();
    auto rsa = generate_rsa_key(2048);
    EXPECT_TRUE(rsa.ok());
    auto ed_key =
        load_dkim_key(DkimAlgorithm::ed25519_sha256, "example.org", "ed-2026", ed.private_text);
    auto rsa_key =
        load_dkim_key(DkimAlgorithm::rsa_sha256, "example.org", "rsa-2026", rsa->private_text);
    EXPECT_TRUE(ed_key.ok() && rsa_key.ok());
    out.keys = {*ed_key, *rsa_key};
    out.records = {{dkim_record_name("ed-2026", "example.org"), ed.dns_record},
                   {dkim_record_name("rsa-2026", "example.org"), rsa->dns_record}};
    return out;
  }();
  return keys;
}

Message newsletter() {
  Message m;
  m.from = {"news@example.org", "Caf\xC3\xA9 M\xC3\xBCller"};
  m.to = {{"jane@example.net", "Jane Doe"}};
  m.subject =
      "Gr\xC3\xBC\xC3\x9F"
      "e aus K\xC3\xB6ln \xE2\x80\x94 Ausgabe 12 \xF0\x9F\x93\xA7";
  m.text_body =
      "Hallo Jane,\n\nsch\xC3\xB6ne Gr\xC3\xBC\xC3\x9F"
      "e.  \n" +
      std::string(120, 'x') + "\n= not a soft break\n\n\n";
  m.html_body =
      "<p>Hallo <b>Jane</b>,</p>\n<p>sch\xC3\xB6ne Gr\xC3\xBC\xC3\x9F"
      "e.</p>\n";
  m.message_id = "<d-42@example.org>";
  m.headers = {{"List-Unsubscribe", "<https://example.org/u/abc>, <mailto:u+abc@example.org>"},
               {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
               {"List-Id", "Neuigkeiten <news.example.org>"},
               {"Feedback-ID", "42:7:example.org"}};
  return m;
}

class DkimVerify : public ::testing::Test {
 protected:
  // The rendered and signed message: the signature fields first, as a sender prepends them.
  std::string signed_message(const Message& m) {
    auto mime = render(m, kDate);
    EXPECT_TRUE(mime.ok()) << (mime.ok() ? "" : mime.error().message);
    if (!mime.ok()) return {};
    auto fields = dkim_sign(test_keys().keys, *mime, kDate);
    EXPECT_TRUE(fields.ok()) << (fields.ok() ? "" : fields.error().message);
    return fields.ok() ? *fields + *mime : std::string();
  }

  sm::testing::CommandResult verify(const std::string& message) {
    const std::string name = "m" + std::to_string(++count_);
    const auto path = dir_.path() / (name + ".eml");
    const auto records = dir_.path() / (name + ".json");
    sm::testing::write_text(path, message);
    sm::testing::write_text(records, test_keys().records.dump());
    return sm::testing::run_command("/usr/bin/python3 " + sm::testing::source_dir() +
                                    "/tests/support/dkim_verify.py '" + path.string() + "' '" +
                                    records.string() + "'");
  }

  // Both signatures, in the order they were made, pass (or fail) with libopendkim.
  static void expect_opendkim(const std::string& message, bool pass) {
    const auto verdict = sm::testing::opendkim_verify(message, test_keys().records);
    ASSERT_EQ(verdict.signatures.size(), 2u) << verdict.summary();
    EXPECT_EQ(verdict.all_verified(), pass) << verdict.summary();
    const char* algorithms[] = {"ed25519-sha256", "rsa-sha256"};
    const char* selectors[] = {"ed-2026", "rsa-2026"};
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& sig = verdict.signatures[i];
      EXPECT_EQ(sig.verified, pass) << verdict.summary();
      EXPECT_EQ(sig.algorithm, algorithms[i]);
      EXPECT_EQ(sig.domain, "example.org");
      EXPECT_EQ(sig.selector, selectors[i]);
    }
  }

  void expect_both_pass(const std::string& message) {
    const auto result = verify(message);
    EXPECT_EQ(result.exit_code, 0) << result.output << "\n" << message;
    EXPECT_NE(result.output.find("0 pass a=ed25519-sha256 d=example.org s=ed-2026"),
              std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("1 pass a=rsa-sha256 d=example.org s=rsa-2026"), std::string::npos)
        << result.output;
    expect_opendkim(message, true);
  }

  void expect_both_fail(const std::string& message) {
    const auto result = verify(message);
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find("0 fail a=ed25519-sha256"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("1 fail a=rsa-sha256"), std::string::npos) << result.output;
    expect_opendkim(message, false);
  }

  sm::testing::ScratchDir dir_;
  int count_ = 0;
};

TEST_F(DkimVerify, MultipartQuotedPrintableUtf8MessageVerifies) {
  const std::string message = signed_message(newsletter());
  ASSERT_NE(message.find("multipart/alternative"), std::string::npos);
  ASSERT_NE(message.find("=?UTF-8?"), std::string::npos) << "the subject should be encoded";
  expect_both_pass(message);

  // The signature fields must not give a client's parser anything to complain about.
  const auto path = dir_.path() / "signed.eml";
  sm::testing::write_text(path, message);
  const auto verdict = sm::testing::check_mime(path);
  EXPECT_EQ(verdict.output, "ok\n") << verdict.output;
}

TEST_F(DkimVerify, PlainMessageWithoutListHeadersVerifies) {
  Message m = newsletter();
  m.html_body.clear();
  m.headers.clear();
  m.subject = "Please confirm your subscription";
  expect_both_pass(signed_message(m));
}

TEST_F(DkimVerify, ManyRecipientsAndALongFoldedToVerify) {
  Message m = newsletter();
  for (int i = 0; i < 12; ++i) m.to.push_back({"r" + std::to_string(i) + "@example.net", ""});
  expect_both_pass(signed_message(m));
}

TEST_F(DkimVerify, AnUnsignedHeaderAddedInTransitStillVerifies) {
  const std::string message = signed_message(newsletter());
  expect_both_pass("Received: from relay.example.org by mx.example.net\r\n" + message);
}

TEST_F(DkimVerify, OneChangedByteInTheBodyFails) {
  std::string message = signed_message(newsletter());
  const std::size_t at = message.find("Hallo Jane");
  ASSERT_NE(at, std::string::npos);
  message[at] = 'h';
  expect_both_fail(message);
}

TEST_F(DkimVerify, OneChangedByteInTheSubjectFails) {
  std::string message = signed_message(newsletter());
  const std::size_t at = message.find("\r\nSubject: =?UTF-8?");
  ASSERT_NE(at, std::string::npos);
  const std::size_t byte = at + std::string("\r\nSubject: =?UTF-8?Q?").size();  // encoded text
  message[byte] = message[byte] == 'A' ? 'B' : 'A';
  expect_both_fail(message);
}

TEST_F(DkimVerify, ASecondFromHeaderFails) {
  const std::string message = signed_message(newsletter());
  const std::size_t body = message.find("\r\n\r\n");
  for (const std::size_t at : {std::size_t{0}, body + 2}) {
    std::string forged = message;
    forged.insert(at, "From: Bank <security@bank.example>\r\n");
    expect_both_fail(forged);
  }
}

TEST_F(DkimVerify, AnAddedListUnsubscribeFails) {
  Message m = newsletter();
  m.headers.clear();
  const std::string message = signed_message(m);
  expect_both_fail("List-Unsubscribe: <https://evil.example/u>\r\n" + message);
  expect_both_fail("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" + message);
}

TEST_F(DkimVerify, WithoutThePublishedRecordNothingVerifies) {
  const std::string message = signed_message(newsletter());
  const std::string path = (dir_.path() / "x.eml").string();
  sm::testing::write_text(path, message);
  const auto result = sm::testing::run_command("/usr/bin/python3 " + sm::testing::source_dir() +
                                               "/tests/support/dkim_verify.py '" + path + "' '{}'");
  EXPECT_EQ(result.exit_code, 1) << result.output;

  const auto verdict = sm::testing::opendkim_verify(message, nlohmann::json::object());
  ASSERT_EQ(verdict.signatures.size(), 2u) << verdict.summary();
  EXPECT_FALSE(verdict.signatures[0].verified) << verdict.summary();
  EXPECT_FALSE(verdict.signatures[1].verified) << verdict.summary();
}

TEST_F(DkimVerify, HandWrittenMessageWithAnEmptyBodyVerifies) {
  // render() always writes a body; this checks the empty-body rule against the verifier.
  const std::string mime =
      "From: news@example.org\r\nTo: jane@example.net\r\nSubject:  spaced \t out \r\n"
      "Date: Thu, 03 Dec 2026 14:05:09 +0000\r\n\r\n";
  auto fields = dkim_sign(test_keys().keys, mime, kDate);
  ASSERT_TRUE(fields.ok()) << fields.error().message;
  expect_both_pass(*fields + mime);
}

}  // namespace
}  // namespace sm::mail
