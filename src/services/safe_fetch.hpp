// Fetching a page from an address an account holder typed, without letting that address reach
// anything but the public internet (server-side request forgery). Used to check verification
// pages (services/site_verification).
//
// The rules, each checked on every hop:
// - http:// and https:// only, no user name or password in the URL, ports from
//   `fetch.allowed_ports` (80 and 443 by default);
// - the host as libcurl reads it (so 0x7f000001, 2130706433 and 017700000001 are 127.0.0.1);
//   a name is looked up once by us (services/address_lookup) and the connection is pinned to
//   the address checked: libcurl is given that address (CURLOPT_RESOLVE) and the socket it
//   opens is checked again against it (CURLOPT_OPENSOCKETFUNCTION), so nothing is dialled
//   that was not checked;
// - every address of the name must be public: loopback (unless `fetch.allow_loopback`, for
//   tests), private, shared (CGNAT), link-local, multicast, unspecified, reserved,
//   documentation, unique-local, and IPv6 forms that carry an IPv4 address (mapped,
//   compatible, NAT64, 6to4, Teredo) are refused;
// - redirects are followed by us, at most 3, each checked the same way; no proxy is used;
// - at most 1 MB of body and 10 seconds in all.
//
// Thread-safe: every call has its own libcurl handle.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "services/address_lookup.hpp"

namespace sm::services {

struct FetchPolicy {
  std::vector<std::uint16_t> allowed_ports = {80, 443};
  bool allow_loopback = false;
  std::string dns_server;  // "IPv4:PORT", or empty for /etc/resolv.conf
  int max_redirects = 3;
  std::size_t max_bytes = 1024 * 1024;
  std::chrono::milliseconds timeout{10000};
  // Called with each address just before a socket is opened for it, after every check passed;
  // false refuses the connection. Tests use it to prove what would be dialled.
  std::function<bool(const IpAddress&)> before_connect;
};

// The policy the installation's settings give.
FetchPolicy fetch_policy(const Config& config);

// Why `ip` may not be connected to ("a private network address"), or nothing when it may.
std::optional<std::string> refused_address(const IpAddress& ip, bool allow_loopback);

// A URL as it will be fetched.
struct FetchTarget {
  std::string url;     // normalised by libcurl
  std::string scheme;  // "http" or "https"
  std::string host;    // lowercase; an IP address without brackets
  std::uint16_t port = 0;
  std::optional<IpAddress> literal;  // when the host is an IP address
};

// Checks scheme, credentials, host and port (not addresses). Errors are invalid_input with a
// sentence for the account holder.
Result<FetchTarget> parse_fetch_target(const FetchPolicy& policy, std::string_view url);

struct FetchedPage {
  std::string url;  // the URL that answered, after redirects
  long status = 0;
  std::string content_type;
  std::string body;
  int redirects = 0;
};

// GETs `url` under `policy`. A page that answers with an error status is still a page
// (status says so). Errors: invalid_input when a rule refuses the address (nothing was
// connected to), unavailable when the site did not answer, was too slow or sent too much.
Result<FetchedPage> safe_fetch(const FetchPolicy& policy, std::string_view url);

}  // namespace sm::services
