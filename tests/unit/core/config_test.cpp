#include "core/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sm {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Config, DefaultsMakeAUsableInstallation) {
  auto c = load_config("", env_of({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->database_url, "sqlite:./data/smartmessages.db");
  EXPECT_EQ(c->http_host, "127.0.0.1");
  EXPECT_EQ(c->http_port, 8080);
  EXPECT_EQ(c->http_base_url, "http://127.0.0.1:8080");
  EXPECT_TRUE(c->mail_smtp_url.empty());
  EXPECT_EQ(c->outbox_dir(), "./data/outbox");
  EXPECT_TRUE(c->accounts_open_signup);
  EXPECT_FALSE(c->https());
}

TEST(Config, TomlFileSetsKeysAndEnvironmentWins) {
  const char* toml = R"(
data_dir = "/srv/sm"
[http]
listen = "0.0.0.0:9000"
base_url = "https://lists.example.org/"
[accounts]
open_signup = false
)";
  auto c = load_config(toml, env_of({{"SMARTMESSAGES_HTTP_LISTEN", "127.0.0.1:9100"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->data_dir, "/srv/sm");
  EXPECT_EQ(c->database_url, "sqlite:/srv/sm/smartmessages.db");
  EXPECT_EQ(c->http_port, 9100);
  EXPECT_EQ(c->http_base_url, "https://lists.example.org");
  EXPECT_TRUE(c->https());
  EXPECT_FALSE(c->accounts_open_signup);
}

TEST(Config, EnvironmentNamesFollowSectionAndKey) {
  auto c = load_config("", env_of({{"SMARTMESSAGES_DATA_DIR", "/tmp/x"},
                                   {"SMARTMESSAGES_DATABASE_URL", "postgresql://u@h:5432/d"},
                                   {"SMARTMESSAGES_MAIL_SMTP_URL", "smtp://127.0.0.1:2525"},
                                   {"SMARTMESSAGES_ACCOUNTS_REQUIRE_2FA", "true"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->data_dir, "/tmp/x");
  EXPECT_EQ(c->database_url, "postgresql://u@h:5432/d");
  EXPECT_EQ(c->mail_smtp_url, "smtp://127.0.0.1:2525");
  EXPECT_TRUE(c->accounts_require_2fa);
}

TEST(Config, BadValueNamesKeyValueAndWhatIsAllowed) {
  auto c = load_config("", env_of({{"SMARTMESSAGES_HTTP_LISTEN", "nonsense"}}));
  ASSERT_FALSE(c.ok());
  const std::string& m = c.error().message;
  EXPECT_NE(m.find("http.listen"), std::string::npos) << m;
  EXPECT_NE(m.find("nonsense"), std::string::npos) << m;
  EXPECT_NE(m.find("HOST:PORT"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << "one line";
}

TEST(Config, RefusesUnknownSchemesAndBadNumbers) {
  EXPECT_FALSE(load_config("", env_of({{"SMARTMESSAGES_DATABASE_URL", "mysql://x"}})).ok());
  EXPECT_FALSE(load_config("", env_of({{"SMARTMESSAGES_MAIL_SMTP_URL", "http://x"}})).ok());
  EXPECT_FALSE(load_config("", env_of({{"SMARTMESSAGES_HTTP_BASE_URL", "ftp://x"}})).ok());
  EXPECT_FALSE(load_config("", env_of({{"SMARTMESSAGES_HTTP_LISTEN", "127.0.0.1:70000"}})).ok());
  EXPECT_FALSE(load_config("[http]\nworker_threads = 0\n", env_of({})).ok());
  EXPECT_FALSE(load_config("", env_of({{"SMARTMESSAGES_ACCOUNTS_OPEN_SIGNUP", "yes"}})).ok());
}

TEST(Config, RelayPoolSizeAndRate) {
  auto defaults = load_config("", env_of({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->mail_smtp_connections, 4);
  EXPECT_EQ(defaults->mail_smtp_rate, 0);

  auto c = load_config("[mail]\nsmtp_connections = 32\n",
                       env_of({{"SMARTMESSAGES_MAIL_SMTP_RATE", "14"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->mail_smtp_connections, 32);
  EXPECT_EQ(c->mail_smtp_rate, 14);

  EXPECT_FALSE(load_config("[mail]\nsmtp_connections = 0\n", env_of({})).ok());
  EXPECT_FALSE(load_config("[mail]\nsmtp_rate = -1\n", env_of({})).ok());
}

TEST(Config, BrokenTomlIsOneClearError) {
  auto c = load_config("[http\nlisten=", env_of({}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("not valid TOML"), std::string::npos);
}

}  // namespace
}  // namespace sm
