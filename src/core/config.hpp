// The installation's settings: a TOML file (--config) overlaid by environment variables.
//
// Every key `section.key` can also be set as SMARTMESSAGES_<SECTION>_<KEY>; top-level keys as
// SMARTMESSAGES_<KEY> (data_dir is SMARTMESSAGES_DATA_DIR). The environment wins over the file.
// A bad value is an Error whose message is one line naming the key, the value and what is
// allowed, so start-up can print it and stop.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace sm {

struct Config {
  std::string data_dir = "./data";
  std::string database_url;  // default: sqlite:<data_dir>/smartmessages.db
  int database_pool_size = 8;

  std::string http_host = "127.0.0.1";
  std::uint16_t http_port = 8080;
  std::string http_base_url = "http://127.0.0.1:8080";  // no trailing slash
  int http_worker_threads = 8;

  std::string mail_smtp_url;  // empty: write to <data_dir>/outbox
  std::string mail_from_address = "no-reply@localhost";
  std::string mail_from_name = "Smartmessages";

  // The DNS server sending-domain checks ask, as IPv4:PORT ("127.0.0.1:5353"); empty: the
  // system's resolver from /etc/resolv.conf.
  std::string dns_server;

  bool accounts_open_signup = true;
  bool accounts_require_2fa = false;

  int maintenance_interval_seconds = 3600;
  std::string log_level = "info";
  Millis testing_clock_offset_ms = 0;  // shifts the clock; for tests that run the real binary

  bool https() const { return http_base_url.starts_with("https://"); }
  std::string outbox_dir() const { return data_dir + "/outbox"; }
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Builds the configuration from TOML text (may be empty) and the environment.
Result<Config> load_config(std::string_view toml_text, const EnvLookup& env);

// The real process environment.
std::optional<std::string> process_env(const std::string& name);

}  // namespace sm
