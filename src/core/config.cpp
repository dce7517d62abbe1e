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
      {"mail.from_address", "an email address without line breaks",
       text(&Config::mail_from_address)},
      {"mail.from_name", "a name without line breaks", text(&Config::mail_from_name)},
      {"dns.server", "empty, or an IPv4 address and port such as 127.0.0.1:5353", parse_dns_server},
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

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace sm
