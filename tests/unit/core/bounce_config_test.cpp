// The bounce.* and inbound.* settings: defaults, TOML and environment, and what is refused.
#include <gtest/gtest.h>

#include <map>

#include "core/config.hpp"

namespace sm {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(BounceConfig, DefaultsAreThreeSoftBouncesInThirtyDaysAndNoWebhook) {
  auto c = load_config("", env_of({}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bounce_soft_limit, 3);
  EXPECT_EQ(c->bounce_soft_window_days, 30);
  EXPECT_TRUE(c->inbound_token.empty());
}

TEST(BounceConfig, FileAndEnvironmentSetThem) {
  auto c = load_config("[bounce]\nsoft_limit = 5\nsoft_window_days = 14\n",
                       env_of({{"SMARTMESSAGES_INBOUND_TOKEN", "0123456789abcdefghijklmnop"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->bounce_soft_limit, 5);
  EXPECT_EQ(c->bounce_soft_window_days, 14);
  EXPECT_EQ(c->inbound_token, "0123456789abcdefghijklmnop");
}

TEST(BounceConfig, BadValuesAreRefusedByName) {
  struct Case {
    std::string env;
    std::string value;
    std::string key;
  };
  for (const Case& bad : std::vector<Case>{
           {"SMARTMESSAGES_BOUNCE_SOFT_LIMIT", "0", "bounce.soft_limit"},
           {"SMARTMESSAGES_BOUNCE_SOFT_LIMIT", "three", "bounce.soft_limit"},
           {"SMARTMESSAGES_BOUNCE_SOFT_WINDOW_DAYS", "366", "bounce.soft_window_days"},
           {"SMARTMESSAGES_INBOUND_TOKEN", "short", "inbound.token"},
           {"SMARTMESSAGES_INBOUND_TOKEN", "has a space in it 0123456789", "inbound.token"},
       }) {
    auto c = load_config("", env_of({{bad.env, bad.value}}));
    ASSERT_FALSE(c.ok()) << bad.env << "=" << bad.value;
    EXPECT_NE(c.error().message.find(bad.key), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace sm
