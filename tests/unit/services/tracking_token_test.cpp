// Tracking tokens: they round-trip, name exactly what they were made for, and every change,
// truncation or other key makes them worthless. Also which user agents count as machines.
#include "services/tracking_token.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "services/tracking_event.hpp"
#include "support/scratch_dir.hpp"

namespace sm::services {
namespace {

class TrackingTokenTest : public ::testing::Test {
 protected:
  TrackingTokenTest() : keys_(*KeyRing::load_or_create(dir_.path())) {}

  testing::ScratchDir dir_;
  KeyRing keys_;
};

const TrackingTarget kClick{TrackingKind::click, 7, 1234, 987654, 3};
const TrackingTarget kOpen{TrackingKind::open, 7, 1234, 987654, 0};

TEST_F(TrackingTokenTest, RoundTrips) {
  for (const auto& t : {kClick, kOpen}) {
    std::string token = make_tracking_token(keys_, t);
    EXPECT_LE(token.size(), 48u) << token;
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_"),
              std::string::npos);
    auto read = read_tracking_token(keys_, token);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*read, t);
  }
  TrackingTarget big{TrackingKind::click, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
  EXPECT_EQ(read_tracking_token(keys_, make_tracking_token(keys_, big)), big);
}

TEST_F(TrackingTokenTest, EveryChangedCharacterIsRefused) {
  std::string token = make_tracking_token(keys_, kClick);
  // Each character but the last (whose low bits base64url may not carry) changed in turn.
  for (std::size_t i = 0; i + 1 < token.size(); ++i) {
    std::string bad = token;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(read_tracking_token(keys_, bad).has_value()) << "position " << i;
  }
  EXPECT_FALSE(read_tracking_token(keys_, token.substr(0, token.size() - 1)).has_value());
  EXPECT_FALSE(read_tracking_token(keys_, token + "A").has_value());
  EXPECT_FALSE(read_tracking_token(keys_, "").has_value());
  EXPECT_FALSE(read_tracking_token(keys_, std::string(500, 'A')).has_value());
  EXPECT_FALSE(read_tracking_token(keys_, "not base64!").has_value());
}

TEST_F(TrackingTokenTest, AnotherInstallationsTokensAreRefused) {
  testing::ScratchDir other_dir;
  KeyRing other = *KeyRing::load_or_create(other_dir.path());
  EXPECT_FALSE(read_tracking_token(keys_, make_tracking_token(other, kClick)).has_value());
}

TEST_F(TrackingTokenTest, ATokenCannotBeReKindedOrPointedElsewhere) {
  // Without the key, swapping the payload of one token under the MAC of another fails.
  std::string a = *crypto::base64url_decode(make_tracking_token(keys_, kClick));
  TrackingTarget other = kClick;
  other.link_index = 4;
  std::string b = *crypto::base64url_decode(make_tracking_token(keys_, other));
  std::string spliced = b.substr(0, b.size() - 16) + a.substr(a.size() - 16);
  EXPECT_FALSE(read_tracking_token(keys_, crypto::base64url_encode(spliced)).has_value());
}

TEST(MachineUserAgents, KnownProxiesScannersAndNoAgentAtAll) {
  EXPECT_TRUE(is_machine_user_agent(""));
  EXPECT_TRUE(is_machine_user_agent("Mozilla/5.0"));
  EXPECT_TRUE(is_machine_user_agent(
      "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"));
  EXPECT_TRUE(is_machine_user_agent("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy"));
  EXPECT_FALSE(is_machine_user_agent(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"));
  EXPECT_FALSE(is_machine_user_agent("Thunderbird/115.0"));

  auto e = classify_event(kOpen, 5000, true, "Mozilla/5.0");
  EXPECT_TRUE(e.anonymous);
  EXPECT_TRUE(e.machine_agent);
  EXPECT_EQ(e.at, 5000);
  EXPECT_EQ(e.target, kOpen);
}

}  // namespace
}  // namespace sm::services
