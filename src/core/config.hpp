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
#include <vector>

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

  std::string mail_smtp_url;      // empty: write to <data_dir>/outbox
  int mail_smtp_connections = 4;  // SMTP sessions kept open to the relay at most
  int mail_smtp_rate = 0;         // messages per second handed to the relay; 0: no limit
  std::string mail_from_address = "no-reply@localhost";
  std::string mail_from_name = "Smartmessages";

  // The DNS server sending-domain checks ask, as IPv4:PORT ("127.0.0.1:5353"); empty: the
  // system's resolver from /etc/resolv.conf.
  std::string dns_server;

  // The domain of campaigns' return paths (VERP addresses naming each delivery) and of the
  // List-Unsubscribe mailto address; its MX should reach the bounce handler. Empty: the host
  // of http_base_url, or "localhost" when that host is an IP address (bounce_domain_or_default).
  std::string bounce_domain;

  // Bounce handling (services/bounces): this many soft bounces of one address, each for a
  // different delivery, within this many days count as a hard bounce.
  int bounce_soft_limit = 3;
  int bounce_soft_window_days = 30;

  // The secret that authenticates POST /api/v1/inbound (raw bounces and feedback reports from
  // a mail system); empty: the webhook is off and answers 404.
  std::string inbound_token;

  // The fetcher that checks account holders' verification pages (services/safe_fetch): the
  // ports it may connect to, and whether loopback addresses are allowed (tests only).
  std::vector<std::uint16_t> fetch_allowed_ports = {80, 443};
  bool fetch_allow_loopback = false;

  // How long security audit records (sign-ins, resets, portal use) are kept.
  int retention_audit_months = 12;

  // Campaign sending (services/send_worker): whether `serve` runs a sending worker beside
  // the web service (off on nodes that only serve while `worker` nodes send), deliveries
  // claimed per batch, attempts a delivery gets while the relay answers 4xx, the first wait
  // before a retry (doubling each time, at most an hour), and how long a worker may go
  // without a heartbeat before others judge it dead.
  bool sending_enabled = true;
  int sending_batch_size = 100;
  int sending_max_attempts = 5;
  int sending_retry_base_seconds = 60;
  int sending_worker_timeout_seconds = 60;

  bool accounts_open_signup = true;
  bool accounts_require_2fa = false;

  int maintenance_interval_seconds = 3600;
  std::string log_level = "info";
  Millis testing_clock_offset_ms = 0;  // shifts the clock; for tests that run the real binary

  bool https() const { return http_base_url.starts_with("https://"); }
  std::string outbox_dir() const { return data_dir + "/outbox"; }
  std::string bounce_domain_or_default() const;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Builds the configuration from TOML text (may be empty) and the environment.
Result<Config> load_config(std::string_view toml_text, const EnvLookup& env);

// The real process environment.
std::optional<std::string> process_env(const std::string& name);

}  // namespace sm
