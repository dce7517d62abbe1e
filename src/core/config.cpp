#include "core/config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdlib>
#include <sstream>
#include <toml.hpp>
#include <vector>

namespace sm {
namespace {

// One setting: where it lives in TOML, and how to apply its text to a Config.
struct Key {
  std::string path;     // "http.listen"
  std::string allowed;  // what is allowed, for the error line
  std::function<bool(Config&, const std::string&)> apply;
};

std::string env_name(const std::string& path) {
  std::string name = "SMARTMESSAGES_";
  for (char c : path) name += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

bool parse_int(const std::string& text, long long lo, long long hi, long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= lo && out <= hi;
}

bool parse_bool(const std::string& text, bool& out) {
  if (text == "true" || text == "1") return out = true, true;
  if (text == "false" || text == "0") return out = false, true;
  return false;
}

bool parse_listen(Config& c, const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  long long port = 0;
  if (!parse_int(text.substr(colon + 1), 1, 65535, port)) return false;
  c.http_host = text.substr(0, colon);
  c.http_port = static_cast<std::uint16_t>(port);
  return true;
}

bool parse_base_url(Config& c, std::string text) {
  if (!text.starts_with("http://") && !text.starts_with("https://")) return false;
  while (text.ends_with('/')) text.pop_back();
  if (text.find_first_of(" \t\r\n?#") != std::string::npos) return false;
  c.http_base_url = text;
  return true;
}

bool parse_database_url(Config& c, const std::string& text) {
  bool known = text.starts_with("sqlite:") || text.starts_with("postgresql://") ||
               text.starts_with("postgres://");
  if (!known || text == "sqlite:") return false;
  c.database_url = text;
  return true;
}

bool parse_smtp_url(Config& c, const std::string& text) {
  if (!text.empty() && !text.starts_with("smtp://") && !text.starts_with("smtps://")) return false;
  c.mail_smtp_url = text;
  return true;
}

// An IPv4 address and a port: the resolver library takes addresses, not names.
bool parse_dns_server(Config& c, const std::string& text) {
  if (text.empty()) return c.dns_server.clear(), true;
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  long long port = 0;
  if (!parse_int(text.substr(colon + 1), 1, 65535, port)) return false;
  in_addr addr{};
  if (inet_pton(AF_INET, text.substr(0, colon).c_str(), &addr) != 1) return false;
  c.dns_server = text;
  return true;
}

// A comma-separated list of ports ("80,443"); at least one.
bool parse_ports(Config& c, const std::string& text) {
  std::vector<std::uint16_t> ports;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    long long port = 0;
    if (!parse_int(part, 1, 65535, port)) return false;
    ports.push_back(static_cast<std::uint16_t>(port));
  }
  if (ports.empty()) return false;
  c.fetch_allowed_ports = std::move(ports);
  return true;
}

// A DNS name: letters, digits, hyphens and dots, at least two labels; stored in lower case.
bool is_domain_name(const std::string& text) {
  if (text.empty() || text.size() > 253 || text.front() == '.' || text.back() == '.' ||
      text.find('.') == std::string::npos || text.find("..") != std::string::npos) {
    return false;
  }
  for (char c : text) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool parse_bounce_domain(Config& c, std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (!text.empty() && !is_domain_name(text)) return false;
  c.bounce_domain = text;
  return true;
}

// A shared secret: empty (off), or at least 24 visible ASCII characters, so that it cannot be
// guessed and survives being pasted into a header.
bool parse_inbound_token(Config& c, const std::string& text) {
  if (!text.empty() && text.size() < 24) return false;
  for (char ch : text) {
    if (ch <= ' ' || ch > '~') return false;
  }
  c.inbound_token = text;
  return true;
}

bool parse_log_level(Config& c, const std::string& text) {
  static const std::vector<std::string> levels = {"debug", "info", "warn", "error"};
  for (const auto& l : levels) {
    if (text == l) return c.log_level = text, true;
  }
  return false;
}

template <class T>
std::function<bool(Config&, const std::string&)> integer(T Config::*field, long long lo,
                                                         long long hi) {
  return [=](Config& c, const std::string& text) {
    long long v = 0;
    if (!parse_int(text, lo, hi, v)) return false;
    c.*field = static_cast<T>(v);
    return true;
  };
}

std::function<bool(Config&, const std::string&)> boolean(bool Config::*field) {
  return [=](Config& c, const std::string& text) { return parse_bool(text, c.*field); };
}

std::function<bool(Config&, const std::string&)> text(std::string Config::*field) {
  return [=](Config& c, const std::string& t) {
    if (t.find_first_of("\r\n") != std::string::npos) return false;
    c.*field = t;
    return true;
  };
}

const std::vector<Key>& keys() {
  static const std::vector<Key> all = {
      {"data_dir", "a directory path", text(&Config::data_dir)},
      {"database.url", "sqlite:PATH or postgresql://USER@HOST:PORT/DB", parse_database_url},
      {"database.pool_size", "a whole number from 1 to 256",
       integer(&Config::database_pool_size, 1, 256)},
      {"http.listen", "HOST:PORT such as 127.0.0.1:8080", parse_listen},
      {"http.base_url", "an http:// or https:// URL without query or fragment",
       [](Config& c, const std::string& t) { return parse_base_url(c, t); }},
      {"http.worker_threads", "a whole number from 1 to 256",
       integer(&Config::http_worker_threads, 1, 256)},
      {"mail.smtp_url", "empty, or smtp://[USER:PASS@]HOST:PORT or smtps://...", parse_smtp_url},
      {"mail.smtp_connections", "a whole number from 1 to 256",
       integer(&Config::mail_smtp_connections, 1, 256)},
      {"mail.smtp_rate", "a whole number of messages per second from 0 (no limit) to 1000000",
       integer(&Config::mail_smtp_rate, 0, 1000000)},
      {"mail.from_address", "an email address without line breaks",
       text(&Config::mail_from_address)},
      {"mail.from_name", "a name without line breaks", text(&Config::mail_from_name)},
      {"dns.server", "empty, or an IPv4 address and port such as 127.0.0.1:5353", parse_dns_server},
      {"bounce.domain", "empty, or a domain name such as bounces.example.org",
       [](Config& c, const std::string& t) { return parse_bounce_domain(c, t); }},
      {"bounce.soft_limit", "a whole number from 1 to 100",
       integer(&Config::bounce_soft_limit, 1, 100)},
      {"bounce.soft_window_days", "a whole number of days from 1 to 365",
       integer(&Config::bounce_soft_window_days, 1, 365)},
      {"inbound.token", "empty, or at least 24 visible characters without spaces",
       parse_inbound_token},
      {"fetch.allowed_ports", "port numbers separated by commas, such as 80,443", parse_ports},
      {"fetch.allow_loopback", "true or false", boolean(&Config::fetch_allow_loopback)},
      {"retention.audit_months", "a whole number of months from 1 to 120",
       integer(&Config::retention_audit_months, 1, 120)},
      {"sending.enabled", "true or false", boolean(&Config::sending_enabled)},
      {"sending.batch_size", "a whole number from 1 to 10000",
       integer(&Config::sending_batch_size, 1, 10000)},
      {"sending.max_attempts", "a whole number from 1 to 100",
       integer(&Config::sending_max_attempts, 1, 100)},
      {"sending.retry_base_seconds", "a whole number of seconds from 1 to 86400",
       integer(&Config::sending_retry_base_seconds, 1, 86400)},
      {"sending.worker_timeout_seconds", "a whole number of seconds from 15 to 3600",
       integer(&Config::sending_worker_timeout_seconds, 15, 3600)},
      {"accounts.open_signup", "true or false", boolean(&Config::accounts_open_signup)},
      {"accounts.require_2fa", "true or false", boolean(&Config::accounts_require_2fa)},
      {"maintenance.interval_seconds", "a whole number of seconds from 10 to 604800",
       integer(&Config::maintenance_interval_seconds, 10, 604800)},
      {"log.level", "debug, info, warn or error", parse_log_level},
      {"testing.clock_offset_ms", "a whole number of milliseconds",
       integer(&Config::testing_clock_offset_ms, -(1LL << 52), 1LL << 52)},
  };
  return all;
}

Error bad_value(const Key& key, const std::string& value, std::string_view origin) {
  return make_error(Errc::invalid_input, "config: " + key.path + " = \"" + value + "\" (from " +
                                             std::string(origin) + ") is not allowed; expected " +
                                             key.allowed);
}

// The TOML value at a dotted path as text, or nothing when absent.
std::optional<std::string> toml_text(const toml::value& root, const std::string& path) {
  const toml::value* v = &root;
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '.')) {
    if (!v->is_table() || !v->as_table().count(part)) return std::nullopt;
    v = &v->as_table().at(part);
  }
  if (v->is_string()) return v->as_string().str;
  if (v->is_boolean()) return v->as_boolean() ? "true" : "false";
  if (v->is_integer()) return std::to_string(v->as_integer());
  if (v->is_array()) {  // [80, 443] reads as "80,443"
    std::string joined;
    for (const auto& item : v->as_array()) {
      if (!joined.empty()) joined += ',';
      joined += item.is_integer() ? std::to_string(item.as_integer()) : toml::format(item);
    }
    return joined;
  }
  return toml::format(*v);
}

}  // namespace

