#include "services/totp.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"

namespace sm {
namespace {

// RFC 6238 appendix B, SHA-1 key; the 8-digit codes there, truncated to their last 6 digits.
const std::string kRfcSecret = "12345678901234567890";

TEST(Totp, MatchesRfc6238Vectors) {
  struct Vector {
    std::int64_t seconds;
    const char* code;
  };
  for (Vector v : {Vector{59, "287082"}, Vector{1111111109, "081804"}, Vector{1111111111, "050471"},
                   Vector{1234567890, "005924"}, Vector{2000000000, "279037"},
                   Vector{20000000000, "353130"}}) {
    EXPECT_EQ(totp_code(kRfcSecret, v.seconds * kSecond), v.code) << v.seconds;
    auto step = verify_totp(kRfcSecret, v.code, v.seconds * kSecond, -1);
    ASSERT_TRUE(step.has_value()) << v.seconds;
    EXPECT_EQ(*step, v.seconds / 30);
  }
}

TEST(Totp, StepsAreThirtySeconds) {
  EXPECT_EQ(totp_step(0), 0);
  EXPECT_EQ(totp_step(29'999), 0);
  EXPECT_EQ(totp_step(30'000), 1);
  EXPECT_EQ(totp_step(-1), -1);
}

TEST(Totp, AcceptsOneStepEitherSide) {
  std::string secret = new_totp_secret();
  Millis now = 1'700'000'000'000;
  std::int64_t step = totp_step(now);
  EXPECT_EQ(verify_totp(secret, totp_code(secret, now - 30 * kSecond), now, -1), step - 1);
  EXPECT_EQ(verify_totp(secret, totp_code(secret, now), now, -1), step);
  EXPECT_EQ(verify_totp(secret, totp_code(secret, now + 30 * kSecond), now, -1), step + 1);
  EXPECT_FALSE(verify_totp(secret, totp_code(secret, now - 60 * kSecond), now, -1));
  EXPECT_FALSE(verify_totp(secret, totp_code(secret, now + 60 * kSecond), now, -1));
}

TEST(Totp, RefusesACodeUsedBefore) {
  std::string secret = new_totp_secret();
  Millis now = 1'700'000'000'000;
  std::string code = totp_code(secret, now);
  auto used = verify_totp(secret, code, now, -1);
  ASSERT_TRUE(used);
  EXPECT_FALSE(verify_totp(secret, code, now, *used));
  EXPECT_FALSE(verify_totp(secret, code, now + 20 * kSecond, *used)) << "still in the window";
  // An older code in the window is refused too once a later one was used.
  EXPECT_FALSE(verify_totp(secret, totp_code(secret, now - 30 * kSecond), now, *used));
  // The next step's code is fine.
  Millis later = now + 30 * kSecond;
  EXPECT_EQ(verify_totp(secret, totp_code(secret, later), later, *used), *used + 1);
}

TEST(Totp, NormalisesAndRefusesMalformedCodes) {
  Millis at = 59 * kSecond;
  EXPECT_TRUE(verify_totp(kRfcSecret, "287 082", at, -1));
  EXPECT_TRUE(verify_totp(kRfcSecret, " 28 70 82 ", at, -1));
  const char* fullwidth = "２８７０８２";  // digits, but not ASCII ones
  for (const char* bad :
       {"", "28708", "2870822", "287-082", "28708a", fullwidth, "287082\n", "+87082", "0x12"}) {
    EXPECT_FALSE(verify_totp(kRfcSecret, bad, at, -1)) << bad;
  }
  EXPECT_FALSE(verify_totp(kRfcSecret, "000000", at, -1));
  EXPECT_FALSE(verify_totp("", "287082", at, -1));
}

TEST(Totp, NewSecretsAreTwentyRandomBytes) {
  std::string a = new_totp_secret();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, new_totp_secret());
}

TEST(Totp, OtpauthUriForAuthenticatorApps) {
  std::string uri = otpauth_uri(kRfcSecret, "Smartmessages", "jane@example.com");
  EXPECT_EQ(uri,
            "otpauth://totp/Smartmessages:jane%40example.com"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Smartmessages"
            "&algorithm=SHA1&digits=6&period=30");
  std::string spaced = otpauth_uri(kRfcSecret, "Acme & Co", "Jane Doe:ü?");
  EXPECT_NE(spaced.find("/Acme%20%26%20Co:Jane%20Doe%3A%C3%BC%3F?"), std::string::npos);
  EXPECT_NE(spaced.find("&issuer=Acme%20%26%20Co&"), std::string::npos);
}

}  // namespace
}  // namespace sm
