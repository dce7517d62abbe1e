#include "services/recovery_codes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>

#include "core/crypto.hpp"

namespace sm {
namespace {

TEST(RecoveryCodes, TenDistinctCodesInThreeGroupsOfFour) {
  auto codes = new_recovery_codes();
  ASSERT_EQ(codes.size(), 10u);
  std::set<std::string> distinct(codes.begin(), codes.end());
  EXPECT_EQ(distinct.size(), 10u);
  std::regex shape("[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}");
  for (const auto& code : codes) EXPECT_TRUE(std::regex_match(code, shape)) << code;
}

TEST(RecoveryCodes, HaveAtLeastFiftyBits) {
  EXPECT_GE(12 * std::log2(31.0), 50.0);
  // Every letter of the alphabet turns up over many codes, and nothing else does.
  std::set<char> seen;
  for (int i = 0; i < 40; ++i) {
    for (const auto& code : new_recovery_codes()) seen.insert(code.begin(), code.end());
  }
  seen.erase('-');
  EXPECT_EQ(seen.size(), 31u);
  for (char ambiguous : {'0', '1', 'i', 'l', 'o'}) EXPECT_EQ(seen.count(ambiguous), 0u);
}

TEST(RecoveryCodes, HashIgnoresCaseSpacesAndHyphens) {
  std::string key = crypto::random_bytes(32);
  std::string h = hash_recovery_code(key, "k7dq-3mxp-94vt");
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(hash_recovery_code(key, "K7DQ 3MXP 94VT"), h);
  EXPECT_EQ(hash_recovery_code(key, "k7dq3mxp94vt"), h);
  EXPECT_EQ(hash_recovery_code(key, " k7dq - 3mxp - 94vt "), h);
  EXPECT_NE(hash_recovery_code(key, "k7dq-3mxp-94vu"), h);
  EXPECT_NE(hash_recovery_code(crypto::random_bytes(32), "k7dq-3mxp-94vt"), h);
  EXPECT_EQ(normalize_recovery_code("K7DQ-3mxp 94VT"), "k7dq3mxp94vt");
}

TEST(RecoveryCodes, HashIsDomainSeparatedFromOtherMacs) {
  std::string key = crypto::random_bytes(32);
  EXPECT_NE(hash_recovery_code(key, "k7dq3mxp94vt"), crypto::hmac_hex(key, "k7dq3mxp94vt"));
  EXPECT_EQ(hash_recovery_code(key, "k7dq3mxp94vt"),
            crypto::hmac_hex(key, "recovery-code:k7dq3mxp94vt"));
}

}  // namespace
}  // namespace sm
