#include "services/password.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sm {
namespace {

std::string refusal(std::string_view password, std::vector<std::string_view> inputs = {}) {
  Status s = check_password_policy(password, std::move(inputs));
  EXPECT_FALSE(s.ok()) << password << " was accepted";
  if (s.ok()) return "";
  EXPECT_EQ(s.error().code, Errc::invalid_input);
  EXPECT_EQ(s.error().field, "password");
  return s.error().message;
}

const std::string kTooEasy =
    "This password is too easy to guess: it is close to a common password or word. Add more "
    "words or use a passphrase of four or more random words.";

TEST(PasswordPolicy, AcceptsPassphrases) {
  for (const char* ok : {"correct horse battery staple", "lamp orbit velvet mango",
                         "zebra quantum walnut fiddle", "kx7Qm2pLw9Rt"}) {
    Status s = check_password_policy(ok, {});
    EXPECT_TRUE(s.ok()) << ok << ": " << (s.ok() ? "" : s.error().message);
  }
}

TEST(PasswordPolicy, RefusesCommonPasswords) {
  for (const char* weak :
       {"password1234", "Password123!", "passwordpassword", "aaaaaaaaaaaa", "123456789012",
        "qwertyuiopas", "abcdefghijkl", "iloveyouiloveyou", "summer2024summer"}) {
    EXPECT_EQ(refusal(weak), kTooEasy) << weak;
  }
}

TEST(PasswordPolicy, CountsTheUsersOwnDetailsAsEasyWords) {
  std::string_view pw = "acmewidgetsjanedoe";
  EXPECT_TRUE(check_password_policy(pw, {}).ok());
  EXPECT_EQ(refusal(pw, {"Acme Widgets", "jane.doe@example.com"}), kTooEasy);
}

TEST(PasswordPolicy, NeedsTwelveCodePoints) {
  std::string message = refusal("kx7Qm2pLw9R");  // 11
  EXPECT_NE(message.find("at least 12 characters"), std::string::npos);
  // Twelve accented letters are 24 bytes but still twelve characters, and only eleven fail.
  EXPECT_TRUE(check_password_policy("éüßøåñçàèìòù", {}).ok());
  EXPECT_NE(refusal("éüßøåñçàèìò").find("at least 12"), std::string::npos);
}

TEST(PasswordPolicy, AcceptsLongPassphrasesUpTo1024Bytes) {
  std::string words = "orbit velvet mango zebra quantum walnut fiddle lantern ";
  std::string long128;
  while (long128.size() < 128) long128 += words;
  long128.resize(128);
  EXPECT_TRUE(check_password_policy(long128, {}).ok());

  std::string max;
  while (max.size() < kMaxPasswordBytes) max += words;
  max.resize(kMaxPasswordBytes);
  EXPECT_TRUE(check_password_policy(max, {}).ok());
  EXPECT_NE(refusal(max + "x").find("at most 1024 bytes"), std::string::npos);
}

TEST(PasswordHash, RoundTrips) {
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(verify_password(*hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(verify_password(*hash, ""));
  EXPECT_FALSE(password_needs_rehash(*hash));
  auto again = hash_password("correct horse battery staple");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *hash) << "each hash has its own salt";
}

TEST(PasswordHash, MalformedHashesNeverVerify) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=65536,t=2,p=1$", "x"));
  EXPECT_FALSE(verify_password(std::string(500, 'a'), "x"));
  EXPECT_TRUE(password_needs_rehash("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
}

TEST(PasswordHash, DummyHashIsARealHashOfAnUnknownPassword) {
  std::string dummy = dummy_hash();
  EXPECT_EQ(dummy.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(dummy, dummy_hash());
  EXPECT_FALSE(verify_password(dummy, ""));
  EXPECT_FALSE(verify_password(dummy, "password1234"));
  EXPECT_FALSE(password_needs_rehash(dummy));
}

}  // namespace
}  // namespace sm