Result<Config> load_config(std::string_view toml_source, const EnvLookup& env) {
  toml::value root = toml::table{};
  if (!toml_source.empty()) {
    try {
      std::istringstream in{std::string(toml_source)};
      root = toml::parse(in, "config");
    } catch (const std::exception& e) {
      return make_error(Errc::invalid_input,
                        std::string("config: the file is not valid TOML: ") + e.what());
    }
  }

  Config c;
  for (const auto& key : keys()) {
    if (auto v = toml_text(root, key.path); v && !key.apply(c, *v)) {
      return bad_value(key, *v, "the config file");
    }
    std::string name = env_name(key.path);
    if (auto v = env(name); v && !key.apply(c, *v)) return bad_value(key, *v, name);
  }
  if (c.database_url.empty()) c.database_url = "sqlite:" + c.data_dir + "/smartmessages.db";
  return c;
}

std::string Config::bounce_domain_or_default() const {
  if (!bounce_domain.empty()) return bounce_domain;
  std::string host = http_base_url.substr(http_base_url.find("://") + 3);
  host = host.substr(0, host.find_first_of(":/"));
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // An IP address cannot be the domain of an address we publish in headers.
  const bool ip = host.find_first_not_of("0123456789.") == std::string::npos;
  return ip || !is_domain_name(host) ? "localhost" : host;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace sm
