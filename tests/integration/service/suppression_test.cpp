// Suppressions on both engines: matching by HMAC and by imported SHA-256, the refused counter,
// lifting, and hash lists in and out.
#include "services/suppression.hpp"

#include <sstream>

#include "core/crypto.hpp"
#include "integration/service/test_app.hpp"

namespace sm::testing {
namespace {

class SuppressionTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  TestApp t{GetParam()};
  std::int64_t account = t.create_account();

  EmailAddress address(const std::string& text) { return *parse_email_address(text); }

  bool suppressed(const std::string& text) {
    auto lease = t.app().db->acquire();
    auto r = services::check_suppressed(t.app(), **lease, account, address(text));
    EXPECT_TRUE(r.ok());
    return r.ok() && *r;
  }

  void suppress(const std::string& text) {
    auto lease = t.app().db->acquire();
    ASSERT_TRUE(services::suppress(t.app(), **lease, account, address(text),
                                   services::SuppressionReason::unsubscribed)
                    .ok());
  }
};

TEST_P(SuppressionTest, SuppressedAddressIsFoundCaseInsensitivelyAndCounted) {
  EXPECT_FALSE(suppressed("ann@example.org"));
  suppress("ann@example.org");
  suppress("Ann@Example.org");  // already suppressed is fine
  EXPECT_TRUE(suppressed("ANN@example.org"));
  EXPECT_TRUE(suppressed("ann@example.org"));
  auto summary = services::suppression_summary(t.app(), account);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->entries, 1);
  EXPECT_EQ(summary->refused_attempts, 2);
}

TEST_P(SuppressionTest, AnotherAccountIsNotAffected) {
  suppress("ann@example.org");
  std::int64_t other = t.create_account("Other Ltd", "other@example.org");
  auto lease = t.app().db->acquire();
  auto r = services::check_suppressed(t.app(), **lease, other, address("ann@example.org"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

TEST_P(SuppressionTest, LiftRemovesEitherForm) {
  suppress("ann@example.org");
  std::istringstream list(crypto::sha256_hex("bob@example.org") + "\n");
  ASSERT_TRUE(services::import_suppression_hashes(t.app(), account, list).ok());
  auto lease = t.app().db->acquire();
  for (const char* a : {"ann@example.org", "bob@example.org"}) {
    ASSERT_TRUE(services::lift_suppression(t.app(), **lease, account, address(a)).ok());
    auto r = services::check_suppressed(t.app(), **lease, account, address(a));
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(*r) << a;
  }
}

TEST_P(SuppressionTest, HashListImportCountsAddedAlreadyAndInvalid) {
  std::string hash = crypto::sha256_hex("carol@example.org");
  std::istringstream list(hash + "\n\n" + hash + "\nnot-a-hash\n" +
                          crypto::sha256_hex("dan@example.org") + "\r\n");
  auto report = services::import_suppression_hashes(t.app(), account, list);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->added, 2);
  EXPECT_EQ(report->already, 1);
  EXPECT_EQ(report->invalid_lines, 1);
  EXPECT_TRUE(suppressed("Carol@example.org"));
  EXPECT_TRUE(suppressed("dan@example.org"));
}

TEST_P(SuppressionTest, HashListExportGivesImportedEntriesAndLeavesOutUnheldHmacs) {
  std::istringstream list(crypto::sha256_hex("carol@example.org") + "\n");
  ASSERT_TRUE(services::import_suppression_hashes(t.app(), account, list).ok());
  suppress("gone@example.org");  // no subscriber holds it: only the HMAC is left
  std::ostringstream out;
  auto left_out = services::export_suppression_hashes(t.app(), account, out);
  ASSERT_TRUE(left_out.ok());
  EXPECT_EQ(*left_out, 1);
  EXPECT_EQ(out.str(), crypto::sha256_hex("carol@example.org") + "\n");
}

SM_INSTANTIATE_FOR_ENGINES(SuppressionTest);

}  // namespace
}  // namespace sm::testing
