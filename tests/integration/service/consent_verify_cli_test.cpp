// `smartmessages consent verify`: the real binary checks receipt files offline, with the
// installation's own key or another installation's published key.
#include <gmock/gmock.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "services/keyring.hpp"
#include "support/service_process.hpp"
#include "support/test_database.hpp"

namespace sm::testing {
namespace {

using ::testing::HasSubstr;

class ConsentVerifyCliTest : public ::testing::TestWithParam<TestEngine> {};

std::string receipt_file(const KeyRing& keys, const std::string& payload) {
  return nlohmann::json{{"receipt", payload},
                        {"signature", crypto::base64url_encode(keys.sign(payload))}}
      .dump(2);
}

std::string write(const ServiceProcess& svc, const std::string& name, const std::string& text) {
  std::string path = (svc.data_dir() / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST_P(ConsentVerifyCliTest, AValidReceiptExitsZeroAndAChangedOneExitsOne) {
  ServiceProcess svc(GetParam(), {{}, false});
  auto keys = KeyRing::load_or_create(svc.data_dir());
  ASSERT_TRUE(keys.ok());
  std::string payload = R"({"account_id":1,"list_id":2,"subscription_id":3,"version":1})";
  std::string good = write(svc, "good.json", receipt_file(*keys, payload));

  CliResult ok = svc.run_cli({"consent", "verify", good});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("valid"));
  EXPECT_THAT(ok.out, HasSubstr("subscription_id: 3"));

  std::string text = receipt_file(*keys, payload);
  text[text.find("\\\"list_id\\\":2") + 12] = '5';
  CliResult bad = svc.run_cli({"consent", "verify", write(svc, "bad.json", text)});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("not valid"));

  auto other = crypto::signing_keypair_from_seed(std::string(32, 'z'));
  CliResult foreign = svc.run_cli(
      {"consent", "verify", "--public-key", crypto::base64_encode(other.public_key), good});
  EXPECT_EQ(foreign.exit_code, 1);
  CliResult own =
      svc.run_cli({"consent", "verify", "--public-key", keys->signing_public_key(), good});
  EXPECT_EQ(own.exit_code, 0) << own.err;
}

SM_INSTANTIATE_FOR_ENGINES(ConsentVerifyCliTest);

}  // namespace
}  // namespace sm::testing
