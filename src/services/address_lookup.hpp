// IP addresses of a host name, asked of DNS once: the fetcher (services/safe_fetch) checks
// every address it gets and then connects to one of them and nothing else, so a second,
// different answer (DNS rebinding) cannot reach the connection.
//
// The server asked is the `dns.server` setting when set (tests point it at dnsmasq on
// loopback), else the resolvers of /etc/resolv.conf. /etc/hosts is not read: the names looked
// up here are account holders' public web sites.
//
// Thread-safe: each call has its own resolver state. Blocks for at most about 4 seconds when
// the server does not answer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm::services {

// An IPv4 or IPv6 address, in network byte order.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4

  // "192.0.2.1" or "2001:db8::1" (without brackets).
  std::string text() const;
  bool operator==(const IpAddress&) const = default;
};

// The address written as a literal ("10.0.0.1", "::1"; no brackets), or nothing.
std::optional<IpAddress> parse_ip_literal(std::string_view text);

// Every A and AAAA record of `name`. An empty vector when the name does not exist or has no
// address; Errc::unavailable when the server cannot be asked or fails. `server` is
// "IPv4:PORT" or empty.
Result<std::vector<IpAddress>> lookup_addresses(std::string_view server, const std::string& name);

}  // namespace sm::services
