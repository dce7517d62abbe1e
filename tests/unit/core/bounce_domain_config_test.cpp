// The bounce.domain setting and its default.
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

TEST(BounceDomainConfig, DefaultsToTheHostOfTheBaseUrl) {
  auto c = load_config("", env_of({}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bounce_domain, "");
  EXPECT_EQ(c->bounce_domain_or_default(), "localhost") << "127.0.0.1 is not a domain";
  c = load_config("[http]\nbase_url = \"https://Lists.Example.org:8443/\"\n", env_of({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->bounce_domain_or_default(), "lists.example.org");
  c->http_base_url = "http://[::1]:8080";
  EXPECT_EQ(c->bounce_domain_or_default(), "localhost");
}

TEST(BounceDomainConfig, IsSetByFileOrEnvironmentAndChecked) {
  auto c = load_config("[bounce]\ndomain = \"Bounces.Example.ORG\"\n", env_of({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->bounce_domain_or_default(), "bounces.example.org");
  c = load_config("", env_of({{"SMARTMESSAGES_BOUNCE_DOMAIN", "b.example.net"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bounce_domain, "b.example.net");
  for (const char* bad :
       {"not a domain", "example", "a..b.org", ".example.org", "x@example.org", "example.org."}) {
    auto refused = load_config("", env_of({{"SMARTMESSAGES_BOUNCE_DOMAIN", bad}}));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.error().message.find("bounce.domain"), std::string::npos);
  }
}

}  // namespace
}  // namespace sm
