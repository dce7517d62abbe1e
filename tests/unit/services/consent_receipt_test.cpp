// Checking consent receipt files: the signed text, the object form, tampering, wrong keys.
#include "services/consent_receipt.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"

namespace sm::services {
namespace {

using nlohmann::json;

struct Signed {
  crypto::SigningKeyPair keys = crypto::signing_keypair_from_seed(std::string(32, 's'));
  std::string payload = R"({"account_id":3,"list_id":7,"version":1})";
  std::string file(std::string text) const {
    return json{{"receipt", text},
                {"signature", crypto::base64url_encode(crypto::sign(keys.secret_key, payload))}}
        .dump();
  }
};

TEST(ConsentReceiptTest, AValidReceiptGivesItsFacts) {
  Signed s;
  auto facts = verify_receipt(s.file(s.payload), s.keys.public_key);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ((*facts)["list_id"], 7);
}

TEST(ConsentReceiptTest, TheReceiptMayBeGivenAsAnObject) {
  Signed s;
  json file = json::parse(s.file(s.payload));
  file["receipt"] = json::parse(s.payload);
  EXPECT_TRUE(verify_receipt(file.dump(2), s.keys.public_key).ok());
}

TEST(ConsentReceiptTest, OneChangedByteIsNotValid) {
  Signed s;
  std::string changed = s.payload;
  changed[changed.find('7')] = '8';
  auto r = verify_receipt(s.file(changed), s.keys.public_key);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not valid"), std::string::npos);
}

TEST(ConsentReceiptTest, AnotherKeyOrBrokenFileIsNotValid) {
  Signed s;
  auto other = crypto::signing_keypair_from_seed(std::string(32, 'o'));
  EXPECT_FALSE(verify_receipt(s.file(s.payload), other.public_key).ok());
  EXPECT_FALSE(verify_receipt("not json", s.keys.public_key).ok());
  EXPECT_FALSE(verify_receipt(R"({"receipt":"x"})", s.keys.public_key).ok());
}

TEST(ConsentReceiptTest, PublishedKeysDecodeFromBase64) {
  Signed s;
  auto key = decode_public_key(crypto::base64_encode(s.keys.public_key));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, s.keys.public_key);
  EXPECT_FALSE(decode_public_key("c2hvcnQ=").ok());
}

}  // namespace
}  // namespace sm::services
