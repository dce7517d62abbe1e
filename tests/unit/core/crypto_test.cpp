#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sm::crypto {
namespace {

TEST(Crypto, RandomBytesHaveTheAskedLengthAndDiffer) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(17).size(), 17u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(Crypto, RandomTokenIs43UrlSafeCharacters) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string token = random_token();
    ASSERT_EQ(token.size(), 43u);
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_"),
              std::string::npos);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(Crypto, Sha256MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// RFC 4231 test cases 1 and 6 (the second has a key longer than the block size).
TEST(Crypto, HmacMatchesRfc4231) {
  EXPECT_EQ(hmac_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(
      hmac_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hmac_sha256("key", "data").size(), 32u);
  EXPECT_EQ(hex_encode(hmac_sha256("key", "data")), hmac_hex("key", "data"));
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(Crypto, Base64UrlRoundTripsAndRefusesGarbage) {
  for (std::size_t n = 0; n < 40; ++n) {
    std::string data = random_bytes(n);
    auto decoded = base64url_decode(base64url_encode(data));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, data);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("ab+/").ok());
  EXPECT_FALSE(base64url_decode("abc=").ok());
  EXPECT_FALSE(base64url_decode("a").ok());
  EXPECT_FALSE(base64url_decode("ab c").ok());
}

TEST(Crypto, Base64HasPadding) {
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Crypto, HexRoundTripsAndRefusesGarbage) {
  EXPECT_EQ(hex_encode("\x01\xab\xff"), "01abff");
  auto decoded = hex_decode("01ABff");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "\x01\xab\xff");
  EXPECT_TRUE(hex_decode("").ok());
  EXPECT_FALSE(hex_decode("abc").ok());
  EXPECT_FALSE(hex_decode("zz").ok());
  EXPECT_FALSE(hex_decode("ab ").ok());
  EXPECT_EQ(hex_decode("xyz1").error().code, Errc::invalid_input);
}

// RFC 4648 section 10.
TEST(Crypto, Base32MatchesRfc4648) {
  EXPECT_EQ(base32_encode("", true), "");
  EXPECT_EQ(base32_encode("f", true), "MY======");
  EXPECT_EQ(base32_encode("fo", true), "MZXQ====");
  EXPECT_EQ(base32_encode("foo", true), "MZXW6===");
  EXPECT_EQ(base32_encode("foob", true), "MZXW6YQ=");
  EXPECT_EQ(base32_encode("fooba", true), "MZXW6YTB");
  EXPECT_EQ(base32_encode("foobar", true), "MZXW6YTBOI======");
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32_encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(Crypto, SealOpensWithTheSameKeyOnly) {
  std::string key = random_bytes(kKeyBytes);
  std::string sealed = seal(key, "the secret");
  EXPECT_EQ(sealed.find("the secret"), std::string::npos);
  auto opened = open(key, sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "the secret");
  EXPECT_FALSE(open(random_bytes(kKeyBytes), sealed).ok());
  EXPECT_NE(seal(key, "the secret"), sealed) << "a fresh nonce each time";
}

TEST(Crypto, OpenRefusesEveryTamperedByteAndShortInput) {
  std::string key = random_bytes(kKeyBytes);
  std::string sealed = seal(key, "abc");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(open(key, bad).ok()) << "byte " << i;
  }
  EXPECT_FALSE(open(key, sealed.substr(0, sealed.size() - 1)).ok());
  EXPECT_FALSE(open(key, "").ok());
  auto empty = open(key, seal(key, ""));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(Crypto, DerivedKeysDependOnIdAndContext) {
  std::string master = random_bytes(kKeyBytes);
  std::string a = derive_key(master, 1, "smtest01");
  EXPECT_EQ(a.size(), kKeyBytes);
  EXPECT_EQ(a, derive_key(master, 1, "smtest01"));
  EXPECT_NE(a, derive_key(master, 2, "smtest01"));
  EXPECT_NE(a, derive_key(master, 1, "smtest02"));
  EXPECT_NE(a, derive_key(random_bytes(kKeyBytes), 1, "smtest01"));
  EXPECT_EQ(derive_key(master, 1, "smtest01", 64).size(), 64u);
}

TEST(Crypto, SignAndVerify) {
  std::string seed = random_bytes(kSignSeedBytes);
  SigningKeyPair pair = signing_keypair_from_seed(seed);
  EXPECT_EQ(pair.public_key.size(), kSignPublicBytes);
  EXPECT_EQ(pair.secret_key.size(), kSignSecretBytes);
  EXPECT_EQ(signing_keypair_from_seed(seed).public_key, pair.public_key);

  std::string sig = sign(pair.secret_key, "receipt");
  EXPECT_EQ(sig.size(), kSignatureBytes);
  EXPECT_EQ(sign(seed, "receipt"), sig) << "Ed25519 is deterministic; seed and key agree";
  EXPECT_TRUE(verify(pair.public_key, "receipt", sig));
  EXPECT_FALSE(verify(pair.public_key, "receipt!", sig));
  std::string bad = sig;
  bad[0] = static_cast<char>(bad[0] ^ 1);
  EXPECT_FALSE(verify(pair.public_key, "receipt", bad));
  EXPECT_FALSE(verify(pair.public_key, "receipt", sig.substr(1)));
  EXPECT_FALSE(verify("short", "receipt", sig));
}

// RFC 8032 section 7.1, test 1: the empty message.
TEST(Crypto, Ed25519MatchesRfc8032) {
  auto seed = hex_decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  ASSERT_TRUE(seed.ok());
  SigningKeyPair pair = signing_keypair_from_seed(*seed);
  EXPECT_EQ(hex_encode(pair.public_key),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(hex_encode(sign(*seed, "")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

TEST(CryptoDeathTest, WrongKeyLengthAborts) {
  EXPECT_DEATH(seal("short", "x"), "32 bytes");
  EXPECT_DEATH((void)sign("short", "x"), "seed");
}

}  // namespace
}  // namespace sm::crypto
