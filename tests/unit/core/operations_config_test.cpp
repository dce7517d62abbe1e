// The settings of the fetcher and of audit retention: defaults, TOML (arrays too) and the
// environment, and the one-line refusal of a bad value.
#include <gmock/gmock.h>

#include <map>

#include "core/config.hpp"

namespace sm {
namespace {

using ::testing::HasSubstr;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(OperationsConfig, DefaultsAreSafe) {
  auto c = load_config("", env_of({}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->fetch_allowed_ports, (std::vector<std::uint16_t>{80, 443}));
  EXPECT_FALSE(c->fetch_allow_loopback);
  EXPECT_EQ(c->retention_audit_months, 12);
}

TEST(OperationsConfig, TomlAndEnvironmentSetThem) {
  auto c = load_config("[fetch]\nallowed_ports = [443, 8443]\n[retention]\naudit_months = 6\n",
                       env_of({{"SMARTMESSAGES_FETCH_ALLOW_LOOPBACK", "true"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->fetch_allowed_ports, (std::vector<std::uint16_t>{443, 8443}));
  EXPECT_TRUE(c->fetch_allow_loopback);
  EXPECT_EQ(c->retention_audit_months, 6);

  auto e = load_config("", env_of({{"SMARTMESSAGES_FETCH_ALLOWED_PORTS", " 80 , 8080"}}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->fetch_allowed_ports, (std::vector<std::uint16_t>{80, 8080}));
}

TEST(OperationsConfig, BadValuesStopStartUpWithOneLine) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"SMARTMESSAGES_FETCH_ALLOWED_PORTS", ""},
           {"SMARTMESSAGES_FETCH_ALLOWED_PORTS", "80,http"},
           {"SMARTMESSAGES_FETCH_ALLOWED_PORTS", "0"},
           {"SMARTMESSAGES_FETCH_ALLOWED_PORTS", "70000"},
           {"SMARTMESSAGES_FETCH_ALLOW_LOOPBACK", "yes please"},
           {"SMARTMESSAGES_RETENTION_AUDIT_MONTHS", "0"},
           {"SMARTMESSAGES_RETENTION_AUDIT_MONTHS", "121"}}) {
    auto c = load_config("", env_of({{name, value}}));
    ASSERT_FALSE(c.ok()) << name << "=" << value;
    EXPECT_THAT(c.error().message, HasSubstr(name)) << value;
    EXPECT_EQ(c.error().message.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace sm
